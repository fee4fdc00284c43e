"""Segment the body of a notice into candidate units (items and sentences), then finish the directives.

`segment_units` walks the body once: numbered, lettered and bulleted items stay whole (with the
paragraphs that continue them), headings ("3.2. Đối với Phòng Tư pháp", "I. MỤC ĐÍCH, YÊU CẦU") give
context, and plain paragraphs are split into sentences. Which units are directives is decided
elsewhere (`nlp.directive_model`); `finish_directives` gives the chosen ones their paths, unit,
deadlines and targets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.dates import find_deadlines, find_due
from nlp.normalize import fold, is_caps
from nlp.records import Directive
from nlp.sentences import split_sentences
from nlp.units import DOI_VOI, find_partners, find_unit

NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+)\.?\s+(?=\S)|^(\d{1,2})[.)]\s*(?=\S)")
LETTERED = re.compile(r"^([a-zđ])[).]\s+(?=\S)")
ROMAN = re.compile(r"^([IVX]{1,4})[.)]\s+(?=\S)")
BULLET = re.compile(r"^[-•+–*·]\s*(?=\S)")
_SENTENCE_END = re.compile(r"[.;:!?…]\s*[)\"”’]?\s*$|\./\.?$")
_TARGET = re.compile(
    r"(?:(?:dưới|trên|tối thiểu|tối đa|ít nhất|không quá|không dưới|không thấp hơn|từ)\s+)?"
    r"\d+(?:[.,]\d+)?\s*%",
    re.IGNORECASE,
)
_CLOSING = re.compile(r"^(voi (nhung|cac) noi dung tren|tren day la\b)")
# A generic last paragraph: "UBND xã yêu cầu các cán bộ, công chức … nghiêm túc triển khai thực hiện./."
_CLOSING_ASK = re.compile(r"(yeu cau|de nghi|thong bao)\b.{0,160}\b(thuc hien|biet)\W*$")


def find_targets(text: str) -> list[str]:
    """Quantitative targets such as "90%", "dưới 1%", "99,97%"."""
    out: list[str] = []
    for m in _TARGET.finditer(text):
        t = re.sub(r"\s+%", "%", m.group(0))
        if t not in out:
            out.append(t)
    return out


def is_closing(text: str, last: bool = False) -> bool:
    """A closing formula: "Với những nội dung trên, …", "Trên đây là …", or, as the last paragraph, a short
    generic request ending "./." ("UBND xã yêu cầu các cán bộ, công chức nghiêm túc triển khai thực hiện./.")."""
    folded = fold(text)
    if _CLOSING.match(folded):
        return True
    return last and text.rstrip().endswith("./.") and len(folded.split()) <= 30 and bool(_CLOSING_ASK.search(folded))


@dataclass
class _Heading:
    path: str
    text: str
    depth: float
    marker: str = ""  # the bullet or "letter" of a list-intro item, popped by its next sibling


def _split_marker(line: str) -> tuple[str, str, str]:
    """(kind, number, content) of a body line; kind is num, roman, letter, bullet or para.

    For bullets, `number` is the bullet character, so "-" items and "+" sub-items can be told apart.
    """
    if m := NUMBERED.match(line):
        return "num", m.group(1) or m.group(2), line[m.end() :].strip()
    if m := ROMAN.match(line):
        return "roman", m.group(1), line[m.end() :].strip()
    if m := LETTERED.match(line):
        return "letter", m.group(1), line[m.end() :].strip()
    if m := BULLET.match(line):
        return "bullet", line[0], line[m.end() :].strip()
    return "para", "", line.strip()


@dataclass
class Unit:
    """A candidate directive: a structural item (whole), or one sentence of a plain paragraph."""

    text: str
    kind: str  # num | letter | bullet | para (a sentence)
    path: str = ""  # the item's own path ("3.2", "3.2.a", "3.1.2"); "" for sentences (given later)
    heading: str = ""  # text of the nearest heading
    parent: str = ""  # path of the nearest heading ("" at top level)
    paragraph: int = 0  # index of the source line; sentences of one paragraph share it
    intro: bool = False  # a list intro that is itself an instruction ("…, cụ thể:")


def _is_substantive_intro(content: str) -> bool:
    """A list intro that is itself an instruction ("Phối hợp … thu phí không dùng tiền mặt, cụ thể:")."""
    return content.endswith(":") and len(content.split()) >= 12 and not re.match(r"(đối với|về)\b", content, re.I)


def _is_heading(content: str, next_kind: str, next_number: str, kind: str, number: str) -> bool:
    if kind == "roman" or is_caps(content):
        return True
    words = len(content.split())
    if content.endswith(":") and words <= 40:
        return True
    if DOI_VOI.match(content) and words <= 25 and not content.rstrip().endswith((".", ";")):
        return True
    if words <= 6 and not content.rstrip().endswith((".", ";")):
        return True  # "1. Mục đích", "2.1. Mục tiêu", "1. Cải cách thể chế"
    deeper = next_kind in ("bullet", "letter") or (
        next_kind == "num" and kind == "num" and next_number.startswith(number + ".")
    )
    return deeper and words <= 15 and (not _SENTENCE_END.search(content) or words <= 10)


def segment_units(lines: list[str]) -> list[Unit]:
    """Candidate units of the body lines in reading order (one pass; linear in the number of lines)."""
    units: list[Unit] = []
    headings: list[_Heading] = []
    counters: dict[str, int] = {}
    last: Unit | None = None  # the open item that a continuation line extends
    pieces: list[str] = []  # text pieces of `last`, joined when it closes (no quadratic concatenation)
    marked = [_split_marker(line) for line in lines]

    def close() -> None:
        nonlocal last
        if last is not None:
            last.text = "".join(pieces)
        last = None
        pieces.clear()

    def open_item(text: str, kind: str, path: str, index: int, intro: bool = False) -> None:
        nonlocal last
        close()
        unit = Unit(text, kind, path, headings[-1].text if headings else "", headings[-1].path if headings else "",
                    index, intro)
        units.append(unit)
        last = unit
        pieces.append(text)

    def child_path(parent: str) -> str:
        counters[parent] = counters.get(parent, 0) + 1
        return f"{parent}.{counters[parent]}" if parent else f"p{counters[parent]}"

    for i, (kind, number, content) in enumerate(marked):
        if not content:
            continue
        next_kind, next_number = (marked[i + 1][0], marked[i + 1][1]) if i + 1 < len(marked) else ("", "")
        if kind == "para" and last is not None and not _SENTENCE_END.search(pieces[-1]):
            pieces.append(f" {content}")  # cut by a page break
            continue
        if kind in ("num", "roman"):
            depth = 0 if kind == "roman" else number.count(".") + 1
            while headings and headings[-1].depth >= depth:
                headings.pop()
            under_section = depth == 1 and headings and headings[-1].depth == 0  # "1." under "II."
            path = f"{headings[-1].path}.{number}" if under_section else number
            if _is_heading(content, next_kind, next_number, kind, number):
                close()
                if kind == "num" and _is_substantive_intro(content):
                    open_item(content, "num", path, i, intro=True)
                    close()
                headings.append(_Heading(path, content.rstrip(":").strip(), depth))
            else:
                open_item(content, "num", path, i)
            continue
        if kind in ("letter", "bullet"):
            marker = "letter" if kind == "letter" else number
            while headings and headings[-1].marker and (
                headings[-1].marker == marker or (marker == "letter" and headings[-1].marker != "letter")
            ):
                headings.pop()  # a sibling closes the list-intro item before it
            numbered_parent = last is not None and last.kind == "num" and kind == "letter"
            parent = last.path if numbered_parent else (headings[-1].path if headings else "")
            path = (f"{parent}.{number}" if parent else number) if kind == "letter" else child_path(parent)
            if content.endswith(":") and next_kind in ("bullet", "letter") and marked[i + 1][1] != number:
                close()
                depth = (headings[-1].depth if headings else 0) + 0.5
                if _is_substantive_intro(content):
                    open_item(content, kind, path, i, intro=True)
                    close()
                headings.append(_Heading(path, content.rstrip(":").strip(), depth, marker))
                continue
            open_item(content, kind, path, i)
            continue
        # a plain paragraph: the second paragraph of a numbered item, or sentences of their own
        if last is not None and last.kind == "num":
            pieces.append(f"\n{content}")
            continue
        close()
        heading, parent = (headings[-1].text, headings[-1].path) if headings else ("", "")
        for sentence in split_sentences(content):
            units.append(Unit(sentence, "para", "", heading, parent, i))
    close()
    return units


def finish_directives(units: list[Unit], default_unit: str = "", default_year: int | None = None) -> list[Directive]:
    """Directives of the chosen units: paths for sentences, then unit, deadlines and targets."""
    directives: list[Directive] = []
    counters: dict[str, int] = {}
    for u in units:
        path = u.path
        if not path:
            counters[u.parent] = counters.get(u.parent, 0) + 1
            path = f"{u.parent}.{counters[u.parent]}" if u.parent else f"p{counters[u.parent]}"
        directives.append(Directive(text=u.text.strip(), path=path, heading=u.heading))
    _collapse_single_children(directives)
    previous_unit = ""
    for d in directives:
        d.unit = find_unit(d.text, d.heading, "")
        if not d.unit and d.path.startswith("p"):
            d.unit = previous_unit  # a prose paragraph goes on addressing the unit named before it
        d.unit = d.unit or default_unit
        if d.path.startswith("p"):
            previous_unit = d.unit
        d.deadlines, d.due = find_deadlines(d.text, default_year), find_due(d.text, default_year)
        d.partners = find_partners(d.text, d.unit)
        d.targets = find_targets(d.text)
    return directives


def _collapse_single_children(directives: list[Directive]) -> None:
    """A heading with one plain paragraph under it ("3.6. Đối với …" + text) gives that paragraph its path."""
    paths = {d.path for d in directives}
    by_parent: dict[str, list[Directive]] = {}
    for d in directives:
        if "." in d.path and not d.path.startswith("p"):
            by_parent.setdefault(d.path.rsplit(".", 1)[0], []).append(d)
    for parent, children in by_parent.items():
        if len(children) == 1 and children[0].path == f"{parent}.1" and parent not in paths:
            children[0].path = parent
