"""PDF: the text layer of each page, with a blank line between text blocks; OCR for scanned pages.

Blocks are told apart by the baseline gap between lines (wider than the page's usual spacing) and
by changes of font size or weight, so a title that wraps over two lines ends where its block ends.
A page without a usable text layer is rendered and read by Tesseract (see ocr.py).
"""
from __future__ import annotations

import ctypes
import re
import statistics

from nlp.readers import ocr
from nlp.readers.base import Progress, ReadResult, err, reason

DPI = 200  # render resolution for OCR, chosen by measurement (docs/benchmarks.md)
MAX_PAGES = 2000
MIN_LETTERS = 20  # fewer letters on a page than this: not a usable text layer
_JUNK = re.compile(r"[\ufffd\ue000-\uf8ff\x00-\x08\x0e-\x1f]")


def read_pdf(data: bytes, name: str, progress: Progress | None = None) -> ReadResult:
    """Every page's text (or OCR), pages separated by a blank line."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise err(name, "tệp PDF được bảo vệ bằng mật khẩu, không đọc được") from None
        raise err(name, f"tệp PDF bị hỏng hoặc không đọc được ({reason(exc)})") from None
    count = len(pdf)
    if count > MAX_PAGES:
        pdf.close()
        raise err(name, f"tệp PDF có {count} trang, vượt giới hạn {MAX_PAGES} trang mỗi tệp; hãy tách tệp")
    try:
        pages: list[str | None] = []
        for index in range(len(pdf)):
            page = pdf[index]
            text = _page_text(page)
            pages.append(text if _usable(text) else None)
            page.close()
        scanned = [i for i, t in enumerate(pages) if t is None]
        if len(scanned) > ocr.MAX_OCR_PAGES:
            raise ocr.too_many_pages(name, len(scanned))
        if scanned:
            images = (_render(pdf, i) for i in scanned)
            for i, text in zip(scanned, ocr.ocr_pages(images, name, len(scanned), progress)):
                pages[i] = text
    except pdfium.PdfiumError as exc:
        raise err(name, f"tệp PDF bị hỏng hoặc không đọc được ({reason(exc)})") from None
    finally:
        pdf.close()
    text = "\n\n".join(t.strip() for t in pages if t and t.strip())
    if not text:
        what = "kể cả sau khi nhận dạng chữ (OCR)" if scanned else ""
        raise err(name, f"tệp PDF không có chữ nào đọc được {what}".strip())
    return ReadResult(text, "pdf", pages=len(pages), ocr_pages=len(scanned))


def _usable(text: str) -> bool:
    letters = sum(c.isalpha() for c in text)
    return letters >= MIN_LETTERS and len(_JUNK.findall(text)) <= 0.1 * max(len(text), 1)


def _render(pdf, index: int):  # noqa: ANN001, ANN202 - pdfium.PdfDocument -> PIL.Image.Image
    page = pdf[index]
    try:
        width, height = page.get_size()  # points
        scale = min(DPI / 72, 0.99 * (ocr.OCR_PIXELS / max(width * height, 1.0)) ** 0.5)  # a huge page is not 1 GB
        return page.render(scale=scale, grayscale=True).to_pil()
    finally:
        page.close()


def _page_text(page) -> str:  # noqa: ANN001 - pdfium.PdfPage
    """The page's lines, a blank line where a new block starts."""
    import pypdfium2 as pdfium

    textpage = page.get_textpage()
    try:
        raw = textpage.get_text_range()
        lines: list[tuple[str, float, float, int]] = []  # text, baseline y, font size, weight
        start = 0
        separator = "\r\n" if "\r\n" in raw else "\n"  # pdfium's generated line ends count as characters
        for line in raw.split(separator):
            first = next((start + k for k, c in enumerate(line) if not c.isspace()), None)
            if first is not None:
                x, y = ctypes.c_double(), ctypes.c_double()
                pdfium.raw.FPDFText_GetCharOrigin(textpage.raw, first, x, y)
                size = pdfium.raw.FPDFText_GetFontSize(textpage.raw, first)
                weight = pdfium.raw.FPDFText_GetFontWeight(textpage.raw, first)
                lines.append((line.strip(), y.value, size, weight))
            start += len(line) + len(separator)
    finally:
        textpage.close()
    return _blocks(lines)


def _blocks(lines: list[tuple[str, float, float, int]]) -> str:
    gaps = [a[1] - b[1] for a, b in zip(lines, lines[1:]) if a[1] - b[1] > 0]
    usual = statistics.median(gaps) if gaps else 0.0
    out: list[str] = []
    for previous, line in zip([None, *lines], lines):
        if previous is not None:
            gap = previous[1] - line[1]
            size = max(previous[2], line[2], 1.0)
            new_block = (
                gap > 1.25 * usual + 0.5
                or gap < -0.5 * size  # moved up: another column or a text box
                or abs(previous[2] - line[2]) > 0.1 * size
                or (previous[3] >= 600) != (line[3] >= 600)
            )
            if new_block:
                out.append("")
        out.append(line[0])
    return "\n".join(out)
