"""Tests for nlp.readers: every fixture is built in tmp_path (no binary files in the repo)."""
from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from nlp.normalize import normalize_inline
from nlp.readers import MAX_BYTES, SUPPORTED_SUFFIXES, ReadError, read_bytes, read_document

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "notices"
VI = "Thông báo kết luận về công tác cải cách hành chính năm 2023."


def make_pdf(pages: list[str]) -> bytes:
    """A minimal valid PDF: one Helvetica text line per page ("" gives a page without text)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{4 + 2 * i} 0 R' for i in range(len(pages)))}] "
        f"/Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() if text else b""
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
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


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def read_error(path: Path) -> str:
    with pytest.raises(ReadError) as info:
        read_document(path)
    message = str(info.value)
    assert message.startswith(f"{path.name}: ")
    return message


# --- plain text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        VI.encode("utf-8"),
        b"\xef\xbb\xbf" + VI.encode("utf-8"),
        VI.encode("utf-16"),  # with BOM
        b"\xfe\xff" + VI.encode("utf-16-be"),
        VI.encode("utf-16-le"),  # no BOM: detected from the NUL pattern
        VI.encode("utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16be-bom", "utf16le-nobom", "utf16be-nobom"],
)
def test_text_encodings(tmp_path: Path, data: bytes) -> None:
    assert read_document(write(tmp_path, "tb.txt", data)).text == VI


def test_markdown_and_uppercase_suffix(tmp_path: Path) -> None:
    assert read_document(write(tmp_path, "TB.MD", f"# Tiêu đề\n\n{VI}")).text == f"Tiêu đề\n\n{VI}"


def test_normalisation_applied(tmp_path: Path) -> None:
    """Markdown and hard line breaks go; the writer's tone-mark placement stays (matching reads it the modern way)."""
    text = read_document(write(tmp_path, "tb.txt", "**Kết luận**: giữ hoà khí, uỷ ban\nnhân dân huyện.")).text
    assert text == "Kết luận: giữ hoà khí, uỷ ban nhân dân huyện."
    assert normalize_inline(text) == "Kết luận: giữ hòa khí, ủy ban nhân dân huyện."


def test_read_bytes_matches_read_document(tmp_path: Path) -> None:
    data = f"{VI}\n\nMục hai.".encode()
    assert read_bytes(data, "tb.txt") == read_document(write(tmp_path, "tb.txt", data))
    with pytest.raises(ReadError, match=r"^tb\.txt: "):
        read_bytes(b"Th\xf4ng b\xe1o", "C:/uploads/tb.txt".split("/")[-1])


def test_undecodable_bytes(tmp_path: Path) -> None:
    message = read_error(write(tmp_path, "cu.txt", "Thông báo kết luận".encode("latin-1", "replace")))
    assert "mã hóa" in message and "UTF-8" in message


@pytest.mark.parametrize("data", [b"", b"  \n\t \r\n", b"\xef\xbb\xbf", "\ufeff\u200b \n".encode()])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    assert "tệp rỗng" in read_error(write(tmp_path, "rong.txt", data))


@pytest.mark.parametrize("data", [bytes(range(256)) * 8, b"\x01\x02\x03\x04\x05abc" * 200])
def test_binary_file(tmp_path: Path, data: bytes) -> None:
    assert "tệp nhị phân" in read_error(write(tmp_path, "anh.txt", data))


def test_docx_renamed_to_txt_is_binary(tmp_path: Path) -> None:
    buf = io.BytesIO()
    docx.Document().save(buf)
    assert "tệp nhị phân" in read_error(write(tmp_path, "nham.txt", buf.getvalue()))


def test_too_large_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lon.pdf"
    with path.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: nothing is written

    def boom(*_args: object, **_kwargs: object) -> bytes:
        raise AssertionError("file content must not be read")

    monkeypatch.setattr(Path, "read_bytes", boom)
    monkeypatch.setattr(Path, "open", boom)
    message = read_error(path)
    assert "quá lớn" in message and "20,0 MB" in message and "20 MB" in message
    with pytest.raises(ReadError, match="quá lớn"):
        read_bytes(bytes(MAX_BYTES + 1), "lon.txt")


