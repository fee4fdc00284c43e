"""Word files (.docx structure, legacy fonts, .doc) and PDF text blocks, read the way a typed
notice reads. Fixture texts are written by the cchc team (tests/fixtures/README.md)."""
from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from nlp.legacy_encoding import TCVN3, VNI, from_unicode
from nlp.parser import parse_notice
from nlp.readers import ReadError, read_bytes, read_document

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SOURCE = (FIXTURES / "tb_tan_lap.txt").read_text(encoding="utf-8")
BLOCKS = SOURCE.split("\n\n")  # 0-1 issuer and motto, 2 number, 3 place and date, 4… the notice
HEADER = {"doc_number": "215/TB-UBND", "issue_date": "2024-10-18", "issuer": "UBND xã Tân Lập",
          "locality": "Tân Lập", "level": "xa"}


def save(document) -> bytes:  # noqa: ANN001
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def fill(cell, lines: list[str]) -> None:  # noqa: ANN001
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def header_table_docx(rows: int) -> bytes:
    """The notice with its header in the usual borderless table (one row, or two rows)."""
    document = docx.Document()
    issuer, motto = BLOCKS[0].split("\n"), BLOCKS[1].split("\n")
    table = document.add_table(rows=rows, cols=2)
    if rows == 1:
        fill(table.cell(0, 0), [*issuer, "", BLOCKS[2]])
        fill(table.cell(0, 1), [*motto, "_______________", BLOCKS[3]])
    else:
        fill(table.cell(0, 0), issuer)
        fill(table.cell(0, 1), motto)
        fill(table.cell(1, 0), [BLOCKS[2]])
        fill(table.cell(1, 1), [BLOCKS[3]])
    for block in BLOCKS[4:]:
        document.add_paragraph(block)
    return save(document)


@pytest.mark.parametrize("rows", [1, 2])
def test_docx_header_table_reads_as_header_lines(rows: int) -> None:
    text = read_bytes(header_table_docx(rows), "tb.docx").text
    assert text.split("\n\n")[:5] == [BLOCKS[0], BLOCKS[1], BLOCKS[2], BLOCKS[3], "THÔNG BÁO"]
    notice = parse_notice(text)
    assert {k: getattr(notice, k) for k in HEADER} == HEADER
    assert [d.path for d in notice.directives] == ["1", "2", "3", "4"]


def test_docx_data_table_stays_a_table() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["STT", "Nhiệm vụ", "Thời hạn"]):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["1", "Rà soát thủ tục", "Số: tháng 11"]):
        cell.text = text
    assert read_bytes(save(document), "bang.docx").text.split("\n\n") == [
        "STT | Nhiệm vụ | Thời hạn", "1 | Rà soát thủ tục | Số: tháng 11"]


