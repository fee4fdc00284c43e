"""Refuse zip bombs before a zip-based document (.docx) is parsed: nothing is inflated here."""
from __future__ import annotations

import io
import zipfile

from nlp.readers.base import err, mb

MAX_PART = 32 * 2**20  # uncompressed bytes of one part: python-docx needs ~23x an XML part in memory
MAX_TOTAL = 64 * 2**20  # uncompressed bytes of all parts (word/document.xml of a 300-page notice is ~5 MB)
MAX_RATIO = 100  # uncompressed / compressed, checked on parts above RATIO_FROM (Word XML is ~5-20)
RATIO_FROM = 2**20
MAX_PARTS = 10_000


def check_zip(data: bytes, name: str, kind: str) -> None:
    """Raise a ReadError if any part of the archive would inflate too far.

    The sizes come from the central directory; Python's zipfile never inflates a part past its
    declared size (a part that lies fails its CRC check), so checking them bounds the memory.
    """
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise err(name, f"tệp {kind} bị hỏng hoặc không đọc được (không phải tệp zip hợp lệ: {exc})") from None
    if len(infos) > MAX_PARTS:
        raise err(name, f"tệp {kind} có quá nhiều thành phần ({len(infos)}; tối đa {MAX_PARTS})")
    total = 0
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_PART or (info.file_size > RATIO_FROM and ratio > MAX_RATIO):
            raise err(
                name,
                f"tệp {kind} bất thường: thành phần {info.filename} giải nén ra {mb(info.file_size)} "
                f"(nén {ratio:.0f} lần; tối đa {mb(MAX_PART)} và {MAX_RATIO} lần) — có thể là tệp "
                "\"bom nén\", không đọc",
            )
        total += info.file_size
    if total > MAX_TOTAL:
        raise err(name, f"tệp {kind} giải nén ra {mb(total)}, vượt giới hạn {mb(MAX_TOTAL)}; không đọc")
