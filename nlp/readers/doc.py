"""Word 97-2003 .doc, read with antiword (Debian package `antiword`).

antiword was chosen over catdoc and LibreOffice by measurement on a Vietnamese .doc (both other
tools keep every character too): it keeps paragraph breaks as blank lines (catdoc does not, so
paragraphs and wrapped lines look alike) and TCVN3's "ư" (U+00AD, which catdoc drops), takes a few
ms (LibreOffice ~0.9 s) and is a 0.6 MB package (LibreOffice ~400 MB). antiword draws tables as
"|cell |cell |" lines; header and signature tables become header lines (nlp.readers.layout), other
tables "cell | cell" rows. Files named .doc that are really something else are recognised first.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile

from nlp.readers.base import ReadResult, err
from nlp.readers.layout import layout_blocks

TIMEOUT = 60  # seconds
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TABLE_LINE = re.compile(r"^\|.*\|\s*$")
_HTML = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<meta|<body|<\?xml[^>]*>\s*<html)", re.I)


def sniff(data: bytes) -> str:
    """What a file named .doc really is: "doc", "docx", "html", "rtf", "mht" or "unknown"."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf")
    if data.startswith(_OLE):
        return "doc"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.lower().startswith(b"mime-version:") or b"multipart/related" in head.lower():
        return "mht"
    if _HTML.match(head):
        return "html"
    return "unknown"


def read_doc(data: bytes, name: str) -> ReadResult:
    """The text of a Word 97-2003 document (a real OLE2 .doc)."""
    antiword = shutil.which("antiword")
    if antiword is None:
        raise err(name, "cần chương trình antiword để đọc tệp .doc (Word 97-2003); chạy `make dev` "
                        "hoặc cài gói antiword, hoặc lưu lại tệp dạng .docx")
    with tempfile.NamedTemporaryFile(suffix=".doc") as fh:
        fh.write(data)
        fh.flush()
        try:
            done = subprocess.run([antiword, "-m", "UTF-8.txt", "-w", "0", fh.name], capture_output=True,
                                  timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise err(name, f"đọc tệp .doc quá {TIMEOUT} giây, dừng") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().replace(fh.name, name)[:200]
        raise err(name, f"tệp .doc bị hỏng hoặc không đọc được ({detail or 'antiword lỗi'})")
    return ReadResult(_tables(done.stdout.decode("utf-8", "replace")), "doc")


def _tables(text: str) -> str:
    """Replace antiword's drawn tables by header lines (layout tables) or "cell | cell" rows."""
    out: list[str] = []
    group: list[str] = []

    def flush() -> None:
        if not group:
            return
        rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in group]
        width = max(len(row) for row in rows)
        columns = [[row[i] for row in rows if i < len(row) and row[i]] for i in range(width)]
        blocks = layout_blocks([columns]) or [" | ".join(c for c in row if c) for row in rows if any(row)]
        out.extend(["", "\n\n".join(blocks), ""])
        group.clear()

    for line in text.split("\n"):
        if _TABLE_LINE.match(line):
            group.append(line)
        else:
            flush()
            out.append(line)
    flush()
    return "\n".join(out)
