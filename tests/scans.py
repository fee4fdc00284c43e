"""Make scans for the OCR tests and bench: a text rendered with DejaVu (it has Vietnamese glyphs),
then degraded like a scanner would (rotation, noise, grey paper)."""
from __future__ import annotations

import io
import random
import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
A4_INCHES = (8.27, 11.69)


def render_pages(text: str, dpi: int = 300, points: float = 12.0) -> list[Image.Image]:
    """The text on A4 pages (2.5 cm margins), wrapped to the width, paragraphs kept."""
    font = ImageFont.truetype(str(FONT), round(points * dpi / 72))
    width, height = (round(x * dpi) for x in A4_INCHES)
    margin = round(dpi / 2.54 * 2.5)
    line_height = round(font.size * 1.45)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words, current = paragraph.split(), ""
        for word in words:
            candidate = f"{current} {word}".strip()
            if font.getlength(candidate) <= width - 2 * margin:
                current = candidate
            else:
                lines.append(current)
                current = word
        lines.append(current)
    pages, y, page = [], margin, None
    for line in lines:
        if page is None or y + line_height > height - margin:
            page = Image.new("L", (width, height), 255)
            pages.append(page)
            y = margin
        ImageDraw.Draw(page).text((margin, y), line, font=font, fill=0)
        y += line_height
    return pages


def degrade(page: Image.Image, angle: float = 1.5, noise: float = 0.02, seed: int = 0) -> Image.Image:
    """Rotate by `angle` degrees, blur slightly, grey the paper and sprinkle `noise` of the pixels."""
    rng = random.Random(seed)
    out = page.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    out = out.filter(ImageFilter.GaussianBlur(0.6))
    out = out.point(lambda v: 30 + v * 200 // 255)  # grey paper, grey ink
    pixels = out.load()
    w, h = out.size
    for _ in range(int(noise * w * h)):
        pixels[rng.randrange(w), rng.randrange(h)] = rng.choice((0, 255))
    return out


def scan_bytes(text: str, fmt: str = "PNG", dpi: int = 300, angle: float = 1.5, noise: float = 0.02,
               points: float = 12.0) -> bytes:
    """A scan of `text` as image file bytes: its first page, or every page in a TIFF."""
    pages = [degrade(p, angle, noise, seed=i) for i, p in enumerate(render_pages(text, dpi, points))]
    buf = io.BytesIO()
    if fmt == "TIFF" and len(pages) > 1:
        pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    else:
        pages[0].save(buf, fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return buf.getvalue()


def scan_pdf(text: str, dpi: int = 300, angle: float = 1.5, noise: float = 0.02) -> bytes:
    """A PDF of scanned pages: images only, no text layer."""
    pages = [degrade(p, angle, noise, seed=i).convert("RGB") for i, p in enumerate(render_pages(text, dpi))]
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return buf.getvalue()


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def char_accuracy(ocr: str, source: str) -> float:
    """1 - Levenshtein distance / length of the source, on whitespace-collapsed NFC text."""
    a, b = _flat(ocr), _flat(source)
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1 - previous[-1] / max(len(b), 1)
