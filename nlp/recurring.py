"""Recurring weaknesses: the same reform area asked of the same unit again, in several notices and years.

A directive repeated notice after notice ("tiếp tục chấn chỉnh tình trạng hồ sơ trễ hạn" to the same
Phòng, three years running) marks a weakness that is not being fixed. Groups are (area, lead unit,
locality): "Phòng Nội vụ" of two districts are two units.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nlp.store import Filters, Store
from nlp.taxonomy import AREA_BY_ID
from nlp.vnsort import vn_sort_key


@dataclass
class Recurrence:
    """One area asked of one unit of one locality in `notices` notices over `years`."""

    area: str
    unit: str
    locality: str
    notices: int
    years: list[str]
    first: str  # date of the first notice
    last: str
    directive_ids: list[int] = field(default_factory=list)

    @property
    def area_name(self) -> str:
        return AREA_BY_ID[self.area].short if self.area in AREA_BY_ID else self.area

    def to_dict(self) -> dict[str, Any]:
        return {"area": self.area, "area_name": self.area_name, "unit": self.unit, "locality": self.locality,
                "notices": self.notices, "years": self.years, "first": self.first, "last": self.last,
                "directive_ids": self.directive_ids}


def recurring_weaknesses(store: Store, filters: Filters | None = None, min_notices: int = 2) -> list[Recurrence]:
    """(area, unit, locality) groups asked in at least `min_notices` notices, most repeated first."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in store.task_rows(filters):
        if not row["unit_key"]:
            continue
        for area in row["labels"]:
            groups.setdefault((area, row["unit_key"], row["locality_key"]), []).append(row)
    out = []
    for (area, _, _), rows in groups.items():
        docs = {r["doc_id"] for r in rows}
        if len(docs) < min_notices:
            continue
        dates = sorted(r["date"] for r in rows if r["date"])
        out.append(Recurrence(
            area=area, unit=rows[0]["unit"], locality=rows[0]["locality"], notices=len(docs),
            years=sorted({d[:4] for d in dates}), first=dates[0] if dates else "", last=dates[-1] if dates else "",
            directive_ids=[int(r["id"]) for r in rows],
        ))
    out.sort(key=lambda r: (-r.notices, -len(r.years), vn_sort_key(r.area_name), vn_sort_key(r.unit)))
    return out
