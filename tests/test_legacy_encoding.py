"""TCVN3 and VNI: round trips and detection on text written by the cchc team."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.legacy_encoding import TCVN3, VNI, detect, from_unicode, to_unicode
from nlp.readers import read_bytes

# Written by the team. TCVN3 has capitals only for Ă Â Ê Ô Ơ Ư Đ (others come from the .VnTimeH
# fonts), so sentences here start with letters it can write, and the caps lines are whole lines.
BODY = (
    "Thông báo kết luận của Chủ tịch UBND xã về công tác cải cách hành chính quý III năm 2024.\n"
    "1. Giao Văn phòng rà soát các thủ tục hành chính, niêm yết công khai đúng quy định, "
    "không để hồ sơ trễ hạn; Đoàn kiểm tra báo cáo trước ngày 15/11/2024.\n"
    "2. Công chức một cửa hướng dẫn người dân nộp hồ sơ trực tuyến, thanh toán không dùng tiền mặt, "
    "phấn đấu đạt trên 60% số hồ sơ; những việc chưa làm được phải nêu rõ nguyên nhân.\n"
    "3. Các thôn tuyên truyền để nhân dân sử dụng ứng dụng định danh điện tử, giữ gìn an ninh trật tự."
)
CAPS = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nỦY BAN NHÂN DÂN XÃ TÂN LẬP\n"


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_round_trip(encoding: str) -> None:
    legacy = from_unicode(CAPS + BODY, encoding)
    assert legacy != CAPS + BODY and all(ord(c) < 256 for c in legacy)
    assert to_unicode(legacy, encoding) == CAPS + BODY


def test_known_spellings() -> None:
    assert from_unicode("Thông báo", TCVN3) == "Th«ng b¸o"
    assert from_unicode("Thông báo", VNI) == "Thoâng baùo"
    assert to_unicode("§éc lËp - Tù do - H¹nh phóc", TCVN3) == "Độc lập - Tự do - Hạnh phúc"
    assert to_unicode("ñy ban", TCVN3, upper=True) == "ỦY BAN"  # a .VnTimeH run
    assert to_unicode("Sè: 215/TB-UBND", TCVN3) == "Số: 215/TB-UBND"  # one capital is not a caps word


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_detect(encoding: str) -> None:
    assert detect(from_unicode(BODY, encoding)) == encoding
    assert detect(BODY) is None  # Unicode stays as it is
    assert detect("Plain English text about a meeting, with no Vietnamese at all in it, none.") is None
    assert detect("Réunion du comité: les élèves ont présenté leurs idées à la mairie française.") is None


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_legacy_txt_file_is_converted(encoding: str) -> None:
    data = from_unicode(BODY, encoding).encode("latin-1")  # an old 8-bit file
    result = read_bytes(data, "cu.txt")
    assert result.converted_from == encoding
    assert result.text.startswith("Thông báo kết luận của Chủ tịch UBND xã")
    assert f"đã chuyển mã {encoding} → Unicode" in result.notes()
    # the same mojibake saved as UTF-8 (copied from an old document into a new file)
    assert read_bytes(from_unicode(BODY, encoding).encode("utf-8"), "dan.txt").converted_from == encoding


_VIET_LOWER = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_VIET_LOWER + "ĂÂÊÔƠƯĐ 0123456789.,;:-()/\n", max_size=200))
def test_tcvn3_round_trip_property(text: str) -> None:
    assert to_unicode(from_unicode(text, TCVN3), TCVN3) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_VIET_LOWER + _VIET_LOWER.upper() + " 0123456789.,;:-()/\n", max_size=200))
def test_vni_round_trip_property(text: str) -> None:
    assert to_unicode(from_unicode(text, VNI), VNI) == text
