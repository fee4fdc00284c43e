"""Vietnamese date expressions: "ngày 13 tháng 9 năm 2023", "12/4/2023", "8/9", "tháng 4 năm 2023"."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from nlp.records import Deadline

_NUMERIC = re.compile(r"(?<![\d/])(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?(?![\d/])")
_WORDY = re.compile(
    r"ngày\s*(\d{1,2})?\s*tháng\s*(\d{1,2})?\s*(?:năm\s*|/\s*)?(\d{4})?", re.IGNORECASE
)
_MONTH_ONLY = re.compile(r"tháng\s*(\d{1,2})\s*(?:/|năm)\s*(\d{4})", re.IGNORECASE)
_QUARTER = re.compile(r"quý\s*(I{1,3}|IV|[1-4])\s*(?:/|năm)\s*(\d{4})", re.IGNORECASE)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


@dataclass(frozen=True)
class VnDate:
    """A date with its precision ("day", "month" or "year")."""

    year: int
    month: int = 0
    day: int = 0

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def iso(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"


def make_date(year: int | None, month: int | None, day: int | None) -> VnDate | None:
    """Build a VnDate if the parts form a valid (possibly partial) date."""
    if not year or not 1900 <= year <= 2100:
        return None
    month, day = month or 0, day or 0
    if month and not 1 <= month <= 12:
        return None
    if day:
        if not month:
            return None
        try:
            date(year, month, day)
        except ValueError:
            return None
    return VnDate(year, month, day)


def parse_date(text: str, default_year: int | None = None) -> VnDate | None:
    """The first date in `text`; a missing year is taken from `default_year`."""
    found = find_dates(text, default_year)
    return found[0][1] if found else None


def find_dates(text: str, default_year: int | None = None) -> list[tuple[int, VnDate]]:
    """All dates in `text` as (start offset, date), in order of appearance."""
    hits: list[tuple[int, int, VnDate]] = []
    for m in _WORDY.finditer(text):
        day, month, year = (int(g) if g else None for g in m.groups())
        if month is None and day is None:
            continue
        d = make_date(year or default_year, month, day)
        if d:
            hits.append((m.start(), m.end(), d))
    for m in _NUMERIC.finditer(text):
        if any(s <= m.start() < e for s, e, _ in hits):
            continue
        day, month = int(m.group(1)), int(m.group(2))
        year = int(m.group(3)) if m.group(3) else default_year
        d = make_date(year, month, day)
        if d:
            hits.append((m.start(), m.end(), d))
    for m in _MONTH_ONLY.finditer(text):
        if any(s <= m.start() < e for s, e, _ in hits):
            continue
        d = make_date(int(m.group(2)), int(m.group(1)), None)
        if d:
            hits.append((m.start(), m.end(), d))
    for m in _QUARTER.finditer(text):
        q = _ROMAN.get(m.group(1).upper()) or int(m.group(1))
        d = make_date(int(m.group(2)), q * 3, None)
        if d:
            hits.append((m.start(), m.end(), d))
    return [(s, d) for s, _, d in sorted(hits, key=lambda h: h[0])]


_DEADLINE_CUE = re.compile(
    r"(trước|chậm nhất|hạn chót|thời hạn|hoàn thành|xong|đến hết|trong)\s*(ngày|tháng|quý)?\s*$",
    re.IGNORECASE,
)


def find_deadlines(text: str, default_year: int | None = None) -> list[str]:
    """ISO deadlines introduced by a cue word ("trước ngày 12/4/2023", "trong tháng 9/2023")."""
    out: list[str] = []
    for start, d in find_dates(text, default_year):
        if _DEADLINE_CUE.search(text[max(0, start - 25) : start]):
            iso = d.iso()
            if iso not in out:
                out.append(iso)
    return out


# --- deadlines with precision, recurrence and relativity (follow-up) ---------------------------
_EVERY = {"tuần": "week", "tháng": "month", "quý": "quarter", "năm": "year"}
# "(trước) ngày 15 hằng tháng", "trước ngày 20/12 hằng năm", "định kỳ 6 tháng", "hằng quý", "mỗi tuần"
_RECURRING = re.compile(
    r"(?:(?:trước|chậm nhất|vào|đến)\s+)?(?:ngày\s*(\d{1,2})(?:\s*[/.-]\s*(\d{1,2}))?\s+)?"
    r"(?:của\s+)?(?:hằng|hàng|mỗi|từng|định kỳ(?:\s+hằng|\s+hàng)?)\s*(6 tháng|sáu tháng|tuần|tháng|quý|năm)",
    re.IGNORECASE,
)
# "trong quý IV", "trước quý 3": a quarter without its year (the notice's year)
_QUARTER_ALONE = re.compile(r"quý\s*(I{1,3}|IV|[1-4])\b(?!\s*(?:/|năm)\s*\d{4})", re.IGNORECASE)
# "trong vòng 30 ngày", "trong thời hạn 15 ngày làm việc kể từ …": relative to the notice's date
_YEAR_ALONE = re.compile(r"(?:đến hết|trước|hoàn thành(?: trong)?|chậm nhất(?: trong)?)\s+năm\s+(\d{4})\b", re.IGNORECASE)
_RELATIVE = re.compile(r"trong\s+(?:vòng|thời hạn|thời gian)?\s*(\d{1,3})\s+ngày(\s+làm việc)?", re.IGNORECASE)


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def find_due(text: str, default_year: int | None = None) -> list[Deadline]:
    """Every deadline of a directive with its precision: one-off dates after a cue word, quarters
    without a year (taken from `default_year`), recurring ("trước ngày 15 hằng tháng") and relative
    ("trong vòng 30 ngày") ones, in order of appearance."""
    found: list[tuple[int, Deadline]] = []
    taken: list[tuple[int, int]] = []
    for m in _RECURRING.finditer(text):
        unit = m.group(3).lower()
        every = "half_year" if unit in ("6 tháng", "sáu tháng") else _EVERY[unit]
        day = int(m.group(1)) if m.group(1) else 0
        month = int(m.group(2)) if m.group(2) and every == "year" else 0
        if not 0 <= day <= 31 or not 0 <= month <= 12 or (every == "week" and day):
            continue
        found.append((m.start(), Deadline(m.group(0).strip(), every=every, day=day, month=month)))
        taken.append(m.span())
    for m in _RELATIVE.finditer(text):
        found.append((m.start(), Deadline(m.group(0).strip(), precision="day", days=int(m.group(1)),
                                          working=bool(m.group(2)))))
        taken.append(m.span())
    for start, d in find_dates(text, default_year):
        if _overlaps(taken, start, start + 1) or not _DEADLINE_CUE.search(text[max(0, start - 25) : start]):
            continue
        end = start + len(_phrase_at(text, start))
        iso, precision = d.iso(), d.precision
        quarter = _QUARTER.match(text, start)
        if quarter:
            iso, precision = f"{d.year}-Q{d.month // 3}", "quarter"
        found.append((start, Deadline(text[start:end].strip(), date=iso, precision=precision)))
        taken.append((start, end))
    for m in _YEAR_ALONE.finditer(text):
        if not _overlaps(taken, m.start(), m.end()) and make_date(int(m.group(1)), None, None):
            found.append((m.start(), Deadline(m.group(0), date=m.group(1), precision="year")))
            taken.append(m.span())
    for m in _QUARTER_ALONE.finditer(text):
        if default_year and not _overlaps(taken, m.start(), m.end()) and \
                _DEADLINE_CUE.search(text[max(0, m.start() - 25) : m.start()] + "quý"):
            q = _ROMAN.get(m.group(1).upper()) or int(m.group(1))
            found.append((m.start(), Deadline(m.group(0), date=f"{default_year}-Q{q}", precision="quarter")))
    out: list[Deadline] = []
    for _, d in sorted(found, key=lambda p: p[0]):
        if d not in out:
            out.append(d)
    return out


def _phrase_at(text: str, start: int) -> str:
    """The date expression starting at `start` (longest of the date patterns)."""
    spans = [m.end() for p in (_WORDY, _NUMERIC, _MONTH_ONLY, _QUARTER) if (m := p.match(text, start))]
    return text[start : max(spans)] if spans else text[start : start + 10]
