"""Portable SQL for the tables around the directives: trends queries and user feedback.

Mixins of `nlp.store.sql.SQLStore`; they use its connection (`self._conn`, `?` placeholders),
`self.transaction()` and `self._where(filters)`. A new table (e.g. follow-up status) gets its own
mixin here, its methods declared in `nlp.store.base.Store`, and its DDL in each backend's schema.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from nlp.store.base import check_trend
from nlp.store.filters import Filters
from nlp.taxonomy import check_labels

_PERIOD_SQL = {
    "month": "CASE WHEN length(doc.date) >= 7 THEN substr(doc.date, 1, 7) ELSE '' END",
    "quarter": (
        "CASE WHEN length(doc.date) >= 7 THEN substr(doc.date, 1, 4) || '-Q' || "
        "CAST((CAST(substr(doc.date, 6, 2) AS INTEGER) + 2) / 3 AS TEXT) ELSE '' END"
    ),
    "year": "CASE WHEN length(doc.date) >= 4 THEN substr(doc.date, 1, 4) ELSE '' END",
}
_KEY_SQL = {"area": "l.label", "locality": "doc.locality_key", "level": "doc.level"}




def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class TrendsSQL:
    """Directive counts per period and key (kind "directive" only)."""

    _conn: Any

    @staticmethod
    def _trend_from(by: str) -> str:
        join = " JOIN directive_labels l ON l.directive_id = d.id" if by == "area" else ""
        return f"FROM directives d JOIN documents doc ON doc.doc_id = d.doc_id AND d.kind = 'directive'{join}"

    def trend_rows(self, by: str, period: str, filters: Filters | None = None) -> list[tuple[str, str, str, int]]:
        check_trend(by, period)
        where, params = self._where(filters)
        label_sql = "max(doc.locality)" if by == "locality" else _KEY_SQL[by]
        period_sql, key_sql = _PERIOD_SQL[period], _KEY_SQL[by]
        rows = self._conn.execute(
            f"SELECT {period_sql} AS period, {key_sql} AS key, {label_sql} AS label, "
            f"count(DISTINCT d.id) AS n {self._trend_from(by)} WHERE {where} GROUP BY {period_sql}, {key_sql}",
            params,
        ).fetchall()
        return [(r[0], r[1], r[2], int(r[3])) for r in rows]

    def trend_cell_ids(
        self, by: str, period: str, period_value: str, key: str, filters: Filters | None = None,
        limit: int | None = None,
    ) -> list[int]:
        check_trend(by, period)
        where, params = self._where(filters)
        sql = (
            f"SELECT d.id, min(doc.date) AS date, min(d.doc_id) AS doc, min(d.position) AS pos "
            f"{self._trend_from(by)} WHERE {where} AND {_PERIOD_SQL[period]} = ? AND {_KEY_SQL[by]} = ? "
            f"GROUP BY d.id ORDER BY date, doc, pos" + (f" LIMIT {int(limit)}" if limit else "")
        )
        return [int(r[0]) for r in self._conn.execute(sql, [*params, period_value, key])]


class FeedbackSQL:
    """Users' label corrections."""

    _conn: Any

    def add_feedback(
        self, text: str, labels: Sequence[str], directive_id: int | None = None, heading: str = ""
    ) -> int:
        """The same correction made again (same text and labels, e.g. once before and once after the
        notice is saved) updates the latest row instead of counting twice."""
        labels = check_labels(list(labels))
        directive_id = None if directive_id is None else int(directive_id)
        with self.transaction():
            if directive_id is not None:
                row = self._conn.execute("SELECT heading FROM directives WHERE id = ?", (directive_id,)).fetchone()
                if row is None:
                    raise KeyError(directive_id)
                heading = heading or row[0]
                self._write_labels(directive_id, labels, {lab: 1.0 for lab in labels})
            last = self._conn.execute(
                "SELECT id, labels, directive_id FROM feedback WHERE text = ? ORDER BY id DESC LIMIT 1", (text,)
            ).fetchone()
            if last and json.loads(last["labels"]) == labels and last["directive_id"] in (None, directive_id):
                self._conn.execute(
                    "UPDATE feedback SET directive_id = COALESCE(?, directive_id), heading = ? WHERE id = ?",
                    (directive_id, heading, last["id"]),
                )
                return int(last["id"])
            row = self._conn.execute(
                "INSERT INTO feedback(text, labels, heading, directive_id, created_at) VALUES (?,?,?,?,?) RETURNING id",
                (text, json.dumps(labels), heading, directive_id, now()),
            ).fetchone()
        return int(row[0])

    def feedback_rows(self) -> list[dict[str, Any]]:
        rows = self._conn.execute("SELECT text, labels, heading FROM feedback ORDER BY id").fetchall()
        latest: dict[str, dict[str, Any]] = {}
        for r in rows:
            latest[r["text"]] = {"text": r["text"], "labels": json.loads(r["labels"]), "heading": r["heading"]}
        return list(latest.values())

    def recent_feedback(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            "SELECT text, labels, created_at FROM feedback ORDER BY id DESC LIMIT ?", (int(limit),)).fetchall()
        return [dict(r) for r in rows]

    def feedback_directive_ids(self) -> set[int]:
        rows = self._conn.execute("SELECT DISTINCT directive_id FROM feedback WHERE directive_id IS NOT NULL")
        return {int(r[0]) for r in rows}