# --- file system and formats --------------------------------------------------------------------


def test_unknown_suffix(tmp_path: Path) -> None:
    message = read_error(write(tmp_path, "bang.xlsx", b"PK\x03\x04"))
    assert "không được hỗ trợ" in message
    assert all(s in message for s in SUPPORTED_SUFFIXES)
    assert "không có phần mở rộng" in read_error(write(tmp_path, "README", VI))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "không tìm thấy" in read_error(tmp_path / "khong-co.txt")
    assert "thư mục" in read_error(tmp_path)


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "kin.txt", VI)

    def denied(*_args: object, **_kwargs: object) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)  # chmod does not stop root
    assert "quyền" in read_error(path)


@pytest.mark.parametrize("suffix", SUPPORTED_SUFFIXES)
def test_garbage_never_escapes_as_raw_exception(suffix: str) -> None:
    rng = random.Random(suffix)
    for size in (1, 7, 100, 5000):
        data = bytes(rng.randrange(256) for _ in range(size))
        try:
            read_bytes(data, f"rac{suffix}")
        except ReadError as exc:
            assert str(exc).startswith(f"rac{suffix}: ")


# --- DOCX ---------------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_in_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("THÔNG BÁO")
    document.add_paragraph("Kết luận của Chủ tịch UBND huyện về công tác CCHC, hoà nhập chuyển đổi số.")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["STT", "Nội dung", "Đơn vị thực hiện"]):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["1", "Rà soát thủ tục hành chính", "Phòng Nội vụ"]):
        cell.text = text
    merged = document.add_table(rows=1, cols=2)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "Ô gộp"
    document.add_paragraph("Nơi nhận: như trên.")
    document.save(tmp_path / "tb.docx")

    text = read_document(tmp_path / "tb.docx").text
    assert text.split("\n\n") == [
        "THÔNG BÁO",
        "Kết luận của Chủ tịch UBND huyện về công tác CCHC, hoà nhập chuyển đổi số.",
        "STT | Nội dung | Đơn vị thực hiện",
        "1 | Rà soát thủ tục hành chính | Phòng Nội vụ",
        "Ô gộp",
        "Nơi nhận: như trên.",
    ]


def test_empty_docx(tmp_path: Path) -> None:
    docx.Document().save(tmp_path / "rong.docx")
    assert "tệp rỗng" in read_error(tmp_path / "rong.docx")


