"""Units in one canonical spelling, co-operating units, deadlines with precision and recurrence.

Every example sentence here was written by the team.
"""
from __future__ import annotations

import pytest

from nlp.dates import find_due
from nlp.parser import parse_notice
from nlp.units import canonical_unit, find_partners, find_unit, split_units, unit_key


@pytest.mark.parametrize("spelling", ["phòng Nội vụ", "Phòng nội vụ", "PHÒNG NỘI VỤ", "Phòng Nội Vụ", " Phòng  Nội vụ "])
def test_one_spelling_per_unit(spelling: str) -> None:
    assert canonical_unit(spelling) == "Phòng Nội vụ"
    assert unit_key(spelling) == "phong noi vu"


@pytest.mark.parametrize(("written", "canonical"), [
    ("Ủy ban nhân dân xã Sơn Tây", "UBND xã Sơn Tây"),
    ("Văn phòng HĐND&UBND huyện", "Văn phòng HĐND và UBND huyện"),
    ("Văn phòng HĐND - UBND huyện", "Văn phòng HĐND và UBND huyện"),
    ("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO HUYỆN NGÂN SƠN", "Phòng Giáo dục và Đào tạo huyện Ngân Sơn"),
    ("PHÒNG TÀI CHÍNH - KẾ HOẠCH", "Phòng Tài chính - Kế hoạch"),
    ("Ban quản lý dự án", "Ban Quản lý dự án"),
    ("Bảo hiểm xã hội huyện", "Bảo hiểm xã hội huyện"),
    ("Các phòng, ban chuyên môn thuộc UBND huyện", "Các phòng, ban chuyên môn thuộc UBND huyện"),
    ("UBND các xã, thị trấn", "UBND các xã, thị trấn"),
])
def test_canonical_spellings(written: str, canonical: str) -> None:
    assert canonical_unit(written) == canonical


def test_lead_and_partners() -> None:
    text = ("Giao Phòng Nội vụ chủ trì, phối hợp với phòng Tư pháp và các đơn vị liên quan tham mưu UBND huyện "
            "ban hành kế hoạch kiểm tra công vụ.")
    lead = find_unit(text)
    assert lead == "Phòng Nội vụ"
    assert find_partners(text, lead) == ["Phòng Tư pháp", "Các đơn vị liên quan"]
    text = "PHÒNG TÀI CHÍNH - KẾ HOẠCH chủ trì, phối hợp với UBND các xã, thị trấn rà soát nguồn kinh phí."
    assert find_unit(text) == "Phòng Tài chính - Kế hoạch"
    assert find_partners(text, find_unit(text)) == ["UBND các xã, thị trấn"]
    assert find_partners("Tăng cường phối hợp giữa các bộ phận trong giải quyết hồ sơ.") == []


def test_split_units_keeps_one_unit_with_its_places() -> None:
    assert split_units("Phòng Văn hóa và Thông tin, Trung tâm Văn hóa - Thể thao") == \
        ["Phòng Văn hóa và Thông tin", "Trung tâm Văn hóa - Thể thao"]
    assert split_units("UBND các xã, thị trấn") == ["UBND các xã, thị trấn"]


def _due(text: str, year: int | None = 2024) -> list[tuple]:
    return [(d.date, d.precision, d.every, d.day, d.month, d.days, d.working) for d in find_due(text, year)]


def test_one_off_deadlines_keep_their_precision() -> None:
    assert _due("Hoàn thành trước ngày 12/4/2024 và báo cáo trong tháng 9/2024.") == [
        ("2024-04-12", "day", "", 0, 0, 0, False), ("2024-09", "month", "", 0, 0, 0, False)]
    assert _due("Hoàn thành trong quý IV/2024.") == [("2024-Q4", "quarter", "", 0, 0, 0, False)]
    assert _due("Hoàn thành trong quý IV.") == [("2024-Q4", "quarter", "", 0, 0, 0, False)]  # the notice's year
    assert _due("Hoàn thành trong quý IV.", None) == []
    assert _due("Triển khai đến hết năm 2025.") == [("2025", "year", "", 0, 0, 0, False)]


def test_recurring_and_relative_deadlines() -> None:
    assert _due("Báo cáo kết quả trước ngày 15 hằng tháng về Phòng Nội vụ.") == [("", "", "month", 15, 0, 0, False)]
    assert _due("Tổng hợp, báo cáo hằng quý.") == [("", "", "quarter", 0, 0, 0, False)]
    assert _due("Gửi báo cáo trước ngày 20/12 hằng năm.") == [("", "", "year", 20, 12, 0, False)]
    assert _due("Báo cáo định kỳ 6 tháng.") == [("", "", "half_year", 0, 0, 0, False)]
    assert _due("Trả lời công dân trong vòng 15 ngày làm việc.") == [("", "day", "", 0, 0, 15, True)]
    assert find_due("Báo cáo trước ngày 15 hằng tháng.")[0].text == "trước ngày 15 hằng tháng"


def test_parsed_directives_carry_partners_and_due() -> None:
    notice = parse_notice(
        "ỦY BAN NHÂN DÂN HUYỆN THỬ NGHIỆM\nSố: 01/TB-UBND\nThử Nghiệm, ngày 05 tháng 01 năm 2024\n"
        "THÔNG BÁO\nKết luận của Chủ tịch UBND huyện tại cuộc họp về cải cách hành chính\n"
        "1. Giao PHÒNG NỘI VỤ chủ trì, phối hợp với Văn phòng HĐND&UBND huyện rà soát thủ tục hành chính, "
        "báo cáo trước ngày 15 hằng tháng.\n"
        "2. Phòng Tư pháp hoàn thành việc kiểm tra văn bản trong quý IV.\n"
    )
    first, second = notice.directives
    assert first.unit == "Phòng Nội vụ" and first.partners == ["Văn phòng HĐND và UBND huyện"]
    assert [(d.every, d.day) for d in first.due] == [("month", 15)]
    assert second.unit == "Phòng Tư pháp" and [d.date for d in second.due] == ["2024-Q4"]
