"""The Vietnamese text layer: normalisation, abbreviations, folding, segmentation, memoisation."""
from __future__ import annotations

from nlp.normalize import fix_tone_marks, fold, normalize_inline, normalize_text
from nlp.vitext import expand_abbreviations, keyword_text, segment


def test_tone_marks_and_nfc():
    assert fix_tone_marks("hoà thuỷ Hoà uỷ ban") == "hòa thủy Hòa ủy ban"
    decomposed = "Hòa".replace("ò", "o\u0300")
    assert normalize_inline(decomposed) == "Hòa"


def test_lookalikes_and_markdown():
    assert normalize_inline("Ðồng chí **Nguyễn** Văn А") == "Đồng chí Nguyễn Văn A"  # eth, Cyrillic A
    assert normalize_text("## THÔNG BÁO\n\n### **Kết luận**") == "THÔNG BÁO\n\nKết luận"
    assert normalize_inline("a\u00a0b\u200bc") == "a bc"


def test_broken_lines_rejoined():
    assert normalize_text("theo từng tháng,\n\nbáo cáo lãnh đạo") == "theo từng tháng, báo cáo lãnh đạo"
    wrapped = "Tham dự hội nghị có lãnh đạo các cơ quan, ban ngành huyện, Giám đốc\nBHXH huyện."
    assert normalize_text("Tiêu đề\n" + wrapped) == "Tiêu đề\n" + wrapped.replace("\n", " ")
    # a short line followed by a capitalised one is a title or a caption, not a wrapped sentence
    assert normalize_text("Quang cảnh hội nghị\nChiều 19/12, UBND huyện tổ chức hội nghị.").count("\n") == 1
    # list items, caps headings and header lines stay on their own lines
    assert normalize_text("- TT Huyện ủy;\n- LĐ UBND huyện;") == "- TT Huyện ủy;\n- LĐ UBND huyện;"
    assert normalize_text("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH") == "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
    assert normalize_text("Độc lập - Tự do - Hạnh phúc\nEa Krông, ngày 14 tháng 01 năm 2025").count("\n") == 1


def test_fold():
    assert fold("Hồ sơ TRỄ HẠN, Đắk Lắk") == "ho so tre han, dak lak"


def test_abbreviations_expand_consistently():
    full = "cán bộ, công chức, viên chức"
    for variant in ("CBCCVC", "CB,CC,VC", "CB, CC, VC", "CBCC, VC", "cbccvc"):
        assert expand_abbreviations(f"đánh giá {variant} năm 2023") == f"đánh giá {full} năm 2023"
    assert expand_abbreviations("TTHC") == "thủ tục hành chính"
    assert expand_abbreviations("HĐND&UBND huyện") == "Hội đồng nhân dân và Ủy ban nhân dân huyện"
    assert expand_abbreviations("HDND xã") == "Hội đồng nhân dân xã"  # typed without diacritics
    assert expand_abbreviations("DVCTT, VBQPPL, PAR INDEX") == (
        "dịch vụ công trực tuyến, văn bản quy phạm pháp luật, chỉ số cải cách hành chính"
    )
    # not inside other words
    assert expand_abbreviations("TTHCC") == "Trung tâm hành chính công"
    assert expand_abbreviations("PCIX") == "PCIX"


def test_keyword_text_matches_across_forms():
    assert keyword_text("TTHC") == keyword_text("thủ tục hành chính") == keyword_text("thu tuc hanh chinh")
    assert keyword_text("Số hóa hồ sơ") == keyword_text("so hoa ho so") == keyword_text("số hoá hồ sơ")


def test_segmentation_uses_domain_dictionary():
    words = segment("Tăng tỷ lệ số hóa hồ sơ và dịch vụ công trực tuyến tại bộ phận một cửa")
    assert "số_hóa" in words
    assert "dịch_vụ_công_trực_tuyến" in words
    assert "một_cửa" in words
    assert segment("giải quyết TTHC") == ("giải_quyết", "thủ_tục_hành_chính")
    assert segment("...") == ()


def test_segmentation_is_memoised():
    text = "Rà soát, đơn giản hóa thủ tục hành chính lĩnh vực đất đai năm 2031"
    segment(text)
    hits = segment.cache_info().hits
    segment(text)
    assert segment.cache_info().hits == hits + 1
