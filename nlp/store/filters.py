"""Search and trend filters: areas, localities, levels, document types and date ranges.

`Filters` holds what the user asked for; `Filters.resolved()` validates it into the values a backend
matches against (area ids, level ids, folded locality keys, day bounds), raising ValueError with a
Vietnamese message for anything it cannot use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from nlp.normalize import fold
from nlp.records import Notice
from nlp.taxonomy import AREAS, AREA_IDS
from nlp.units import unit_key

LEVELS = ("tinh", "huyen", "xa")


def date_range(date: str) -> tuple[str | None, str | None]:
    """First and last day covered by an ISO date of day, month or year precision."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        return date, date
    if re.fullmatch(r"\d{4}-\d{2}", date):
        return f"{date}-01", f"{date}-31"
    if re.fullmatch(r"\d{4}", date):
        return f"{date}-01-01", f"{date}-12-31"
    return None, None


def effective_date(notice: Notice) -> tuple[str, str]:
    """The notice's date for trends and filters: issue date, else meeting date (with precision)."""
    if notice.issue_date:
        return notice.issue_date, notice.issue_date_precision
    return notice.meeting_date, notice.meeting_date_precision


def locality_key(locality: str) -> str:
    """The folded words of a locality name ("Ngân Sơn" -> "ngan son"), what locality filters match."""
    return " ".join(re.findall(r"\w+", fold(locality)))


def resolve_area(value: str) -> str:
    """An area id from an id, a Vietnamese name or short name, with or without diacritics."""
    key = fold(value.strip()).replace("_", " ")
    for area in AREAS:
        if key in (area.id.replace("_", " "), fold(area.name), fold(area.short)):
            return area.id
    raise ValueError(f"Lĩnh vực không hợp lệ: '{value}'. Chọn một trong: {', '.join(AREA_IDS)}")


def resolve_level(value: str) -> str:
    """A level id ("tinh", "huyen", "xa") from "huyện", "cấp huyện", "huyen"…"""
    key = fold(value.strip())
    key = key[4:] if key.startswith("cap ") else key
    if key not in LEVELS:
        raise ValueError(f"Cấp không hợp lệ: '{value}'. Chọn một trong: tỉnh, huyện, xã.")
    return key


def _check_day(value: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{4}-\d{2}|\d{4}", value):
        raise ValueError(f"Ngày không hợp lệ: '{value}' (định dạng YYYY-MM-DD).")
    return value


@dataclass(frozen=True)
class Resolved:
    """Validated filter values; empty tuples and strings mean "no restriction"."""

    areas: tuple[str, ...] = ()
    locality_keys: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    day_from: str = ""  # documents whose date range ends on or after this day
    day_to: str = ""  # documents whose date range starts on or before this day
    unit_keys: tuple[str, ...] = ()  # folded lead units (nlp.units.unit_key)


@dataclass
class Filters:
    """Search/trend filters; empty lists and strings mean "no restriction"."""

    areas: list[str] = field(default_factory=list)
    localities: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    doc_types: list[str] = field(default_factory=list)
    date_from: str = ""  # YYYY-MM-DD, inclusive
    date_to: str = ""  # YYYY-MM-DD, inclusive
    units: list[str] = field(default_factory=list)  # responsible (lead) units, any spelling

    def is_empty(self) -> bool:
        return not (self.areas or self.localities or self.levels or self.doc_types
                    or self.date_from or self.date_to or self.units)

    def resolved(self) -> Resolved:
        """The validated values (ValueError with a Vietnamese message when one is unusable)."""
        return Resolved(
            areas=tuple(dict.fromkeys(resolve_area(a) for a in self.areas)),
            locality_keys=tuple(dict.fromkeys(locality_key(x) for x in self.localities)),
            levels=tuple(dict.fromkeys(resolve_level(x) for x in self.levels)),
            doc_types=tuple(dict.fromkeys(self.doc_types)),
            day_from=_check_day(self.date_from) if self.date_from else "",
            day_to=_check_day(self.date_to) if self.date_to else "",
            unit_keys=tuple(dict.fromkeys(k for k in (unit_key(u) for u in self.units) if k)),
        )