def test_corrupt_docx(tmp_path: Path) -> None:
    assert "DOCX bị hỏng" in read_error(write(tmp_path, "hong.docx", b"PK\x03\x04 not a zip at all"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "no word parts here")
    assert "DOCX bị hỏng" in read_error(write(tmp_path, "thieu.docx", buf.getvalue()))


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_pages_joined(tmp_path: Path) -> None:
    data = make_pdf(["Thong bao ket luan cuoc hop.", "Trang hai: giao Phong Noi vu."])
    text = read_document(write(tmp_path, "tb.pdf", data)).text
    assert text == "Thong bao ket luan cuoc hop.\n\nTrang hai: giao Phong Noi vu."


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    assert "OCR" in read_error(write(tmp_path, "quet.pdf", make_pdf([""])))


def test_corrupt_pdf(tmp_path: Path) -> None:
    assert "PDF bị hỏng" in read_error(write(tmp_path, "hong.pdf", b"%PDF-1.4\nrubbish"))
    truncated = make_pdf(["Mot trang."])[:150]
    assert "PDF" in read_error(write(tmp_path, "cut.pdf", truncated))


def _encrypted_pdf(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Noi dung mat."]))))
    writer.encrypt(user_password=user_password, owner_password="chu", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_encrypted_pdf(tmp_path: Path) -> None:
    assert "mật khẩu" in read_error(write(tmp_path, "khoa.pdf", _encrypted_pdf("bimat")))
    # an empty user password only restricts permissions: readable
    assert read_document(write(tmp_path, "mo.pdf", _encrypted_pdf(""))).text == "Noi dung mat."


# --- HTML ---------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Cổng TTĐT huyện</title>
<style>.x {color: red}</style></head><body class="has-sidebar">
<header><div class="logo">Cổng thông tin điện tử huyện Ngân Sơn</div></header>
<nav><ul><li>Trang chủ</li><li>Giới thiệu</li></ul></nav>
<div class="breadcrumb">Trang chủ › Tin tức</div>
<div id="content">
  <div class="box-font-size">Cỡ chữ: A- A A+</div>
  <h1>Thông báo kết luận về cải cách hành chính</h1>
  <p>Ngày 05 tháng 4 năm 2023, Chủ tịch UBND huyện
     chủ trì cuộc họp về công tác CCHC.</p>
  <p>1. Các cơ quan **khẩn trương** rà soát thủ tục hành chính, hoà nhập chuyển đổi số.</p>
  <table><tr><th>STT</th><th>Nội dung</th></tr><tr><td>1</td><td><p>Rà soát TTHC</p></td></tr></table>
  <div class="social-share">Chia sẻ Facebook Zalo</div>
  <h3>Tin liên quan</h3>
  <ul><li><a href="#">Hội nghị triển khai nhiệm vụ năm 2024</a></li></ul>
</div>
<div class="tin-lien-quan"><p>Tin cũ về chuyển đổi số</p></div>
<aside><p>Lịch công tác tuần</p></aside>
<form><input name="q"> Tìm kiếm</form>
<script>var x = "mã script";</script>
<footer>Bản quyền thuộc UBND huyện Ngân Sơn</footer>
</body></html>"""


def test_html_main_text(tmp_path: Path) -> None:
    text = read_document(write(tmp_path, "tb.html", PAGE)).text
    assert text.split("\n\n") == [
        "Thông báo kết luận về cải cách hành chính",
        "Ngày 05 tháng 4 năm 2023, Chủ tịch UBND huyện chủ trì cuộc họp về công tác CCHC.",
        "1. Các cơ quan khẩn trương rà soát thủ tục hành chính, hoà nhập chuyển đổi số.",
        "STT | Nội dung",
        "1 | Rà soát TTHC",
    ]


def test_html_prefers_article_and_numbers_ordered_lists(tmp_path: Path) -> None:
    page = """<html><body><div class="col"><article><p>Tin ngắn bên lề.</p></article></div>
    <article><h2>Kết luận</h2><p>Nội dung chính của thông báo kết luận cuộc họp.</p>
    <ol><li>Rà soát thủ tục.</li><li>Công khai kết quả.</li></ol></article>
    <div><p>Đoạn ngoài bài viết.</p></div></body></html>"""
    assert read_document(write(tmp_path, "a.htm", page)).text.split("\n\n") == [
        "Kết luận",
        "Nội dung chính của thông báo kết luận cuộc họp.",
        "1. Rà soát thủ tục.",
        "2. Công khai kết quả.",
    ]


def test_html_without_paragraphs_keeps_noisy_wrapper(tmp_path: Path) -> None:
    page = """<html><body><div class="page-with-sidebar"><div class="menu">Trang chủ</div>
    <div>Thông báo kết luận cuộc họp giao ban về cải cách hành chính tháng 5.</div></div></body></html>"""
    text = read_document(write(tmp_path, "b.html", page)).text
    assert text == "Thông báo kết luận cuộc họp giao ban về cải cách hành chính tháng 5."


def test_html_declared_charset(tmp_path: Path) -> None:
    # legacy Vietnamese pages: windows-1258 with combining tone marks ("ô" + U+0301), NFC afterwards
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
    page += "</head><body><p>Thông báo sô\u0301 5.</p></body></html>"
    assert read_document(write(tmp_path, "cp.html", page.encode("cp1258"))).text == "Thông báo số 5."


def test_html_undecodable(tmp_path: Path) -> None:
    message = read_error(write(tmp_path, "x.html", "<p>Thông báo</p>".encode("latin-1")))
    assert "mã hóa" in message


def test_html_without_text(tmp_path: Path) -> None:
    assert "tệp rỗng" in read_error(write(tmp_path, "x.html", "<html><body><nav>Menu</nav></body></html>"))


# --- corpus -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*")), ids=lambda p: p.name)
def test_corpus_notices_readable(path: Path) -> None:
    text = read_document(path).text
    assert len(text) > 100 and "\n\n" in text
