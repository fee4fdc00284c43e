"""Read notices from .txt/.md/.docx/.pdf/.html files into normalised text.

`read_document` (a path) and `read_bytes` (an upload) are the only entry points; every failure on bad
input becomes a `ReadError` whose Vietnamese message starts with the file name.
"""
from __future__ import annotations

import codecs
import io
import logging
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath

from nlp.normalize import fold, normalize_text

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
MAX_BYTES = 20 * 1024 * 1024


class ReadError(Exception):
    """A file that cannot be read; message in Vietnamese and names the file."""


def _err(name: str, message: str) -> ReadError:
    return ReadError(f"{name}: {message}")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f}".replace(".", ",") + " MB"


def _check(name: str, size: int) -> str:
    """Validate suffix and size; return the lower-case suffix."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise _err(
            name,
            f"định dạng không được hỗ trợ ({suffix or 'không có phần mở rộng'}); "
            f"chỉ đọc được {', '.join(SUPPORTED_SUFFIXES)}",
        )
    if size > MAX_BYTES:
        raise _err(name, f"tệp quá lớn ({_mb(size)}; tối đa {MAX_BYTES // 2**20} MB)")
    return suffix


def read_document(path: str | Path) -> str:
    """Read a file from disk; the size is checked before any byte is read."""
    p = Path(path)
    name = p.name or str(p)
    try:
        st = p.stat()
        if stat.S_ISDIR(st.st_mode):
            raise _err(name, "là thư mục, không phải tệp")
        if not stat.S_ISREG(st.st_mode):
            raise _err(name, "không phải tệp thông thường")
        _check(name, st.st_size)
        data = p.read_bytes()
    except ReadError:
        raise
    except FileNotFoundError:
        raise _err(name, "không tìm thấy tệp") from None
    except PermissionError:
        raise _err(name, "không có quyền đọc tệp") from None
    except OSError as exc:
        raise _err(name, f"không đọc được tệp ({exc.strerror or _reason(exc)})") from None
    return read_bytes(data, name)


def read_bytes(data: bytes, name: str) -> str:
    """Read a document given as bytes; `name` (its file name) selects the format."""
    name = PurePath(name).name or name
    suffix = _check(name, len(data))
    if not data.strip():
        raise _err(name, "tệp rỗng")
    try:
        if suffix == ".docx":
            raw = _read_docx(data, name)
        elif suffix == ".pdf":
            raw = _read_pdf(data, name)
        elif suffix in (".html", ".htm"):
            raw = _read_html(data, name)
        else:
            raw = _decode_text(data, name)
        text = normalize_text(raw)
    except ReadError:
        raise
    except Exception as exc:  # last resort: no raw exception escapes for bad input
        raise _err(name, f"không đọc được tệp ({_reason(exc)})") from exc
    if not text:
        raise _err(name, "tệp rỗng (không có nội dung văn bản)")
    return text


# --- plain text ---------------------------------------------------------------------------------

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


def _decode_text(data: bytes, name: str) -> str:
    """Decode UTF-8 (BOM optional) or UTF-16; never guess legacy code pages."""
    binary = _err(name, "tệp nhị phân, không phải văn bản")
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
        raise _err(
            name,
            f"không phải văn bản UTF-8/UTF-16 (lỗi mã hóa tại byte {exc.start}); "
            "hãy lưu lại tệp với mã hóa UTF-8",
        ) from None
    if "\x00" in text or len(_CONTROL_CHARS.findall(text)) > 0.05 * len(text):
        raise binary
    return text


# --- DOCX ---------------------------------------------------------------------------------------


def _read_docx(data: bytes, name: str) -> str:
    """Paragraphs and tables in body order, one block per paragraph or table row."""
    import docx
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[str] = []
        for item in document.iter_inner_content():
            if isinstance(item, Paragraph):
                blocks.append(item.text)
            else:
                blocks.extend(_table_rows(item))
    except Exception as exc:
        raise _err(name, f"tệp DOCX bị hỏng hoặc không đọc được ({_reason(exc)})") from exc
    return "\n\n".join(b.strip() for b in blocks if b.strip())


def _table_rows(table) -> Iterator[str]:  # noqa: ANN001 - docx.table.Table
    """Each row as "cell | cell | …"; merged cells are counted once, nested tables inlined."""
    from docx.text.paragraph import Paragraph

    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # a horizontally merged cell repeats
                continue
            previous = cell._tc
            parts = [
                item.text if isinstance(item, Paragraph) else "; ".join(_table_rows(item))
                for item in cell.iter_inner_content()
            ]
            text = " ".join(" ".join(parts).split())
            if text:
                cells.append(text)
        if cells:
            yield " | ".join(cells)


# --- PDF ----------------------------------------------------------------------------------------


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs repair warnings ("EOF marker not found") to stderr; our ReadError says it better."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _read_pdf(data: bytes, name: str) -> str:
    """Text layer of every page, pages separated by a blank line."""
    with _quiet_pypdf():
        return _pdf_text(data, name)


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except Exception as exc:
        raise _err(name, f"tệp PDF bị hỏng hoặc không đọc được ({_reason(exc)})") from exc
    if encrypted:
        try:
            opened = reader.decrypt("")  # many PDFs only restrict permissions
        except Exception as exc:
            raise _err(name, f"tệp PDF được mã hóa, không giải mã được ({_reason(exc)})") from exc
        if not opened:
            raise _err(name, "tệp PDF được bảo vệ bằng mật khẩu, không đọc được")
    try:
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:
        raise _err(name, f"tệp PDF bị hỏng hoặc không đọc được ({_reason(exc)})") from exc
    if not any(p.strip() for p in pages):
        raise _err(name, "tệp PDF không có lớp văn bản (có thể là bản quét), cần OCR trước khi đọc")
    return "\n\n".join(p.strip() for p in pages if p.strip())


# --- HTML ---------------------------------------------------------------------------------------

_NOISE_TAGS = ("head", "script", "style", "nav", "footer", "aside", "form", "noscript", "iframe",
               "svg", "button", "select", "template", "object", "embed")
# class/id tokens of navigation, menus, sharing, related-news lists and font-size widgets
_NOISE_ATTR = re.compile(
    r"menu|navbar|navigation|breadcrumb|related|lien-?quan|lien_quan|font-?size|text-?size|"
    r"sidebar|pagination|social|sharing|"
    r"(?:^|[-_])(?:nav|share|ads?|advert\w*|banner|comments?|pager|toolbar|tools|footer)(?:$|[-_\d])|"
    r"nav$|^header(?:$|[-_\d])"
)
# headings that open a related-news block: the heading and what follows it are dropped
_NOISE_LABELS = {"tin lien quan", "bai viet lien quan", "tin bai lien quan", "van ban lien quan",
                 "tin cung chuyen muc", "cac tin khac", "tin khac", "xem them"}
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "ul",
               "ol", "li", "table", "tr", "blockquote", "pre", "dl", "dt", "dd", "figure",
               "figcaption", "address", "center", "caption", "hr"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")


def _decode_html(data: bytes, name: str) -> str:
    """Decode with the BOM, else the declared charset, else UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return data.decode("utf-8-sig", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    candidates = ["utf-8"]
    match = _META_CHARSET.search(data[:4096]) or _XML_ENCODING.search(data[:200])
    if match:
        try:
            candidates.insert(0, codecs.lookup(match.group(1).decode("ascii")).name)
        except LookupError:
            pass
    for encoding in dict.fromkeys(candidates):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _err(name, f"không giải mã được HTML theo mã hóa {' hoặc '.join(dict.fromkeys(candidates))}")


def _read_html(data: bytes, name: str) -> str:
    """Main text of a web page, without navigation, footers, share widgets and related news."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode_html(data, name), "lxml")
    root = soup.body or soup
    for tag in soup.find_all(_NOISE_TAGS):
        if not tag.decomposed:
            tag.decompose()
    for tag in soup.find_all("header"):  # page headers go; article headers hold the title
        if not tag.decomposed and tag.find_parent("article") is None:
            tag.decompose()
    # "main text" is measured in <p> text, or in all text on pages without paragraphs
    measure = _p_len if _p_len(root) else (lambda t: len(t.get_text(strip=True)))
    total = measure(root)
    for tag in root.find_all(_is_noisy_attr):
        # a wrapper with a noisy class ("has-sidebar") that holds most of the text is kept
        if not tag.decomposed and tag is not root and measure(tag) <= 0.5 * total:
            tag.decompose()
    for tag in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "span", "strong", "b"]):
        if tag.decomposed or fold(tag.get_text(" ", strip=True)).rstrip(": ") not in _NOISE_LABELS:
            continue
        while tag.parent is not None and tag.parent is not root and \
                fold(tag.parent.get_text(" ", strip=True)).rstrip(": ") in _NOISE_LABELS:
            tag = tag.parent
        block = [tag, *tag.find_next_siblings()]
        if sum(measure(t) for t in block) <= 0.5 * total:
            for t in block:
                t.decompose()
    return _html_text(_main_container(root))


def _is_noisy_attr(tag) -> bool:  # noqa: ANN001 - bs4.Tag
    if tag.name in ("html", "body", "main", "article"):
        return False
    tokens = [*tag.get("class", []), tag.get("id") or ""]
    return any(_NOISE_ATTR.search(t.lower()) for t in tokens if t)


def _p_len(tag) -> int:  # noqa: ANN001 - bs4.Tag
    if getattr(tag, "name", None) is None:
        return 0
    own = len(tag.get_text(strip=True)) if tag.name == "p" else 0
    return own + sum(len(p.get_text(strip=True)) for p in tag.find_all("p"))


def _main_container(root):  # noqa: ANN001, ANN202 - bs4.Tag
    """<article> or <main> if substantial, else the element with the most <p> text."""
    full = len(root.get_text(strip=True))
    for name in ("article", "main"):
        found = root.find_all(name)
        if found:
            best = max(found, key=lambda t: len(t.get_text(strip=True)))
            if len(best.get_text(strip=True)) >= 0.3 * full:
                return best
    total = _p_len(root)
    if not total:
        return root
    scores: dict[int, float] = {}
    tags: dict[int, object] = {}
    for p in root.find_all("p"):
        n = len(p.get_text(strip=True))
        for parent, weight in ((p.parent, 1.0), (p.parent.parent if p.parent else None, 0.5)):
            if parent is not None:
                scores[id(parent)] = scores.get(id(parent), 0.0) + n * weight
                tags[id(parent)] = parent
    best = tags[max(scores, key=scores.__getitem__)]
    while best is not root and best.parent is not None and _p_len(best) < 0.6 * total:
        best = best.parent
    return best


def _html_text(root) -> str:  # noqa: ANN001 - bs4.Tag
    """Flatten to text: block elements become paragraphs, table rows "cell | cell"."""
    from bs4 import CData, NavigableString

    parts: list[str] = []

    def walk(tag, in_pre: bool = False) -> None:  # noqa: ANN001
        for child in tag.children:
            if isinstance(child, NavigableString):
                if type(child) in (NavigableString, CData):
                    parts.append(str(child) if in_pre else re.sub(r"\s+", " ", child))
            elif child.name == "br":
                parts.append("\n")
            elif child.name in ("td", "th"):
                if child.find_previous_sibling(["td", "th"]) is not None:
                    parts.append(" | ")
                parts.append(" ".join(child.get_text(" ", strip=True).split()))
            elif child.name in _BLOCK_TAGS:
                parts.append("\n\n")
                if child.name == "li" and tag.name == "ol" and not re.match(r"\s*\d", child.get_text()):
                    parts.append(f"{len(child.find_previous_siblings('li')) + 1}. ")
                walk(child, in_pre or child.name == "pre")
                parts.append("\n\n")
            else:
                walk(child, in_pre)

    walk(root)
    lines = [line.strip() for line in "".join(parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
