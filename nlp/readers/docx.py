"""Word .docx: body order, header tables as header lines, automatic numbering, legacy fonts.

The standard two-column header table (issuer and "Số: …" on the left, the national motto and
"<place>, ngày …" on the right) and the signature table come out one line per field, in the order
of a typed notice, so the parser reads them as it reads plain text. Word's automatic numbering is
rendered as text ("1.", "2.1.", "a)", "-"), and runs set in TCVN3 (.VnTime…) or VNI (VNI-…) fonts
are converted to Unicode.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterator

from nlp import legacy_encoding
from nlp.readers.base import ReadError, ReadResult, err, reason
from nlp.readers.layout import layout_blocks
from nlp.readers.zipcheck import check_zip

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(data: bytes, name: str) -> ReadResult:
    """Paragraphs and tables in body order, one block per paragraph, table row or header field."""
    check_zip(data, name, "DOCX")
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        reader = _Reader(document)
        blocks = list(reader.blocks())
    except ReadError:
        raise
    except Exception as exc:
        raise err(name, f"tệp DOCX bị hỏng hoặc không đọc được ({reason(exc)})") from exc
    text = "\n\n".join(b.strip() for b in blocks if b.strip())
    return ReadResult(text, "docx", converted_from=reader.converted_from)


class _Reader:
    """Walks one document; keeps the numbering counters and notes legacy fonts.

    Paragraphs and runs are read from the XML directly with styles resolved once: python-docx's
    `Paragraph.style` scans every style on each call (minutes for 30,000 paragraphs).
    """

    def __init__(self, document) -> None:  # noqa: ANN001 - docx.document.Document
        self.document = document
        self.styles = _Styles(document.styles.element)
        self.numbering = _Numbering(document, self.styles)
        self.converted_from: str | None = None

    def blocks(self) -> Iterator[str]:
        from docx.text.paragraph import Paragraph

        for item in self.document.iter_inner_content():
            if isinstance(item, Paragraph):
                yield self.paragraph(item)
            else:
                layout = self.layout_table(item)
                yield from layout if layout is not None else self.table_rows(item)

    # --- paragraphs -----------------------------------------------------------------------------
    def paragraph(self, paragraph) -> str:  # noqa: ANN001 - docx.text.paragraph.Paragraph
        p = paragraph._p
        ppr = p.find(f"{_W}pPr")
        style_el = ppr.find(f"{_W}pStyle") if ppr is not None else None
        style = style_el.get(f"{_W}val") if style_el is not None else self.styles.default_paragraph
        style_font = self.styles.font(style)
        text = "".join(self.run_text(r, style_font) for r in _runs(p))
        marker = self.numbering.marker(ppr, style)
        return f"{marker} {text}" if marker and text.strip() else text

    def run_text(self, run, style_font: str | None) -> str:  # noqa: ANN001 - lxml w:r element
        rpr = run.find(f"{_W}rPr")
        font = None
        if rpr is not None:
            fonts = rpr.find(f"{_W}rFonts")
            if fonts is not None:
                font = fonts.get(f"{_W}ascii") or fonts.get(f"{_W}hAnsi")
            char_style = rpr.find(f"{_W}rStyle")
            if font is None and char_style is not None:
                font = self.styles.font(char_style.get(f"{_W}val"))
        text = _run_text(run)
        encoding, upper = _legacy_font(font or style_font)
        if encoding is None or not text:
            return text
        self.converted_from = self.converted_from or encoding
        return legacy_encoding.to_unicode(text, encoding, upper=upper)

    # --- tables ---------------------------------------------------------------------------------
    def layout_table(self, table) -> list[str] | None:  # noqa: ANN001 - docx.table.Table
        """A header or signature table as one line per field, or None for a data table."""
        rows = table.rows
        if len(rows) > 4:
            return None
        return layout_blocks([[[self.paragraph(p) for p in cell.paragraphs] for cell in _unique_cells(r)]
                              for r in rows])

    def table_rows(self, table) -> Iterator[str]:  # noqa: ANN001 - docx.table.Table
        """Each row as "cell | cell | …"; merged cells are counted once, nested tables inlined."""
        from docx.text.paragraph import Paragraph

        for row in table.rows:
            cells: list[str] = []
            for cell in _unique_cells(row):
                parts = [
                    self.paragraph(item) if isinstance(item, Paragraph) else "; ".join(self.table_rows(item))
                    for item in cell.iter_inner_content()
                ]
                text = " ".join(" ".join(parts).split())
                if text:
                    cells.append(text)
            if cells:
                yield " | ".join(cells)


def _unique_cells(row) -> list:  # noqa: ANN001 - docx.table._Row
    """The row's cells, a horizontally merged cell once."""
    out, previous = [], None
    for cell in row.cells:
        if cell._tc is not previous:
            out.append(cell)
        previous = cell._tc
    return out


_CONTAINERS = {f"{_W}{t}" for t in ("hyperlink", "ins", "smartTag", "fldSimple", "customXml", "sdt", "sdtContent")}


def _runs(p) -> Iterator:  # noqa: ANN001 - lxml w:p element
    """The runs of a paragraph in order, also inside links, insertions, fields and content controls
    (not inside deletions, nor text boxes, which hold paragraphs of their own)."""
    stack = list(reversed(p))
    while stack:
        el = stack.pop()
        if el.tag == f"{_W}r":
            yield el
        elif el.tag in _CONTAINERS:
            stack.extend(reversed(el))


def _run_text(run) -> str:  # noqa: ANN001 - lxml w:r element
    parts = []
    for child in run:
        tag = child.tag
        if tag == f"{_W}t":
            parts.append(child.text or "")
        elif tag == f"{_W}tab":
            parts.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            parts.append("-")
    return "".join(parts)


