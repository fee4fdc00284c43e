"""OCR with the real Tesseract (Vietnamese) on scans made here: a notice written by the team,
rendered with DejaVu, rotated and sprinkled with noise (tests/scans.py)."""
from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from nlp.cli import app
from nlp.parser import parse_notice
from nlp.readers import ReadError, read_bytes, read_document
from nlp.readers.ocr import MAX_OCR_PAGES
from scans import char_accuracy, render_pages, scan_bytes, scan_pdf

SOURCE = (Path(__file__).resolve().parent / "fixtures" / "tb_tan_lap.txt").read_text(encoding="utf-8")
HEADER = {"doc_number": "215/TB-UBND", "issue_date": "2024-10-18", "issuer": "UBND xã Tân Lập",
          "locality": "Tân Lập"}


def test_png_scan_is_read_with_accuracy() -> None:
    assert len(render_pages(SOURCE, points=9)) == 1  # the whole notice on one page
    result = read_bytes(scan_bytes(SOURCE, "PNG", angle=2.0, noise=0.02, points=9), "quet.png")
    assert result.ocr and result.ocr_pages == 1 and result.format == "png"
    assert "đã nhận dạng chữ (OCR) 1 trang" in result.notes()
    assert char_accuracy(result.text, SOURCE) >= 0.95


@pytest.mark.slow
def test_scanned_pdf_parses_like_the_typed_notice(tmp_path: Path) -> None:
    path = tmp_path / "ban_quet.pdf"
    path.write_bytes(scan_pdf(SOURCE, angle=-1.5, noise=0.02))  # two pages, no text layer
    pages: list[tuple[int, int]] = []
    result = read_document(path, progress=lambda done, total: pages.append((done, total)))
    assert (result.pages, result.ocr_pages, pages) == (2, 2, [(1, 2), (2, 2)])
    assert char_accuracy(result.text, SOURCE) >= 0.95
    notice = parse_notice(result.text)
    assert {k: getattr(notice, k) for k in HEADER} == HEADER
    assert [d.path for d in notice.directives] == ["1", "2", "3", "4"]
    cli = CliRunner().invoke(app, ["parse", str(path), "--json"])
    assert cli.exit_code == 0, cli.output
    out = json.loads(cli.stdout)
    assert out["document"]["source"] == {"format": "pdf", "ocr": True, "ocr_pages": 2, "converted_from": None,
                                         "warnings": []}
    assert out["document"]["doc_number"] == "215/TB-UBND"


@pytest.mark.slow
def test_multipage_tiff_and_jpeg() -> None:
    tiff = read_bytes(scan_bytes(SOURCE, "TIFF", dpi=200, angle=1.0, noise=0.01), "quet.tif")
    assert tiff.ocr_pages == 2 and char_accuracy(tiff.text, SOURCE) >= 0.95
    jpeg = read_bytes(scan_bytes(SOURCE, "JPEG", dpi=200, angle=0.5, noise=0.005, points=9), "anh.jpg")
    assert jpeg.ocr_pages == 1 and char_accuracy(jpeg.text, SOURCE) >= 0.95


def test_image_that_is_not_a_document() -> None:
    rng = random.Random(7)
    photo = Image.new("RGB", (800, 600))
    photo.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(800 * 600)])
    buf = io.BytesIO()
    photo.save(buf, "PNG")
    with pytest.raises(ReadError, match=r"^anh\.png: ảnh không chứa văn bản đọc được"):
        read_bytes(buf.getvalue(), "anh.png")


def test_too_many_scanned_pages_is_refused_before_ocr() -> None:
    blank = Image.new("L", (200, 280), 255)
    buf = io.BytesIO()
    blank.save(buf, "PDF", save_all=True, append_images=[blank] * MAX_OCR_PAGES)
    with pytest.raises(ReadError, match=rf"có {MAX_OCR_PAGES + 1} trang cần nhận dạng chữ \(OCR\), vượt giới hạn"):
        read_bytes(buf.getvalue(), "dai.pdf")


def test_corrupt_and_oversized_images() -> None:
    with pytest.raises(ReadError, match=r"^hong\.jpg: tệp ảnh bị hỏng"):
        read_bytes(b"\xff\xd8\xff\xe0 not really a jpeg", "hong.jpg")
    buf = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buf, "PNG")  # 100 megapixels in a few kB
    with pytest.raises(ReadError, match=r"^to\.png: ảnh quá lớn"):
        read_bytes(buf.getvalue(), "to.png")
