"""Read notices from files into normalised text: .txt/.md, .docx, .doc, .pdf, .html and images.

`read_document` (a path) and `read_bytes` (an upload) are the only entry points; they return a
`ReadResult` (the text and how it was read: OCR, encoding conversion, warnings). Every failure on
bad input becomes a `ReadError` whose Vietnamese message starts with the file name.
"""
from __future__ import annotations

import stat
from pathlib import Path, PurePath

from nlp import legacy_encoding
from nlp.normalize import normalize_text
from nlp.readers.base import Progress, ReadError, ReadResult, err, mb, reason

__all__ = ["IMAGE_SUFFIXES", "MAX_BYTES", "SUPPORTED_SUFFIXES", "ReadError", "ReadResult", "read_bytes",
           "read_document"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".doc", ".pdf", ".html", ".htm", *IMAGE_SUFFIXES)
MAX_BYTES = 20 * 1024 * 1024
_LEGACY_FORMATS = ("txt", "md", "doc", "docx")  # where TCVN3 / VNI text is looked for


def _check(name: str, size: int) -> str:
    """Validate suffix and size; return the lower-case suffix."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise err(
            name,
            f"định dạng không được hỗ trợ ({suffix or 'không có phần mở rộng'}); "
            f"chỉ đọc được {', '.join(SUPPORTED_SUFFIXES)}",
        )
    if size > MAX_BYTES:
        raise err(name, f"tệp quá lớn ({mb(size)}; tối đa {MAX_BYTES // 2**20} MB)")
    return suffix


def read_document(path: str | Path, progress: Progress | None = None) -> ReadResult:
    """Read a file from disk; the size is checked before any byte is read."""
    p = Path(path)
    name = p.name or str(p)
    try:
        st = p.stat()
        if stat.S_ISDIR(st.st_mode):
            raise err(name, "là thư mục, không phải tệp")
        if not stat.S_ISREG(st.st_mode):
            raise err(name, "không phải tệp thông thường")
        _check(name, st.st_size)
        data = p.read_bytes()
    except ReadError:
        raise
    except FileNotFoundError:
        raise err(name, "không tìm thấy tệp") from None
    except PermissionError:
        raise err(name, "không có quyền đọc tệp") from None
    except OSError as exc:
        raise err(name, f"không đọc được tệp ({exc.strerror or reason(exc)})") from None
    return read_bytes(data, name, progress)


def read_bytes(data: bytes, name: str, progress: Progress | None = None) -> ReadResult:
    """Read a document given as bytes; `name` (its file name) selects the format.

    `progress(done, total)` is called after each page read by OCR.
    """
    name = PurePath(name).name or name
    suffix = _check(name, len(data))
    if not data.strip():
        raise err(name, "tệp rỗng")
    try:
        result = _dispatch(data, name, suffix, progress)
        if result.format in _LEGACY_FORMATS and result.converted_from is None:
            found = legacy_encoding.detect(result.text)
            if found:
                result.text, result.converted_from = legacy_encoding.to_unicode(result.text, found), found
        result.text = normalize_text(result.text)
    except ReadError:
        raise
    except Exception as exc:  # last resort: no raw exception escapes for bad input
        raise err(name, f"không đọc được tệp ({reason(exc)})") from exc
    if not result.text:
        raise err(name, "tệp rỗng (không có nội dung văn bản)")
    return result


def _dispatch(data: bytes, name: str, suffix: str, progress: Progress | None) -> ReadResult:
    fmt = suffix.lstrip(".")
    if suffix == ".docx":
        from nlp.readers.docx import read_docx

        return read_docx(data, name)
    if suffix == ".doc":
        return _read_doc(data, name)
    if suffix == ".pdf":
        from nlp.readers.pdf import read_pdf

        return read_pdf(data, name, progress)
    if suffix in (".html", ".htm"):
        from nlp.readers.html import read_html

        return read_html(data, name)
    if suffix in IMAGE_SUFFIXES:
        from nlp.readers.ocr import read_image

        return read_image(data, name, fmt, progress)
    from nlp.readers.text import read_text

    return read_text(data, name, fmt)


def _read_doc(data: bytes, name: str) -> ReadResult:
    """A .doc: Word 97-2003, or a file saved under that name in another format (said in a warning)."""
    from nlp.readers.doc import read_doc, sniff

    kind = sniff(data)
    if kind == "doc":
        return read_doc(data, name)
    if kind in ("docx", "html"):
        from nlp.readers.docx import read_docx
        from nlp.readers.html import read_html

        result = read_docx(data, name) if kind == "docx" else read_html(data, name)
        result.format = "doc"
        label = "DOCX" if kind == "docx" else "trang web HTML"
        result.warnings.append(f"tệp .doc thực chất là {label}, đã đọc theo định dạng đó")
        return result
    if kind == "rtf":
        raise err(name, "tệp .doc thực chất là RTF, chưa đọc được; hãy mở bằng Word và lưu lại dạng .docx")
    if kind == "mht":
        raise err(name, "tệp .doc thực chất là trang web lưu một tệp (MHT), chưa đọc được; hãy lưu lại dạng .docx")
    raise err(name, "không phải tệp Word 97-2003 (.doc) hợp lệ")
