"""Trends: counts of directives per area, locality or level per month, quarter or year.

A directive is dated by its notice's issue date, falling back to the meeting date. Dates with too
little precision for the period (a year-only date in a monthly view) or no date at all fall in the
period "" (shown as "không rõ"). A directive with several labels counts once in each of its areas: by
area the cells count tags, and `directive_totals` gives each period's directives counted once.
`all_periods` fills the gaps (a 10-month pause stays visible), localities sort in Vietnamese order.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from nlp.records import Hit
from nlp.store import Filters, Store
from nlp.store.base import BY, PERIODS  # noqa: F401 - re-exported for the app
from nlp.taxonomy import AREA_BY_ID, AREA_IDS
from nlp.vnsort import vn_sort_key

UNKNOWN_PERIOD = "không rõ"
BY_NAMES = {"area": "lĩnh vực", "locality": "địa phương", "level": "cấp"}
PERIOD_NAMES = {"month": "tháng", "quarter": "quý", "year": "năm"}
LEVEL_NAMES = {"tinh": "Tỉnh", "huyen": "Huyện", "xa": "Xã", "": "Không rõ cấp"}



@dataclass
class TrendRow:
    """One cell: `count` directives of `key` (area id, folded locality, level id) in `period`."""

    period: str  # "2023-04", "2023-Q2", "2023" or "" when unknown
    key: str
    label: str  # display name of the key
    count: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def period_of(date: str, period: str) -> str:
    """The period of an ISO date ("2023-04-05", "2023-04" or "2023"); "" if too imprecise."""
    if period == "year":
        return date[:4] if len(date) >= 4 else ""
    if len(date) < 7:
        return ""
    return date[:7] if period == "month" else f"{date[:4]}-Q{(int(date[5:7]) + 2) // 3}"


def trend_counts(store: Store, by: str = "area", period: str = "month", filters: Filters | None = None) -> list[TrendRow]:
    """Directive counts per (period, key), sorted by period then key; unlabelled directives are not
    counted by area."""
    rows = store.trend_rows(by, period, filters)
    out = [TrendRow(p, key, _label(by, key, label), n) for p, key, label, n in rows]
    out.sort(key=lambda t: (t.period == "", t.period, key_order(t.key, t.label)))
    return out


def key_order(key: str, label: str) -> tuple:
    """Areas in taxonomy order, levels from province down, localities in Vietnamese alphabetical order."""
    if key in AREA_BY_ID:
        return (0, AREA_IDS.index(key), ())
    if key in LEVEL_NAMES and key:
        return (1, list(LEVEL_NAMES).index(key), ())
    return (2, 0, vn_sort_key(label))


def directive_totals(store: Store, period: str = "month", filters: Filters | None = None,
                     labelled: bool = True) -> dict[str, int]:
    """Directives per period, each counted once (only those with an area when `labelled`)."""
    from dataclasses import replace

    f = filters or Filters()
    if labelled and not f.areas:
        f = replace(f, areas=list(AREA_IDS))
    totals: dict[str, int] = {}
    for p, _, _, n in store.trend_rows("level", period, f):
        totals[p] = totals.get(p, 0) + n
    return totals


def _next_period(value: str, period: str) -> str:
    if period == "year":
        return str(int(value) + 1)
    if period == "quarter":
        year, q = int(value[:4]), int(value[6:])
        return f"{year + q // 4}-Q{q % 4 + 1}"
    year, month = int(value[:4]), int(value[5:7])
    return f"{year + month // 12}-{month % 12 + 1:02d}"


def all_periods(present: list[str], period: str) -> list[str]:
    """Every period from the first to the last present one (empty ones included), then "" if present."""
    known = sorted(p for p in set(present) if p)
    out: list[str] = []
    if known:
        value = known[0]
        while value <= known[-1] and len(out) < 2400:
            out.append(value)
            value = _next_period(value, period)
    return out + ([""] if "" in present else [])


def _label(by: str, key: str, label: str) -> str:
    if by == "area":
        area = AREA_BY_ID.get(key)
        return area.short if area else key
    if by == "level":
        return LEVEL_NAMES.get(key, key)
    return label or "Không rõ địa phương"


def trend_table(rows: list[TrendRow], period: str | None = None) -> tuple[list[str], list[tuple[str, str]], list[list[int]]]:
    """Pivot: (periods, [(key, label)], counts[period][key]) for tables and charts; with `period`, the
    empty periods between the first and the last are rows of zeros."""
    periods = list(dict.fromkeys(r.period for r in rows))
    if period:
        periods = all_periods(periods, period)
    keys = sorted(dict.fromkeys((r.key, r.label) for r in rows), key=lambda kl: key_order(*kl))
    index = {k[0]: j for j, k in enumerate(keys)}
    counts = [[0] * len(keys) for _ in periods]
    pos = {p: i for i, p in enumerate(periods)}
    for r in rows:
        counts[pos[r.period]][index[r.key]] = r.count
    return periods, keys, counts


def cell_directives(
    store: Store, by: str, period: str, period_value: str, key: str, filters: Filters | None = None,
    limit: int | None = None,
) -> list[Hit]:
    """The directives behind one cell of `trend_counts` (UI drill-down), in document order."""
    ids = store.trend_cell_ids(by, period, period_value, key, filters, limit)
    hits = store.hits(ids)
    return [hits[i] for i in ids if i in hits]