class _Styles:
    """styles.xml resolved once: each style's font and list numbering, through its basedOn chain."""

    def __init__(self, root) -> None:  # noqa: ANN001 - lxml w:styles element
        self.based: dict[str | None, str | None] = {}
        self.own_font: dict[str | None, str | None] = {}
        self.own_num: dict[str | None, object] = {}
        self.default_paragraph: str | None = None
        for style in root.iter(f"{_W}style"):
            sid = style.get(f"{_W}styleId")
            if style.get(f"{_W}default") in ("1", "true") and style.get(f"{_W}type") == "paragraph":
                self.default_paragraph = sid
            based = style.find(f"{_W}basedOn")
            self.based[sid] = based.get(f"{_W}val") if based is not None else None
            fonts = style.find(f"{_W}rPr/{_W}rFonts")
            self.own_font[sid] = fonts.get(f"{_W}ascii") or fonts.get(f"{_W}hAnsi") if fonts is not None else None
            self.own_num[sid] = style.find(f"{_W}pPr/{_W}numPr")
        fonts = root.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr/{_W}rFonts")
        self.default_font = fonts.get(f"{_W}ascii") if fonts is not None else None
        self._font: dict[str | None, str | None] = {}
        self._num: dict[str | None, object] = {}

    def _chain(self, sid: str | None) -> Iterator[str | None]:
        seen = set()
        while sid is not None and sid not in seen:
            seen.add(sid)
            yield sid
            sid = self.based.get(sid)

    def font(self, sid: str | None) -> str | None:
        """The style's font (from the style or a style it is based on), else the document default."""
        if sid not in self._font:
            self._font[sid] = next((self.own_font[s] for s in self._chain(sid) if self.own_font.get(s)),
                                   self.default_font)
        return self._font[sid]

    def num_pr(self, sid: str | None):  # noqa: ANN201 - lxml w:numPr element or None
        if sid not in self._num:
            self._num[sid] = next((self.own_num[s] for s in self._chain(sid) if self.own_num.get(s) is not None),
                                  None)
        return self._num[sid]


def _legacy_font(font: str | None) -> tuple[str | None, bool]:
    """(TCVN3 / VNI / None, whether the font draws capitals) from a font name."""
    if not font:
        return None, False
    if font.startswith(".Vn"):  # .VnTime, .VnArial; .VnTimeH, .VnArialH are the capital fonts
        return legacy_encoding.TCVN3, font.endswith("H")
    if font.upper().startswith("VNI-") or font.upper().startswith("VNI "):
        return legacy_encoding.VNI, False
    return None, False


# --- automatic numbering ------------------------------------------------------------------------

_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _format(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


class _Numbering:
    """numbering.xml: the format of every list level, and the running counters of each list."""

    def __init__(self, document, styles: _Styles) -> None:  # noqa: ANN001 - docx.document.Document
        self.styles = styles
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> ilvl -> (numFmt, lvlText, start)
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(f"{_W}abstractNumId"): _levels(a) for a in root.iter(f"{_W}abstractNum")}
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            levels = dict(abstract.get(ref.get(f"{_W}val") if ref is not None else None, {}))
            for override in num.iter(f"{_W}lvlOverride"):
                ilvl = int(override.get(f"{_W}ilvl", "0"))
                lvl = override.find(f"{_W}lvl")
                if lvl is not None:
                    levels.update(_levels(override))
                start = override.find(f"{_W}startOverride")
                if start is not None and ilvl in levels:
                    fmt, text, _ = levels[ilvl]
                    levels[ilvl] = (fmt, text, int(start.get(f"{_W}val", "1")))
            self.levels[num.get(f"{_W}numId")] = levels

    def marker(self, ppr, style: str | None) -> str:  # noqa: ANN001 - lxml w:pPr element or None
        """The rendered number of a numbered paragraph ("2.1.", "a)", "-"), else ""."""
        own = ppr.find(f"{_W}numPr") if ppr is not None else None
        found = _num_pr(own if own is not None else self.styles.num_pr(style))
        if found is None:
            return ""
        num_id, ilvl = found
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else levels[ilvl][2]
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        fmt, text, _ = levels[ilvl]
        if fmt == "bullet":
            return "-"
        if fmt == "none":
            return ""

        def level_number(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            if k not in levels:
                return ""
            return _format(counters.get(k, levels[k][2]), levels[k][0])

        return re.sub(r"%([1-9])", level_number, text).strip()


def _levels(parent) -> dict[int, tuple[str, str, int]]:  # noqa: ANN001 - lxml element
    out = {}
    for lvl in parent.findall(f"{_W}lvl"):
        fmt = lvl.find(f"{_W}numFmt")
        text = lvl.find(f"{_W}lvlText")
        start = lvl.find(f"{_W}start")
        out[int(lvl.get(f"{_W}ilvl", "0"))] = (
            fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
            text.get(f"{_W}val", "") if text is not None else "",
            int(start.get(f"{_W}val", "1")) if start is not None else 1,
        )
    return out


def _num_pr(num_pr) -> tuple[str, int] | None:  # noqa: ANN001 - lxml w:numPr element or None
    """(numId, ilvl) of a w:numPr; None for no numbering (absent, or numId 0)."""
    if num_pr is None:
        return None
    num_id = num_pr.find(f"{_W}numId")
    ilvl = num_pr.find(f"{_W}ilvl")
    if num_id is None or num_id.get(f"{_W}val") in (None, "0"):
        return None
    return num_id.get(f"{_W}val"), int(ilvl.get(f"{_W}val", "0")) if ilvl is not None else 0
