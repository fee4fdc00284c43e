"""Trends: counts of directives per area, locality or level per month, quarter or year.

A directive is dated by its notice's issue date, falling back to the meeting date. Dates with too
little precision for the period (a year-only date in a monthly view) or no date at all fall in the
period "" (shown as "không rõ"). A directive with several labels counts once in each of its areas.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from nlp.records import Hit
from nlp.store import Filters, Store
from nlp.taxonomy import AREA_BY_ID, AREA_IDS

BY = ("area", "locality", "level")
PERIODS = ("month", "quarter", "year")
UNKNOWN_PERIOD = "không rõ"
LEVEL_NAMES = {"tinh": "Tỉnh", "huyen": "Huyện", "xa": "Xã", "": "Không rõ cấp"}

_PERIOD_SQL = {
    "month": "CASE WHEN length(doc.date) >= 7 THEN substr(doc.date, 1, 7) ELSE '' END",
    "quarter": (
        "CASE WHEN length(doc.date) >= 7 THEN substr(doc.date, 1, 4) || '-Q' || "
        "((CAST(substr(doc.date, 6, 2) AS INTEGER) + 2) / 3) ELSE '' END"
    ),
    "year": "CASE WHEN length(doc.date) >= 4 THEN substr(doc.date, 1, 4) ELSE '' END",
}
_KEY_SQL = {"area": "l.label", "locality": "doc.locality_key", "level": "doc.level"}


@dataclass
class TrendRow:
    """One cell: `count` directives of `key` (area id, folded locality, level id) in `period`."""

    period: str  # "2023-04", "2023-Q2", "2023" or "" when unknown
    key: str
    label: str  # display name of the key
    count: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check(by: str, period: str) -> None:
    if by not in BY:
        raise ValueError(f"Không thống kê được theo '{by}' (chọn area, locality hoặc level).")
    if period not in PERIODS:
        raise ValueError(f"Kỳ không hợp lệ: '{period}' (chọn month, quarter hoặc year).")


def _from(by: str) -> str:
    join = " JOIN directive_labels l ON l.directive_id = d.id" if by == "area" else ""
    return f"FROM directives d JOIN documents doc ON doc.doc_id = d.doc_id AND d.kind = 'directive'{join}"


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
    _check(by, period)
    where, params = (filters or Filters()).sql()
    label_sql = "max(doc.locality)" if by == "locality" else _KEY_SQL[by]
    rows = store.execute(
        f"SELECT {_PERIOD_SQL[period]} AS period, {_KEY_SQL[by]} AS key, {label_sql} AS label, "
        f"count(DISTINCT d.id) AS n {_from(by)} WHERE {where} GROUP BY period, key",
        params,
    )
    out = [TrendRow(r["period"], r["key"], _label(by, r["key"], r["label"]), int(r["n"])) for r in rows]
    order = {a: i for i, a in enumerate(AREA_IDS)}
    out.sort(key=lambda t: (t.period == "", t.period, order.get(t.key, 99), t.key))
    return out


def _label(by: str, key: str, label: str) -> str:
    if by == "area":
        area = AREA_BY_ID.get(key)
        return area.short if area else key
    if by == "level":
        return LEVEL_NAMES.get(key, key)
    return label or "Không rõ địa phương"


def trend_table(rows: list[TrendRow]) -> tuple[list[str], list[tuple[str, str]], list[list[int]]]:
    """Pivot: (periods, [(key, label)], counts[period][key]) for tables and charts."""
    periods = list(dict.fromkeys(r.period for r in rows))
    order = {a: i for i, a in enumerate(AREA_IDS)}
    keys = sorted(dict.fromkeys((r.key, r.label) for r in rows), key=lambda kl: (order.get(kl[0], 99), kl[1]))
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
    _check(by, period)
    where, params = (filters or Filters()).sql()
    sql = (
        f"SELECT DISTINCT d.id {_from(by)} WHERE {where} AND {_PERIOD_SQL[period]} = ? AND {_KEY_SQL[by]} = ? "
        f"ORDER BY doc.date, d.doc_id, d.position" + (f" LIMIT {int(limit)}" if limit else "")
    )
    ids = [int(r[0]) for r in store.execute(sql, [*params, period_value, key])]
    hits = store.hits(ids)
    return [hits[i] for i in ids if i in hits]
