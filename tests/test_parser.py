"""Exact expectations of parse_notice on the five seed notices, and robustness on bad input."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.parser import parse_notice

EXPECTED_METADATA = {
    "000": dict(
        title="Kết luận của đồng chí Nguyễn Trọng Lăng – Chủ tịch UBND huyện tại cuộc họp đánh giá về công tác "
        "Cải cách hành chính năm 2022",
        doc_number="/TB-UBND", doc_type="thong_bao_ket_luan", issuer="UBND huyện Ngân Sơn", level="huyen",
        locality="Ngân Sơn", issue_date="2023-04", issue_date_precision="month", meeting_date="2023-04-05",
        meeting_date_precision="day", chair="Nguyễn Trọng Lăng", signer="Nguyễn Trọng Lăng", language="vi", published_date="",
    ),
    "001": dict(
        title="BÀI TUYÊN TRUYỀN VỀ CẢI CÁCH HÀNH CHÍNH THÁNG 7/2024", doc_number="", doc_type="tuyen_truyen",
        issuer="UBND xã Phúc Lộc", level="xa", locality="Phúc Lộc", issue_date="2024-07-04",
        issue_date_precision="day", meeting_date="2024-06-07", meeting_date_precision="day",
        chair="Lưu Quốc Trung", signer="Nông Văn Nhượng", language="vi", published_date="",
    ),
    "002": dict(
        title="Kết luận của ông Nguyễn Lê Ngọc Toàn – Chủ tịch UBND xã tại Hội nghị tổng kết công tác cải cách "
        "hành chính năm 2022 và triển khai mục tiêu, nhiệm vụ công tác cải cách hành chính năm 2023",
        doc_number="/TB-UBND", doc_type="thong_bao_ket_luan", issuer="UBND xã Đại Lãnh", level="xa",
        locality="Đại Lãnh", issue_date="2023-03", issue_date_precision="month", meeting_date="2023-03-17",
        meeting_date_precision="day", chair="Nguyễn Lê Ngọc Toàn", signer="Nguyễn Lê Ngọc Toàn", language="vi", published_date="",
    ),
    "003": dict(
        title="Kết luận họp đánh giá kết quả thực hiện cải cách hành chính 09 tháng đầu năm, triển khai nhiệm vụ "
        "quý IV năm 2023",
        doc_number="194/TB-UBND", doc_type="thong_bao_ket_luan", issuer="UBND huyện Hương Sơn", level="huyen",
        locality="Hương Sơn", issue_date="2023-09-13", issue_date_precision="day", meeting_date="2023-09-11",
        meeting_date_precision="day", chair="Hồ Thái Sơn", signer="Phan Tiến Hùng", language="vi", published_date="",
    ),
    "004": dict(
        title="Hội nghị trực tuyến đánh giá kết quả công tác cải cách hành chính huyện", doc_number="",
        doc_type="tin_hoi_nghi", issuer="UBND huyện Kon Rẫy", level="huyen", locality="Kon Rẫy",
        issue_date="", issue_date_precision="", meeting_date="2023-09-08", meeting_date_precision="day",
        chair="Võ Văn Lương", signer="", language="vi", published_date="",
    ),
}

EXPECTED_PATHS = {
    "000": ["1", "2", "3", "4", "5"],  # closing formulas are not directives
    "001": ["1", "2", "3", "4", "5", "6", "7"],
    "002": ["1", "2", "3", "4", "5", "6", "7"],
    "003": ["1", "2"]
    + [f"3.1.{i}" for i in range(1, 9)]
    + [f"3.2.{i}" for i in range(1, 4)]
    + [f"3.3.{i}" for i in range(1, 7)]
    + [f"3.4.{i}" for i in range(1, 6)]
    + [f"3.5.{i}" for i in range(1, 5)]
    + ["3.6", "3.7"],
    "004": ["p1", "p2", "p3", "p4"],
}


@pytest.fixture(scope="module")
def parsed(seeds):
    return {k: parse_notice(v) for k, v in seeds.items()}


@pytest.mark.parametrize("seed", sorted(EXPECTED_METADATA))
def test_metadata(parsed, seed):
    assert parsed[seed].metadata() == EXPECTED_METADATA[seed]


@pytest.mark.parametrize("seed", sorted(EXPECTED_PATHS))
def test_directive_paths(parsed, seed):
    assert [d.path for d in parsed[seed].directives] == EXPECTED_PATHS[seed]


def _by_path(notice, path):
    return next(d for d in notice.directives if d.path == path)


def test_page_break_stays_in_one_directive(parsed):
    d = _by_path(parsed["000"], "4")
    assert d.text.startswith("Giao Văn phòng HĐND&UBND huyện đôn đốc")
    assert "tổng hợp kết quả thực hiện theo từng tháng, báo cáo lãnh đạo UBND huyện." in d.text
    assert d.text.endswith("đối với CBCCV, nhất là người đứng đầu.")
    assert d.unit == "Văn phòng HĐND và UBND huyện"  # canonical spelling
    d = _by_path(parsed["002"], "3")
    assert "trên phần mềm một cửa điện tử hàng tháng" in d.text
    assert d.targets == ["dưới 1%"]
    assert d.unit == "Công chức Văn phòng HĐND và UBND xã"


def test_deadlines_units_targets(parsed):
    d = _by_path(parsed["000"], "5")
    assert d.deadlines == ["2023-04-12"]
    assert d.unit == "Phòng Nội vụ"
    assert "(trước ngày 12/4/2023)" in d.text and "*" not in d.text
    d = _by_path(parsed["002"], "2")
    assert d.targets == ["90%"]
    assert d.unit == "Các cán bộ, công chức"
    d = _by_path(parsed["003"], "3.7")
    assert d.heading == "Đối với Ủy ban nhân dân xã Sơn Tây"
    assert d.unit == "UBND xã Sơn Tây"  # canonical spelling
    assert d.deadlines == ["2023-09", "2023-10-30"]
    d = _by_path(parsed["003"], "3.6")
    assert d.unit == "Phòng Tài nguyên và Môi trường"
    assert d.text.startswith("Phòng Tài nguyên và Môi trường chủ trì")


def test_heading_applies_to_bullets(parsed):
    notice = parsed["003"]
    bullets = [d for d in notice.directives if d.path.startswith("3.2.")]
    assert {d.unit for d in bullets} == {"Phòng Tư pháp"}
    assert {d.heading for d in bullets} == {"Đối với phòng Tư pháp"}
    d = _by_path(notice, "3.3.2")
    assert d.text.startswith("Thực hiện công bố, niêm yết, công khai TTHC theo đúng quy định")
    assert d.text.endswith("của cán bộ, công chức trong thực hiện TTHC.")
    assert d.unit == "Văn phòng HĐND và UBND huyện"
    d = _by_path(notice, "3.1.7")
    assert d.text.startswith("Chủ trì, phối hợp các phòng liên quan")
    assert d.unit == "Phòng Nội vụ"


def test_list_intro_and_boilerplate_are_not_directives(parsed):
    texts = [d.text for n in parsed.values() for d in n.directives]
    assert not any(t.startswith("Một số nhiệm vụ trọng tâm") for t in texts)
    assert not any("Nơi nhận" in t or "Lưu: VT" in t or "TM. ỦY BAN" in t for t in texts)
    assert not any("Tăng tương phản" in t or "Tin liên quan" in t or "Tác giả" in t for t in texts)
    assert not any("đến đây là hết" in t for t in texts)
    # the second paragraph of item 2 belongs to item 2
    assert _by_path(parsed["003"], "2").text.endswith("về kết quả cải cách hành chính lĩnh vực phụ trách.")


def test_prose_news_conclusions(parsed):
    notice = parsed["004"]
    first, second, third, fourth = notice.directives
    assert first.text.startswith("Đối với các phòng, ban chuyên môn thuộc UBND huyện, trên cơ sở chức năng")
    assert first.unit == "Các phòng, ban chuyên môn thuộc UBND huyện"
    assert second.text.startswith("Tiếp tục tiến hành rà soát các nhiệm vụ được giao")
    assert second.unit == first.unit
    assert third.unit == "UBND các xã, thị trấn"
    assert fourth.unit == "Thủ trưởng các cơ quan, đơn vị, Chủ tịch UBND xã, thị trấn"
    assert fourth.text.endswith("của đơn vị, địa phương mình./")


def test_radio_script_units(parsed):
    notice = parsed["001"]
    assert _by_path(notice, "1").unit == "Các thành viên Ban Chỉ đạo, người đứng đầu các cơ quan, đơn vị"
    assert _by_path(notice, "2").unit == "Các cơ quan, đơn vị, UBND các xã, thị trấn"  # the lead-in's addressees
    assert _by_path(notice, "7").unit == "Thành viên Ban Chỉ đạo CCHC huyện"


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n ", "Hello world. This is an English text about gardening.\n\nIt has two paragraphs.",
     "Số: 12/TB-UBND\n\nHà Nội, ngày 1 tháng 2 năm 2024\n\nTHÔNG BÁO\n\nVề việc nghỉ Tết Nguyên đán."],
)
def test_no_directives(text):
    notice = parse_notice(text)
    assert notice.directives == []


def test_notice_without_directives_keeps_metadata():
    notice = parse_notice("Số: 12/TB-UBND\n\nHà Nội, ngày 1 tháng 2 năm 2024\n\nTHÔNG BÁO\n\nVề việc nghỉ Tết.")
    assert notice.doc_number == "12/TB-UBND"
    assert notice.issue_date == "2024-02-01"
    assert notice.locality == "Hà Nội"


_VI_CHARS = st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạếềểễệốồổỗộớờởỡợứừửữự0123456789 .,:;-+*•#()/%\n"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_never_crashes_on_arbitrary_text(text):
    notice = parse_notice(text)
    assert all(d.text for d in notice.directives)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(_VI_CHARS, max_size=80), max_size=30))
def test_never_crashes_on_notice_like_lines(lines):
    notice = parse_notice("\n".join(lines))
    assert all(d.text.strip() == d.text for d in notice.directives)
