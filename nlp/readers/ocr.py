"""OCR with Tesseract in Vietnamese: image files (.png, .jpg, .tif) and PDF pages without text.

Pages are deskewed (a projection-profile search over small angles), then read by Tesseract; its
paragraphs become paragraphs of the text. A page limit keeps one long scan from holding a batch.
"""
from __future__ import annotations

import io
import os
import re
import warnings
from collections.abc import Iterable

from nlp.readers.base import Progress, ReadError, ReadResult, err, reason

LANG = "vie"
MAX_OCR_PAGES = int(os.environ.get("CCHC_OCR_MAX_PAGES", "20"))
MAX_PIXELS = 60_000_000  # larger images are refused (an A4 page at 600 dpi is 35 megapixels)
OCR_PIXELS = 12_000_000  # larger pages are scaled down to this before OCR (A4 at 350 dpi): bounds memory
PAGE_TIMEOUT = 120  # seconds of Tesseract per page
MIN_WORDS = 5  # confident words below which an image is "not a document"
MIN_CONFIDENCE = 60
DESKEW_MAX = 5.0  # degrees searched either way
DESKEW_STEP = 0.25
DESKEW = True
DENOISE = True  # a 3x3 median filter: removes speckle (scanner dust) before Tesseract binarises


def _check_tesseract(name: str) -> None:
    import pytesseract

    try:
        languages = pytesseract.get_languages()
    except (pytesseract.TesseractNotFoundError, OSError):
        raise err(name, "cần nhận dạng chữ (OCR) nhưng máy chưa cài Tesseract (gói tesseract-ocr, "
                        "tesseract-ocr-vie); chạy `make dev` hoặc cài hai gói này") from None
    if LANG not in languages:
        raise err(name, "cần nhận dạng chữ (OCR) nhưng Tesseract chưa có dữ liệu tiếng Việt "
                        "(gói tesseract-ocr-vie)")


def too_many_pages(name: str, pages: int) -> ReadError:
    return err(name, f"bản quét có {pages} trang cần nhận dạng chữ (OCR), vượt giới hạn {MAX_OCR_PAGES} trang "
                     "mỗi tệp; hãy tách tệp thành các phần nhỏ hơn (hoặc đặt CCHC_OCR_MAX_PAGES)")


def deskew_angle(image) -> float:  # noqa: ANN001 - PIL.Image.Image in mode "L"
    """The rotation (degrees) that makes text lines horizontal: rows of a page whose lines are level
    alternate between ink and paper, so the row sums vary most."""
    import numpy as np
    from PIL import Image

    small = image.copy()
    small.thumbnail((1000, 1000))
    ink = Image.eval(small, lambda v: 255 if v < 128 else 0)
    best, best_score = 0.0, -1.0
    steps = int(DESKEW_MAX / DESKEW_STEP)
    for k in range(-steps, steps + 1):
        angle = k * DESKEW_STEP
        rows = np.asarray(ink.rotate(angle, resample=Image.NEAREST, expand=False), dtype=np.float32).sum(axis=1)
        score = float(np.square(np.diff(rows)).sum())
        if score > best_score:
            best, best_score = angle, score
    return best


def ocr_page(image, name: str) -> tuple[str, int]:  # noqa: ANN001 - PIL.Image.Image
    """(text with Tesseract's paragraphs as blank-line separated blocks, confident word count)."""
    import pytesseract
    from PIL import Image

    from PIL import ImageFilter

    gray = image.convert("L")
    if gray.width * gray.height > OCR_PIXELS:
        factor = (OCR_PIXELS / (gray.width * gray.height)) ** 0.5
        gray = gray.resize((int(gray.width * factor), int(gray.height * factor)), Image.LANCZOS)
    if DENOISE:
        gray = gray.filter(ImageFilter.MedianFilter(3))
    angle = deskew_angle(gray) if DESKEW else 0.0
    if angle:
        gray = gray.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    try:
        data = pytesseract.image_to_data(gray, lang=LANG, config="--psm 3", timeout=PAGE_TIMEOUT,
                                         output_type=pytesseract.Output.DICT)
    except RuntimeError as exc:  # pytesseract's timeout
        raise err(name, f"nhận dạng chữ (OCR) một trang quá {PAGE_TIMEOUT} giây, dừng ({exc})") from None
    except pytesseract.TesseractError as exc:
        raise err(name, f"Tesseract không nhận dạng được ảnh ({reason(exc)})") from None
    paragraphs: dict[tuple[int, int], list[list[str]]] = {}
    lines: dict[tuple[int, int, int], list[str]] = {}
    confident = 0
    for i, word in enumerate(data["text"]):
        word = word.strip()
        if not word:
            continue
        key = (data["block_num"][i], data["par_num"][i])
        line = lines.get((*key, data["line_num"][i]))
        if line is None:
            line = lines[(*key, data["line_num"][i])] = []
            paragraphs.setdefault(key, []).append(line)
        line.append(word)
        if float(data["conf"][i]) >= MIN_CONFIDENCE and re.search(r"\w\w", word):
            confident += 1
    text = "\n\n".join("\n".join(" ".join(ln) for ln in par) for par in paragraphs.values())
    return text, confident


def ocr_pages(images: Iterable, name: str, total: int, progress: Progress | None = None) -> list[str]:
    """OCR each image (PIL), calling progress(done, total) after each page."""
    _check_tesseract(name)
    out = []
    for done, image in enumerate(images, 1):
        text, _ = ocr_page(image, name)
        out.append(text)
        if progress is not None:
            progress(done, total)
    return out


def read_image(data: bytes, name: str, fmt: str, progress: Progress | None = None) -> ReadResult:
    """An image file (one page, or every page of a multi-page TIFF)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():  # a huge image is refused below, with our own message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        width, height = image.size
        frames = getattr(image, "n_frames", 1)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise err(name, f"tệp ảnh bị hỏng hoặc không đọc được ({reason(exc)})") from None
    if width * height > MAX_PIXELS:
        raise err(name, f"ảnh quá lớn ({width}×{height} điểm ảnh; tối đa {MAX_PIXELS // 1_000_000} triệu điểm)")
    if frames > MAX_OCR_PAGES:
        raise too_many_pages(name, frames)
    _check_tesseract(name)
    texts, confident = [], 0
    for index in range(frames):
        try:
            image.seek(index)
            page = image.convert("RGB") if image.mode not in ("L", "RGB") else image.copy()
        except (OSError, ValueError) as exc:
            raise err(name, f"tệp ảnh bị hỏng hoặc không đọc được ({reason(exc)})") from None
        text, words = ocr_page(page, name)
        texts.append(text)
        confident += words
        if progress is not None:
            progress(index + 1, frames)
    if confident < MIN_WORDS:
        raise err(name, "ảnh không chứa văn bản đọc được (nhận dạng chữ không tìm thấy đủ chữ); "
                        "có thể đây không phải ảnh chụp hoặc bản quét văn bản")
    return ReadResult("\n\n".join(texts), fmt, pages=frames if frames > 1 else 0, ocr_pages=frames)
