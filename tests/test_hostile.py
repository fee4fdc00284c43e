"""Hostile and odd input files, each made here: every one gets a bound or a clear Vietnamese message.

Memory is bounded by measuring the peak RSS of a child process; time is never asserted here (speed
is measured in bench/: bench_html_depth.py, bench_ocr.py)."""
from __future__ import annotations

import io
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import docx
import pytest
from PIL import Image

from nlp.collect import collect
from nlp.ann.sync import index_lock
from nlp.ingest import Ingestor, ingest_paths
from nlp.normalize import looks_vietnamese
from nlp.parser import parse_notice
from nlp.readers import ReadError, read_bytes, read_document
from scans import scan_bytes

ROOT = Path(__file__).resolve().parents[1]
SOURCE = (ROOT / "tests" / "fixtures" / "tb_tan_lap.txt").read_text(encoding="utf-8")
GIB = 2**30


def _zip_bomb(path: Path, inflated: int = 2 * GIB) -> None:
    """A valid .docx whose word/document.xml inflates to `inflated` bytes (one paragraph, then blanks
    between elements, which XML allows and deflate packs 1,000 to 1: about 2 MB on disk)."""
    template = io.BytesIO()
    docx.Document().save(template)
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                zf.writestr(info, src.read(info))
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
                     b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                     b"<w:p><w:r><w:t>Thong bao ket luan.</w:t></w:r></w:p>")
            blanks = b" " * 2**20
            for _ in range(inflated // len(blanks)):
                fh.write(blanks)
            fh.write(b"</w:body></w:document>")


def _peak_rss_of(args: list[str]) -> tuple[subprocess.CompletedProcess, int]:
    """Run a command; return it and its own peak RSS (bytes).

    The command runs under a fresh interpreter that waits for it alone, so the peak is the command's and
    not the largest of every child this test process has had (RUSAGE_CHILDREN keeps the maximum)."""
    probe = ("import resource, subprocess, sys; "
             "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
             "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(p.returncode)")
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=300, cwd=ROOT)
    *lines, peak_kb = done.stderr.rstrip("\n").split("\n")
    done.stderr = "\n".join(lines)
    return done, int(peak_kb) * 1024


@pytest.mark.slow
def test_zip_bomb_docx_is_refused_without_inflating(tmp_path: Path) -> None:
    bomb = tmp_path / "bom.docx"
    _zip_bomb(bomb)
    assert bomb.stat().st_size < 3 * 2**20
    done, peak = _peak_rss_of([sys.executable, "-c", "from nlp.cli import app; app()", "parse", str(bomb)])
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "bom.docx: tệp DOCX bất thường: thành phần word/document.xml giải nén ra 2048" in done.stderr
    assert peak < GIB


def test_zip_part_that_lies_about_its_size(tmp_path: Path) -> None:
    """Sizes in the zip directory are checked; a part that inflates past its declared size fails its
    CRC check after the declared bytes, so the lie cannot cost memory either."""
    document = docx.Document()
    document.add_paragraph("Thông báo kết luận. " * 20000)
    buf = io.BytesIO()
    document.save(buf)
    data = bytearray(buf.getvalue())
    name = b"word/document.xml"
    central = -1
    while True:  # the central-directory entry of word/document.xml
        central = data.find(b"PK\x01\x02", central + 1)
        if data[central + 46 : central + 46 + len(name)] == name:
            break
    # declare 1,000 bytes in its local and central headers (it inflates to about 400 kB)
    local = struct.unpack_from("<I", data, central + 42)[0]
    struct.pack_into("<I", data, central + 24, 1000)
    struct.pack_into("<I", data, local + 22, 1000)
    with pytest.raises(ReadError, match=r"^noi-doi\.docx: tệp DOCX bị hỏng"):
        read_bytes(bytes(data), "noi-doi.docx")


def test_deep_html_is_read_or_refused_quickly() -> None:
    def nested(depth: int) -> bytes:
        return ("<html><body>" + "<div>" * depth + "<p>Thông báo kết luận về cải cách hành chính.</p>"
                + "</div>" * depth + "</body></html>").encode()

    assert read_bytes(nested(1500), "sau.html").text == "Thông báo kết luận về cải cách hành chính."
    with pytest.raises(ReadError, match=r"^rat-sau\.html: trang HTML lồng thẻ quá sâu"):
        read_bytes(nested(100_000), "rat-sau.html")


def test_arabic_is_not_vietnamese(tmp_path: Path) -> None:
    arabic = "\n".join(f"{i}. يجب على جميع الإدارات مراجعة الإجراءات الإدارية ونشرها على البوابة قبل نهاية الشهر"
                       for i in range(1, 20))
    assert not looks_vietnamese(arabic)
    notice = parse_notice(arabic)
    assert notice.language == "other" and notice.directives == []
    assert looks_vietnamese(SOURCE)
    for other in ("Всем отделам проверить административные процедуры до конца месяца, отчитаться.",
                  "所有部门必须在月底前审查行政程序并在门户网站上公布结果。所有部门必须在月底前审查。"):
        assert not looks_vietnamese(other)


