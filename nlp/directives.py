"""Split the body of a notice into directives and read each one's unit, deadlines and targets."""
from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.dates import find_deadlines, find_due
from nlp.normalize import fold, is_caps
from nlp.records import Directive
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
_CLOSING = re.compile(
    r"^(voi nhung noi dung tren|tren day la|(uy ban nhan dan|ubnd) (xa|huyen|tinh|phuong|thi tran|thanh pho|"
    r"thi xa|quan)[\w ]{0,30} yeu cau)"
)


def find_targets(text: str) -> list[str]:
    """Quantitative targets such as "90%", "dưới 1%", "99,97%"."""
    out: list[str] = []
    for m in _TARGET.finditer(text):
        t = re.sub(r"\s+%", "%", m.group(0))
        if t not in out:
            out.append(t)
    return out


def is_closing(text: str) -> bool:
    """A closing formula ("Với những nội dung trên, UBND huyện yêu cầu … thực hiện./.")."""
    return bool(_CLOSING.match(fold(text)))


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


def _is_substantive_intro(content: str) -> bool:
    """A list intro that is itself an instruction ("Phối hợp … thu phí không dùng tiền mặt, cụ thể:")."""
    return content.endswith(":") and len(content.split()) >= 12 and not re.match(r"(đối với|về)\b", content, re.I)


def _is_heading(content: str, next_kind: str, kind: str) -> bool:
    if kind == "roman" or is_caps(content):
        return True
    words = len(content.split())
    if content.endswith(":") and words <= 40:
        return True
    if DOI_VOI.match(content) and words <= 25 and not content.rstrip().endswith((".", ";")):
        return True
    return next_kind in ("bullet", "letter") and words <= 12 and not _SENTENCE_END.search(content)


def split_directives(lines: list[str], default_unit: str = "", default_year: int | None = None) -> list[Directive]:
    """Directives of the body lines (numbered items, bullets, paragraphs) with unit, deadlines, targets."""
    directives: list[Directive] = []
    headings: list[_Heading] = []
    counters: dict[str, int] = {}
    last: Directive | None = None
    last_is_numbered = False
    paragraph_no = 0
    marked = [_split_marker(line) for line in lines]

    def parent_path() -> str:
        return headings[-1].path if headings else ""

    def add(text: str, path: str, numbered: bool) -> None:
        nonlocal last, last_is_numbered
        heading = headings[-1].text if headings else ""
        d = Directive(text=text, path=path, heading=heading)
        directives.append(d)
        last, last_is_numbered = d, numbered

    def child_path(parent: str) -> str:
        counters[parent] = counters.get(parent, 0) + 1
        return f"{parent}.{counters[parent]}" if parent else f"p{counters[parent]}"

    for i, (kind, number, content) in enumerate(marked):
        if not content:
            continue
        next_kind = marked[i + 1][0] if i + 1 < len(marked) else ""
        if kind == "para" and last is not None and not _SENTENCE_END.search(last.text):
            last.text = f"{last.text} {content}"  # cut by a page break
            continue
        if kind in ("num", "roman"):
            depth = 0 if kind == "roman" else number.count(".") + 1
            while headings and headings[-1].depth >= depth:
                headings.pop()
            if _is_heading(content, next_kind, kind):
                if kind == "num" and _is_substantive_intro(content):
                    add(content, number, True)
                headings.append(_Heading(number, content.rstrip(":").strip(), depth))
                last = None
            else:
                under_section = depth == 1 and headings and headings[-1].depth == 0  # "1." under "II."
                add(content, f"{parent_path()}.{number}" if under_section else number, True)
            continue
        if kind in ("letter", "bullet"):
            marker = "letter" if kind == "letter" else number
            while headings and headings[-1].marker and (
                headings[-1].marker == marker or (marker == "letter" and headings[-1].marker != "letter")
            ):
                headings.pop()  # a sibling closes the list-intro item before it
            parent = last.path if kind == "letter" and last is not None and last_is_numbered else parent_path()
            path = (f"{parent}.{number}" if parent else number) if kind == "letter" else child_path(parent)
            if content.endswith(":") and next_kind in ("bullet", "letter") and _split_marker(lines[i + 1])[1] != number:
                depth = (headings[-1].depth if headings else 0) + 0.5
                if _is_substantive_intro(content):
                    add(content, path, False)
                headings.append(_Heading(path, content.rstrip(":").strip(), depth, marker))
                last = None
                continue
            add(content, path, False)
            continue
        # plain paragraph
        if is_closing(content):
            headings.clear()
            paragraph_no += 1
            add(content, f"p{paragraph_no}", False)
            continue
        if last is not None and last_is_numbered:
            last.text = f"{last.text}\n{content}"  # second paragraph of a numbered item
            continue
        if headings:
            add(content, child_path(headings[-1].path), False)
        else:
            paragraph_no += 1
            add(content, f"p{paragraph_no}", False)

    _collapse_single_children(directives)
    previous_unit = ""
    for d in directives:
        d.text = d.text.strip()
        d.unit = find_unit(d.text, d.heading, "")
        if not d.unit and d.path.startswith("p") and not is_closing(d.text):
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
    by_parent: dict[str, list[Directive]] = {}
    for d in directives:
        if "." in d.path and not d.path.startswith("p"):
            by_parent.setdefault(d.path.rsplit(".", 1)[0], []).append(d)
    for parent, children in by_parent.items():
        if len(children) == 1 and children[0].path == f"{parent}.1" and not any(x.path == parent for x in directives):
            children[0].path = parent
