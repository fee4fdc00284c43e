"""Search and trend filters: areas, localities, levels, document types and date ranges.

`Filters` holds what the user asked for; `Filters.resolved()` validates it into the values a backend
matches against (area ids, level ids, folded locality keys, day bounds), raising ValueError with a
Vietnamese message for anything it cannot use. Dates are a year, a month or a day ("2023",
"2023-12", "2023-12-31"): `date_from` starts at the first day of its period, `date_to` ends at the
last one, so `--to 2023` keeps all of 2023.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date as Date

from nlp.normalize import fold
from nlp.records import Notice
from nlp.taxonomy import AREAS, AREA_IDS
from nlp.units import unit_key

LEVELS = ("tinh", "huyen", "xa")
MAX_VALUES = 10_000  # values per filter field; more is refused with a message
_DAY = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


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


def period_bounds(value: str) -> tuple[str, str]:
    """First and last day ("YYYY-MM-DD") of a year, month or day; ValueError for impossible dates."""
    m = _DAY.fullmatch(value.strip())
    if not m:
        raise ValueError(f"Ngày không hợp lệ: '{value}' (dùng năm YYYY, tháng YYYY-MM hoặc ngày YYYY-MM-DD).")
    year, month, day = int(m[1]), m[2] and int(m[2]), m[3] and int(m[3])
    if year < 1 or month is not None and not 1 <= month <= 12:
        raise ValueError(f"Ngày không hợp lệ: '{value}': không có tháng {month} (tháng từ 1 đến 12).")
    if day is not None:
        try:
            iso = Date(year, month, day).isoformat()
        except ValueError:
            raise ValueError(
                f"Ngày không hợp lệ: '{value}': tháng {month}/{year} không có ngày {day}.") from None
        return iso, iso
    if month is not None:
        last = calendar.monthrange(year, month)[1]
        return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"
    return f"{year:04d}-01-01", f"{year:04d}-12-31"


def _values(name: str, values: list[str]) -> list[str]:
    if len(values) > MAX_VALUES:
        raise ValueError(f"Quá nhiều giá trị lọc {name}: {len(values)} (tối đa {MAX_VALUES:,}).".replace(",", "."))
    return values


@dataclass(frozen=True)
class Resolved:
    """Validated filter values; empty tuples and strings mean "no restriction"."""

    areas: tuple[str, ...] = ()
    locality_keys: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    day_from: str = ""  # documents whose date range ends on or after this day (YYYY-MM-DD)
    day_to: str = ""  # documents whose date range starts on or before this day (YYYY-MM-DD)
    unit_keys: tuple[str, ...] = ()  # folded lead units (nlp.units.unit_key)


@dataclass
class Filters:
    """Search/trend filters; empty lists and strings mean "no restriction"."""

    areas: list[str] = field(default_factory=list)
    localities: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    doc_types: list[str] = field(default_factory=list)
    date_from: str = ""  # YYYY, YYYY-MM or YYYY-MM-DD: from the first day of that period
    date_to: str = ""  # YYYY, YYYY-MM or YYYY-MM-DD: up to the last day of that period
    units: list[str] = field(default_factory=list)  # responsible (lead) units, any spelling

    def is_empty(self) -> bool:
        return not (self.areas or self.localities or self.levels or self.doc_types
                    or self.date_from or self.date_to or self.units)

    def resolved(self) -> Resolved:
        """The validated values (ValueError with a Vietnamese message when one is unusable)."""
        day_from = period_bounds(self.date_from)[0] if self.date_from else ""
        day_to = period_bounds(self.date_to)[1] if self.date_to else ""
        if day_from and day_to and day_from > day_to:
            raise ValueError(f"Khoảng ngày rỗng: từ '{self.date_from}' đến '{self.date_to}' (ngày bắt đầu sau ngày kết thúc).")
        keys = (locality_key(x) for x in _values("địa phương", self.localities))
        return Resolved(
            areas=tuple(dict.fromkeys(resolve_area(a) for a in _values("lĩnh vực", self.areas))),
            locality_keys=tuple(dict.fromkeys(keys)),
            levels=tuple(dict.fromkeys(resolve_level(x) for x in _values("cấp", self.levels))),
            doc_types=tuple(dict.fromkeys(_values("loại văn bản", self.doc_types))),
            day_from=day_from,
            day_to=day_to,
            unit_keys=tuple(dict.fromkeys(k for k in (unit_key(u) for u in _values("đơn vị", self.units)) if k)),
        )
