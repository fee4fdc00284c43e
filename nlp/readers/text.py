"""Plain text (.txt, .md): UTF-8 or UTF-16, or a legacy Vietnamese 8-bit encoding (TCVN3, VNI)."""
from __future__ import annotations

import codecs
import re

from nlp import legacy_encoding
from nlp.readers.base import ReadResult, err

_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _utf16_without_bom(data: bytes) -> str | None:
    """Guess BOM-less UTF-16 from where the NUL bytes sit (high bytes of ASCII/Latin letters)."""
    sample = data[:8192]
    pairs = len(sample) // 2
    if pairs == 0 or len(data) % 2:
        return None
    even = sample[0 : 2 * pairs : 2].count(0) / pairs
    odd = sample[1 : 2 * pairs : 2].count(0) / pairs
    if odd >= 0.3 and even <= odd / 4:
        return "utf-16-le"
    if even >= 0.3 and odd <= even / 4:
        return "utf-16-be"
    return None


def read_text(data: bytes, name: str, fmt: str) -> ReadResult:
    """Decode UTF-8 (BOM optional) or UTF-16; bytes that are not UTF-8 may be TCVN3 or VNI."""
    binary = err(name, "tệp nhị phân, không phải văn bản")
    if data.startswith(codecs.BOM_UTF8):
        encoding: str | None = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in data:
        encoding = _utf16_without_bom(data)
        if encoding is None:
            raise binary
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding.startswith("utf-16") and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise binary from None
        if len(_BINARY_BYTES.findall(data)) > 0.05 * len(data):
            raise binary from None
        legacy = data.decode("latin-1")  # TCVN3 and VNI fonts draw Vietnamese over Latin-1 codes
        found = legacy_encoding.detect(legacy)
        if found is None:
            raise err(
                name,
                f"không phải văn bản UTF-8/UTF-16 (lỗi mã hóa tại byte {exc.start}); "
                "hãy lưu lại tệp với mã hóa UTF-8",
            ) from None
        return ReadResult(legacy_encoding.to_unicode(legacy, found), fmt, converted_from=found)
    if "\x00" in text or len(_CONTROL_CHARS.findall(text)) > 0.05 * len(text):
        raise binary
    return ReadResult(text, fmt)
