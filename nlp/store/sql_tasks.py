"""Portable SQL for the follow-up of directives: task status (done, done date, note, who).

A mixin of `nlp.store.sql.SQLStore` (uses `self._conn`, `self.transaction()`, `self._where`). Status rows
are keyed by (doc_id, task_key), never by the directive's row id, and have no foreign key: deleting a
notice and ingesting it again, re-indexing or re-tagging keeps every status.
"""
from __future__ import annotations

import json
import re
from typing import Any

from nlp.store.base import task_keys
from nlp.store.filters import Filters
from nlp.store.sql_tables import now
from nlp.taxonomy import AREA_IDS
from nlp.units import unit_key

_TASK_SQL = """
    SELECT d.id, d.doc_id, d.position, d.path, d.text, d.unit, d.partners, d.deadlines, d.due, d.task_key,
           doc.doc_number, doc.title, doc.date, doc.locality, doc.level,
           COALESCE(t.done_date, '') AS done_date, COALESCE(t.note, '') AS note, COALESCE(t.done_by, '') AS done_by,
           d.unit_key, doc.locality_key, (SELECT {labels} FROM directive_labels l WHERE l.directive_id = d.id) AS labels
    FROM directives d JOIN documents doc ON doc.doc_id = d.doc_id
    LEFT JOIN task_status t ON t.doc_id = d.doc_id AND t.task_key = d.task_key
    WHERE d.kind = 'directive' AND {where}
    ORDER BY doc.date, d.doc_id, d.position"""


class TasksSQL:
    """Follow-up status of kind-"directive" rows."""

    _conn: Any
    _LABELS_AGG: str

    def task_rows(self, filters: Filters | None = None) -> list[dict[str, Any]]:
        where, params = self._where(filters)
        rows = self._conn.execute(_TASK_SQL.format(where=where, labels=self._LABELS_AGG), params).fetchall()
        out = []
        for r in rows:
            row = dict(r)
            for key in ("partners", "deadlines", "due"):
                row[key] = json.loads(row[key] or "[]")
            present = set((row["labels"] or "").split())
            row["labels"] = [a for a in AREA_IDS if a in present]
            out.append(row)
        return out

    def _task_of(self, directive_id: int) -> tuple[str, str]:
        row = self._conn.execute(
            "SELECT doc_id, task_key FROM directives WHERE id = ? AND kind = 'directive'", (int(directive_id),)
        ).fetchone()
        if row is None:
            raise KeyError(directive_id)
        return row[0], row[1]

    def mark_done(self, directive_id: int, done_date: str, note: str = "", done_by: str = "") -> None:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", done_date or ""):
            raise ValueError(f"Ngày hoàn thành không hợp lệ: '{done_date}' (định dạng YYYY-MM-DD).")
        with self.transaction():
            doc_id, key = self._task_of(directive_id)
            self._conn.execute(
                "INSERT INTO task_status(doc_id, task_key, done_date, note, done_by, updated_at) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT (doc_id, task_key) DO UPDATE SET done_date = excluded.done_date, note = excluded.note, "
                "done_by = excluded.done_by, updated_at = excluded.updated_at",
                (doc_id, key, done_date, note.strip(), done_by.strip(), now()),
            )

    def mark_open(self, directive_id: int) -> bool:
        with self.transaction():
            doc_id, key = self._task_of(directive_id)
            found = self._conn.execute(
                "SELECT 1 FROM task_status WHERE doc_id = ? AND task_key = ?", (doc_id, key)).fetchone()
            self._conn.execute("DELETE FROM task_status WHERE doc_id = ? AND task_key = ?", (doc_id, key))
        return found is not None

    def units(self) -> list[str]:
        rows = self._conn.execute(
            "SELECT DISTINCT unit FROM directives WHERE kind = 'directive' AND unit <> ''").fetchall()
        return [r[0] for r in rows]

    def _fill_followup_columns(self) -> None:
        """Fill the follow-up columns of rows stored before they existed (schema migration): the unit's
        key, the task key, and partners and deadlines read again from the stored text."""
        from nlp.dates import find_due
        from nlp.units import find_partners

        docs = self._conn.execute("SELECT doc_id, date FROM documents").fetchall()
        for doc_id, doc_date in docs:
            year = int(doc_date[:4]) if doc_date[:4].isdigit() else None
            rows = self._conn.execute(
                "SELECT id, text, unit FROM directives WHERE doc_id = ? ORDER BY position", (doc_id,)).fetchall()
            keys = task_keys([r[1] for r in rows])
            self._conn.executemany(
                "UPDATE directives SET unit_key = ?, task_key = ?, partners = ?, due = ? WHERE id = ?",
                [(unit_key(r[2]), key, json.dumps(find_partners(r[1], r[2]), ensure_ascii=False),
                  json.dumps([d.to_dict() for d in find_due(r[1], year)], ensure_ascii=False), r[0])
                 for r, key in zip(rows, keys)],
            )
