"""What every reader shares: the error type, the result record and message helpers."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Called as progress(done, total) after each OCR'd page.
Progress = Callable[[int, int], None]


class ReadError(Exception):
    """A file that cannot be read; message in Vietnamese and names the file."""


@dataclass
class ReadResult:
    """A document read into normalised text, with how it was read."""

    text: str
    format: str  # the suffix without its dot: "pdf", "docx", "png", …
    pages: int = 0  # pages of a PDF or TIFF (0 when the format has no pages)
    ocr_pages: int = 0  # pages read by OCR
    converted_from: str | None = None  # "TCVN3" or "VNI" when the text was converted to Unicode
    warnings: list[str] = field(default_factory=list)  # Vietnamese, for the user

    @property
    def ocr(self) -> bool:
        return self.ocr_pages > 0

    def notes(self) -> list[str]:
        """Vietnamese notes for a report: OCR, encoding conversion, warnings."""
        out = []
        if self.ocr_pages:
            out.append(f"đã nhận dạng chữ (OCR) {self.ocr_pages} trang")
        if self.converted_from:
            out.append(f"đã chuyển mã {self.converted_from} → Unicode")
        return out + self.warnings

    def source(self) -> dict[str, Any]:
        """How the document was read, for `Notice.source`."""
        return {"format": self.format, "ocr": self.ocr, "ocr_pages": self.ocr_pages,
                "converted_from": self.converted_from, "warnings": list(self.warnings)}


def err(name: str, message: str) -> ReadError:
    return ReadError(f"{name}: {message}")


def reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def mb(size: int) -> str:
    """A size in MB with a decimal comma, as Vietnamese writes it."""
    return f"{size / 2**20:.1f}".replace(".", ",") + " MB"