def _odd_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A folder with a notice, a link inside, a link outside, a dangling link, a loop, a FIFO and a socket."""
    top, outside = tmp_path / "vao", tmp_path / "ngoai"
    (top / "con").mkdir(parents=True)
    outside.mkdir()
    (top / "tb.txt").write_text(SOURCE, encoding="utf-8")
    (outside / "khac.txt").write_text(SOURCE.replace("215/TB-UBND", "216/TB-UBND"), encoding="utf-8")
    (top / "con" / "ban-sao.txt").symlink_to(top / "tb.txt")
    (top / "ra-ngoai.txt").symlink_to(outside / "khac.txt")
    (top / "hong.txt").symlink_to(top / "khong-co.txt")
    (top / "con" / "vong").symlink_to(top)
    (top / "vong-tu-than.txt").symlink_to(top / "vong-tu-than.txt")
    os.mkfifo(top / "ong.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(top / "o-cam.sock"))
    sock.close()
    return top, outside


def test_odd_paths_are_reported_and_outside_links_not_followed(tmp_path: Path) -> None:
    top, _ = _odd_folder(tmp_path)
    found = collect([top])
    assert [p.name for p in found.files] == ["tb.txt"]  # con/ban-sao.txt is the same file
    reasons = {p.name: why for p, why in found.skipped}
    assert "liên kết trỏ ra ngoài thư mục" in reasons["ra-ngoai.txt"] and "--follow-links" in reasons["ra-ngoai.txt"]
    assert "liên kết hỏng" in reasons["hong.txt"]
    assert "vòng lặp" in reasons["vong-tu-than.txt"]
    assert "vòng lặp thư mục" in reasons["vong"]
    assert "FIFO" in reasons["ong.txt"] and "socket" in reasons["o-cam.sock"]
    assert [p.name for p in collect([top], follow_links=True).files] == ["ra-ngoai.txt", "tb.txt"]


def test_ingest_reports_each_skipped_path(tmp_path: Path) -> None:
    top, _ = _odd_folder(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", "from nlp.cli import app; app()", "ingest", str(top), "--data-dir",
         str(tmp_path / "data"), "--no-tag", "--json"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    by_name = {Path(f["name"]).name: f for f in report["files"]}
    assert by_name["tb.txt"]["status"] == "stored"
    assert {n for n, f in by_name.items() if f["status"] == "skipped"} == {
        "ra-ngoai.txt", "hong.txt", "vong-tu-than.txt", "vong", "ong.txt", "o-cam.sock"}


def test_file_over_its_time_budget_is_skipped_and_the_batch_goes_on(tmp_path: Path) -> None:
    slow = tmp_path / "a-quet.png"
    slow.write_bytes(scan_bytes(SOURCE, "PNG"))  # OCR of a full page takes seconds
    fast = tmp_path / "b-go.txt"
    fast.write_text(SOURCE, encoding="utf-8")
    report = ingest_paths([slow, fast], tmp_path / "data", time_budget=0.2)
    (first, second) = report.files
    assert first.status == "failed" and "a-quet.png: đọc và phân tích quá 0.2 giây" in first.reason
    assert second.status == "stored" and second.directives == 4
    free: list[bool] = []
    thread = threading.Thread(target=lambda: free.append(index_lock(tmp_path / "data", wait=False).__enter__()))
    thread.start()
    thread.join(10)
    assert free == [True]  # the index lock was released


def test_worker_reports_read_errors_and_keeps_serving(tmp_path: Path) -> None:
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"%PDF-1.4 rac")
    good = tmp_path / "tot.txt"
    good.write_text(SOURCE, encoding="utf-8")
    with Ingestor(tmp_path / "data") as ing:
        failed = ing.add_file(bad)
        stored = ing.add_file(good)
    assert failed.status == "failed" and failed.reason.startswith("hong.pdf: tệp PDF bị hỏng")
    assert stored.status == "stored"


def test_scan_of_300_pages_is_refused_before_any_ocr() -> None:
    blank = Image.new("L", (100, 140), 255)
    buf = io.BytesIO()
    blank.save(buf, "PDF", save_all=True, append_images=[blank] * 299)
    with pytest.raises(ReadError, match=r"^300-trang\.pdf: bản quét có 300 trang cần nhận dạng chữ \(OCR\), "
                                        r"vượt giới hạn 20 trang"):
        read_bytes(buf.getvalue(), "300-trang.pdf")


def test_password_pdf_and_html_named_doc(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="bimat", owner_password="chu", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(ReadError, match=r"^khoa\.pdf: tệp PDF được bảo vệ bằng mật khẩu"):
        read_bytes(buf.getvalue(), "khoa.pdf")
    fake = tmp_path / "thong-bao.doc"
    fake.write_text(f"<html><body><p>{SOURCE.split(chr(10) * 2)[5]}</p></body></html>", encoding="utf-8")
    result = read_document(fake)
    assert result.warnings == ["tệp .doc thực chất là trang web HTML, đã đọc theo định dạng đó"]


def test_html_with_too_many_elements_is_refused() -> None:
    page = ("<html><body><p>" + "<i>x</i>" * 150_000 + "</p></body></html>").encode()  # 1.2 MB
    with pytest.raises(ReadError, match=r"^the\.html: trang HTML có quá nhiều thẻ \(hơn 100\.000\)"):
        read_bytes(page, "the.html")


def test_pdf_page_limits() -> None:
    import pypdfium2 as pdfium
    from pypdf import PdfWriter

    from nlp.readers.ocr import OCR_PIXELS
    from nlp.readers.pdf import MAX_PAGES, _render

    writer = PdfWriter()
    for _ in range(MAX_PAGES + 1):
        writer.add_blank_page(100, 100)
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(ReadError, match=rf"^nhieu\.pdf: tệp PDF có {MAX_PAGES + 1} trang, vượt giới hạn"):
        read_bytes(buf.getvalue(), "nhieu.pdf")
    huge = PdfWriter()
    huge.add_blank_page(14_400, 14_400)  # 200 × 200 inches: 1.6 gigapixels at 200 dpi
    buf = io.BytesIO()
    huge.write(buf)
    pdf = pdfium.PdfDocument(buf.getvalue())
    image = _render(pdf, 0)
    pdf.close()
    assert image.width * image.height <= OCR_PIXELS