def _numbering(document, levels: list[tuple[str, str]]) -> str:  # noqa: ANN001
    """Add a list definition (numFmt, lvlText per level) to the document; return its numId."""
    numbering = document.part.numbering_part.element
    abstract_id = str(90 + len(numbering.findall(qn("w:abstractNum"))))
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    numbering.insert(0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">{lvls}</w:abstractNum>'))
    num_id = str(900 + int(abstract_id))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'))
    return num_id


def _numbered(document, text: str, num_id: str, level: int) -> None:  # noqa: ANN001
    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def test_docx_automatic_numbering_is_rendered() -> None:
    document = docx.Document()
    document.add_paragraph("Chủ tịch UBND xã kết luận và chỉ đạo như sau:")
    outline = _numbering(document, [("decimal", "%1."), ("decimal", "%1.%2."), ("lowerLetter", "%3)")])
    bullets = _numbering(document, [("bullet", "\uf0b7")])
    _numbered(document, "Về cải cách thủ tục hành chính", outline, 0)
    _numbered(document, "Văn phòng rà soát, niêm yết công khai các thủ tục hành chính mới.", outline, 1)
    _numbered(document, "Công chức một cửa hướng dẫn người dân nộp hồ sơ trực tuyến.", outline, 1)
    _numbered(document, "Phấn đấu tỷ lệ hồ sơ trực tuyến trên 60%.", outline, 2)
    _numbered(document, "Không để hồ sơ trễ hạn.", outline, 2)
    _numbered(document, "Về chuyển đổi số", outline, 0)
    _numbered(document, "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính.", outline, 1)
    _numbered(document, "Tuyên truyền ứng dụng định danh điện tử đến từng thôn.", bullets, 0)
    text = read_bytes(save(document), "so.docx").text
    assert text.split("\n\n")[1:] == [
        "1. Về cải cách thủ tục hành chính",
        "1.1. Văn phòng rà soát, niêm yết công khai các thủ tục hành chính mới.",
        "1.2. Công chức một cửa hướng dẫn người dân nộp hồ sơ trực tuyến.",
        "a) Phấn đấu tỷ lệ hồ sơ trực tuyến trên 60%.",
        "b) Không để hồ sơ trễ hạn.",
        "2. Về chuyển đổi số",
        "2.1. Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính.",
        "- Tuyên truyền ứng dụng định danh điện tử đến từng thôn.",
    ]


def test_docx_numbering_from_the_paragraph_style() -> None:
    document = docx.Document()
    num_id = _numbering(document, [("decimal", "%1.")])
    style = document.styles["List Number"]
    ppr = style.element.get_or_add_pPr()
    for old in ppr.findall(qn("w:numPr")):
        ppr.remove(old)
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="{num_id}"/></w:numPr>'))
    for text in ("Rà soát thủ tục hành chính.", "Công khai kết quả giải quyết."):
        document.add_paragraph(text, style="List Number")
    assert read_bytes(save(document), "kieu.docx").text.split("\n\n") == [
        "1. Rà soát thủ tục hành chính.", "2. Công khai kết quả giải quyết."]


def test_docx_legacy_fonts_are_converted() -> None:
    document = docx.Document()
    caps = document.add_paragraph().add_run(from_unicode("ỦY BAN NHÂN DÂN XÃ TÂN LẬP".lower(), TCVN3))
    caps.font.name = ".VnTimeH"  # the capital font draws lower-case codes as capitals
    body = document.add_paragraph()
    body.add_run(from_unicode("Thông báo kết luận về ", TCVN3)).font.name = ".VnTime"
    body.add_run("cải cách hành chính")  # a Unicode run in the same paragraph stays as it is
    document.add_paragraph().add_run(from_unicode("Ủy ban nhân dân xã Tân Lập", VNI)).font.name = "VNI-Times"
    result = read_bytes(save(document), "cu.docx")
    assert result.text.split("\n\n") == ["ỦY BAN NHÂN DÂN XÃ TÂN LẬP",
                                         "Thông báo kết luận về cải cách hành chính",
                                         "Ủy ban nhân dân xã Tân Lập"]
    assert result.converted_from == TCVN3 and "đã chuyển mã TCVN3 → Unicode" in result.notes()


def test_docx_legacy_text_without_font_names_is_detected() -> None:
    document = docx.Document()
    for block in BLOCKS[4:]:
        document.add_paragraph(from_unicode(block, VNI))
    result = read_bytes(save(document), "vni.docx")
    assert result.converted_from == VNI
    assert result.text.split("\n\n")[1] == BLOCKS[5]


# --- .doc ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tb_tan_lap.doc", "tb_tan_lap_tcvn3.doc", "tb_tan_lap_bang.doc"])
def test_doc_fixture(name: str) -> None:
    result = read_document(FIXTURES / name)
    assert result.format == "doc"
    assert result.text.split("\n\n")[:5] == [BLOCKS[0], BLOCKS[1], BLOCKS[2], BLOCKS[3], "THÔNG BÁO"]
    assert result.converted_from == (TCVN3 if "tcvn3" in name else None)
    notice = parse_notice(result.text)
    assert {k: getattr(notice, k) for k in HEADER} == HEADER
    assert [d.path for d in notice.directives] == ["1", "2", "3", "4"]
    assert notice.directives[1].text == BLOCKS[8][3:]


def test_doc_that_is_html_or_docx_is_read_with_a_warning() -> None:
    page = f"<html><head><meta charset='utf-8'></head><body><p>{BLOCKS[6]}</p></body></html>"
    result = read_bytes(page.encode(), "web.doc")
    assert result.text == BLOCKS[6] and "thực chất là trang web HTML" in result.warnings[0]
    document = docx.Document()
    document.add_paragraph(BLOCKS[6])
    assert "thực chất là DOCX" in read_bytes(save(document), "moi.doc").notes()[0]


@pytest.mark.parametrize("data, message", [
    (b"{\\rtf1\\ansi Thong bao}", "thực chất là RTF"),
    (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x\r\n", "MHT"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ".doc bị hỏng"),
    (b"just some bytes that are no Word file", "không phải tệp Word 97-2003"),
])
def test_bad_doc(data: bytes, message: str) -> None:
    with pytest.raises(ReadError, match=r"^x\.doc: ") as info:
        read_bytes(data, "x.doc")
    assert message in str(info.value)


# --- PDF blocks ---------------------------------------------------------------------------------


def text_pdf(lines: list[tuple[str, str, int, int]]) -> bytes:
    """A one-page PDF: each (text, font F1 regular / F2 bold, size, baseline y) as one line."""
    stream = "".join(f"BT /{font} {size} Tf 72 {y} Td ({text}) Tj ET\n" for text, font, size, y in lines).encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents 6 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_pdf_title_ends_where_its_block_ends() -> None:
    lines = [
        ("THONG BAO", "F2", 14, 700),
        ("Ket luan cua Chu tich UBND xa tai cuoc hop giao ban cong tac cai cach", "F2", 14, 682),
        ("hanh chinh quy III nam 2024", "F2", 14, 664),
        ("Ngay 15 thang 10 nam 2024, UBND xa Tan Lap to chuc hop giao ban danh gia ket qua", "F1", 12, 636),
        ("cong tac cai cach hanh chinh quy III nam 2024 va trien khai nhiem vu quy IV", "F1", 12, 622),
        ("cua cac bo phan chuyen mon.", "F1", 12, 608),
        ("1. Cong chuc mot cua ra soat thu tuc hanh chinh dang niem yet.", "F1", 12, 586),
    ]
    text = read_bytes(text_pdf(lines), "tieu-de.pdf").text
    assert [line for line in text.split("\n") if line] == [
        "THONG BAO",
        "Ket luan cua Chu tich UBND xa tai cuoc hop giao ban cong tac cai cach hanh chinh quy III nam 2024",
        "Ngay 15 thang 10 nam 2024, UBND xa Tan Lap to chuc hop giao ban danh gia ket qua cong tac cai cach "
        "hanh chinh quy III nam 2024 va trien khai nhiem vu quy IV cua cac bo phan chuyen mon.",
        "1. Cong chuc mot cua ra soat thu tuc hanh chinh dang niem yet.",
    ]
    assert "quy III nam 2024\n\nNgay 15" in text  # the title block ends before the opening paragraph


def test_cli_parse_of_header_table_docx_and_tcvn3_text(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from nlp.cli import app

    (tmp_path / "bang.docx").write_bytes(header_table_docx(1))
    (tmp_path / "cu.txt").write_bytes(from_unicode(SOURCE, TCVN3).encode("latin-1"))  # an old 8-bit file
    for name, converted in (("bang.docx", None), ("cu.txt", TCVN3)):
        result = CliRunner().invoke(app, ["parse", str(tmp_path / name), "--json"])
        assert result.exit_code == 0, result.output
        out = json.loads(result.stdout)
        assert {k: out["document"][k] for k in HEADER} == HEADER
        assert out["document"]["source"]["converted_from"] == converted
        assert [d["path"] for d in out["directives"]] == ["1", "2", "3", "4"]
