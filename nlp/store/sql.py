"""The part of the store written once in portable SQL (SQLite and PostgreSQL run the same statements).

Backends supply a connection wrapper (`self._conn.execute(sql, params)` with `?` placeholders,
returning fetched rows indexable by position and by column name), transactions, the schema, the
keyword engine and a few dialect hooks (`_in`, `_like_any`, `_LABELS_AGG`). Tables beyond documents
and directives are mixins in `nlp.store.sql_tables` (one class per table or concern).
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from nlp.records import Hit, Notice
from nlp.store.base import Store, task_keys
from nlp.store.filters import Filters, date_range, effective_date, locality_key
from nlp.store.keywords import keyword_columns, n_tokens, term_counts
from nlp.store.sql_tables import FeedbackSQL, TrendsSQL, now
from nlp.store.sql_tasks import TasksSQL
from nlp.taxonomy import AREA_IDS, check_labels
from nlp.units import unit_key

CHUNK = 500  # ids per IN (...) list
# every column of `directives` but PostgreSQL's generated tsvector
DIRECTIVE_COLUMNS = ("id, doc_id, position, path, heading, text, unit, deadlines, targets, scores, keyword, context, "
                     "kw_len, ctx_len, kind, unit_key, partners, due, task_key")


def like_escape(value: str) -> str:
    """`value` with LIKE's wildcards escaped (backslash is the escape character)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SQLStore(TrendsSQL, FeedbackSQL, TasksSQL, Store):
    """Documents, directives, labels, feedback, filters and trends over a SQL connection."""

    _LABELS_AGG = "group_concat(label, ' ')"
    _conn: Any

    # --- dialect hooks ------------------------------------------------------------------------
    def _in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """`column IN (values)` as SQL and parameters."""
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    def _like_any(self, expr: str, patterns: Sequence[str]) -> tuple[str, list[Any]]:
        """`expr` LIKE any of the patterns (escaped with backslash) as SQL and parameters."""
        return "(" + " OR ".join(f"{expr} LIKE ? ESCAPE '\\'" for _ in patterns) + ")", list(patterns)

    def _bump_generation(self) -> None:
        self._conn.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'generation'")

    # --- meta ---------------------------------------------------------------------------------
    def generation(self) -> int:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self._conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # --- filters ------------------------------------------------------------------------------
    def _where(self, filters: Filters | None) -> tuple[str, list[Any]]:
        """A WHERE fragment over aliases `d` (directives) and `doc` (documents), with parameters."""
        f = (filters or Filters()).resolved()
        clauses: list[str] = []
        params: list[Any] = []

        def add(sql_params: tuple[str, list[Any]]) -> None:
            clauses.append(sql_params[0])
            params.extend(sql_params[1])

        if f.areas:
            sub, sub_params = self._in("label", f.areas)
            add((f"d.id IN (SELECT directive_id FROM directive_labels WHERE {sub})", sub_params))
        if f.locality_keys:
            add(self._like_any("(' ' || doc.locality_key || ' ')", [f"% {like_escape(k)} %" for k in f.locality_keys]))
        if f.levels:
            add(self._in("doc.level", f.levels))
        if f.doc_types:
            add(self._in("doc.doc_type", f.doc_types))
        if f.day_from:
            add(("doc.date_end >= ?", [f.day_from]))
        if f.day_to:
            add(("doc.date_start <= ?", [f.day_to]))
        if f.unit_keys:
            add(self._like_any("(' ' || d.unit_key || ' ')", [f"% {like_escape(k)} %" for k in f.unit_keys]))
        return (" AND ".join(clauses) or "1 = 1"), params

    def filter_ids(self, filters: Filters) -> np.ndarray:
        where, params = self._where(filters)
        rows = self._conn.execute(
            f"SELECT d.id FROM directives d JOIN documents doc ON doc.doc_id = d.doc_id WHERE {where}", params
        ).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    # --- documents ----------------------------------------------------------------------------
    def has_document(self, doc_id: str) -> bool:
        return self._conn.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone() is not None

    def add_notice(self, notice: Notice, doc_id: str, name: str = "") -> list[int]:
        # Lock order shared by every writer (no deadlock between concurrent PostgreSQL writers): the
        # document row, keyword_df terms (sorted), the counters in meta (directive triggers), generation.
        with self.transaction():
            if not self._insert_document(notice, doc_id, name):
                return []
            rows = notice.directives + notice.passages
            self._add_df(term_counts(keyword_columns(d.text, d.heading, d.unit, notice.title) for d in rows), +1)
            keys = task_keys([d.text for d in rows])
            ids = [self._insert_directive(doc_id, i, d, key, notice.title) for i, (d, key) in enumerate(zip(rows, keys))]
            self._bump_generation()
        return ids

    def _insert_document(self, notice: Notice, doc_id: str, name: str) -> bool:
        """Insert the document row; False when a document with this id is already stored."""
        date, precision = effective_date(notice)
        start, end = date_range(date)
        meta = notice.metadata()
        row = self._conn.execute(
            """INSERT INTO documents(doc_id, name, title, doc_number, doc_type, issuer, level, locality,
                   locality_key, issue_date, issue_date_precision, meeting_date, meeting_date_precision,
                   chair, signer, date, date_precision, date_start, date_end, text, ingested_at)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT (doc_id) DO NOTHING RETURNING doc_id""",
            (
                doc_id, name, meta["title"], meta["doc_number"], meta["doc_type"] or "other", meta["issuer"],
                meta["level"], meta["locality"], locality_key(meta["locality"]),
                meta["issue_date"], meta["issue_date_precision"], meta["meeting_date"],
                meta["meeting_date_precision"], meta["chair"], meta["signer"], date, precision, start, end,
                notice.text, now(),
            ),
        ).fetchone()
        return row is not None

    def _insert_directive(self, doc_id: str, position: int, d: Any, task_key: str = "", title: str = "") -> int:
        task_key = task_key or task_keys([d.text])[0]
        labels = check_labels(list(d.labels))
        keyword, context = keyword_columns(d.text, d.heading, d.unit, title)
        due = [x.to_dict() if hasattr(x, "to_dict") else dict(x) for x in getattr(d, "due", [])]
        row = self._conn.execute(
            """INSERT INTO directives(doc_id, position, path, heading, text, unit, deadlines, targets, scores,
                   keyword, context, kw_len, ctx_len, kind, unit_key, partners, due, task_key)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id""",
            (
                doc_id, position, d.path, d.heading, d.text, d.unit,
                json.dumps(list(d.deadlines), ensure_ascii=False),
                json.dumps(list(d.targets), ensure_ascii=False),
                json.dumps({k: float(v) for k, v in d.scores.items()}),
                keyword, context, n_tokens(keyword), n_tokens(context), getattr(d, "kind", "directive"),
                unit_key(d.unit), json.dumps(list(getattr(d, "partners", [])), ensure_ascii=False),
                json.dumps(due, ensure_ascii=False), task_key,
            ),
        ).fetchone()
        directive_id = int(row[0])
        self._write_labels(directive_id, labels, d.scores)
        return directive_id

    def _write_labels(self, directive_id: int, labels: Sequence[str], scores: dict[str, float]) -> None:
        self._conn.execute("DELETE FROM directive_labels WHERE directive_id = ?", (directive_id,))
        self._conn.executemany(
            "INSERT INTO directive_labels(directive_id, label, score) VALUES (?, ?, ?)",
            [(directive_id, lab, float(scores.get(lab, 1.0))) for lab in labels],
        )

    def _add_df(self, terms: dict[str, int], sign: int) -> None:
        """Add (sign +1) or remove (-1) rows to the per-term document frequencies.

        Terms are written in sorted order, so concurrent writers lock them in the same order.
        """
        items = sorted(terms.items())
        if sign > 0:
            self._conn.executemany(
                "INSERT INTO keyword_df(term, df) VALUES (?, ?) "
                "ON CONFLICT (term) DO UPDATE SET df = keyword_df.df + excluded.df",
                items,
            )
        else:
            self._conn.executemany("UPDATE keyword_df SET df = df - ? WHERE term = ?", [(n, t) for t, n in items])
            self._conn.execute("DELETE FROM keyword_df WHERE df <= 0")

    def delete_document(self, doc_id: str) -> int:
        with self.transaction():
            if not self.has_document(doc_id):
                raise KeyError(doc_id)
            rows = self._conn.execute(
                "SELECT keyword, context, kind FROM directives WHERE doc_id = ?", (doc_id,)).fetchall()
            self._add_df(term_counts((r[0], r[1]) for r in rows), -1)
            self._conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            self._bump_generation()
        return sum(r[2] == "directive" for r in rows)

    def find_documents(self, prefix: str) -> list[str]:
        rows = self._conn.execute(
            "SELECT doc_id FROM documents WHERE doc_id LIKE ? ESCAPE '\\' ORDER BY doc_id",
            (like_escape(prefix) + "%",),
        ).fetchall()
        return [r[0] for r in rows]

    def documents_named(self, name: str) -> list[str]:
        rows = self._conn.execute(
            "SELECT doc_id FROM documents WHERE name = ? OR name LIKE ? ESCAPE '\\' ORDER BY doc_id",
            (name, "%/" + like_escape(name)),
        ).fetchall()
        return [r[0] for r in rows]

    def duplicate_candidates(self, notice: Notice, limit: int = 50) -> list[dict[str, Any]]:
        keys = [(column, value) for column, value in (("doc_number", notice.doc_number), ("issue_date", notice.issue_date),
                                                      ("title", notice.title)) if value.strip()]
        if not keys:
            return []
        where = " OR ".join(f"{column} = ?" for column, _ in keys)
        rows = self._conn.execute(
            f"SELECT doc_id, name, title, doc_number, issuer, issue_date, text FROM documents WHERE {where} "
            f"ORDER BY doc_id LIMIT {int(limit)}", tuple(value for _, value in keys),
        ).fetchall()
        return [dict(r) for r in rows]

    def document(self, doc_id: str) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return dict(row) if row else None

    def documents(self) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            """SELECT doc.doc_id, doc.name, doc.title, doc.doc_number, doc.doc_type, doc.level, doc.locality,
                      doc.date, doc.ingested_at,
                      (SELECT count(*) FROM directives d WHERE d.doc_id = doc.doc_id AND d.kind = 'directive') AS directives
               FROM documents doc ORDER BY doc.date DESC, doc.doc_id"""
        ).fetchall()
        return [dict(r) for r in rows]

    def localities(self) -> list[str]:
        rows = self._conn.execute("SELECT DISTINCT locality FROM documents WHERE locality <> '' ORDER BY locality")
        return [r[0] for r in rows]

    def doc_types(self) -> set[str]:
        return {r[0] for r in self._conn.execute("SELECT DISTINCT doc_type FROM documents")}

    # --- directives ---------------------------------------------------------------------------
    def directive_ids(self) -> np.ndarray:
        rows = self._conn.execute("SELECT id FROM directives ORDER BY id").fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def _chunks(self, sql: str, ids: Sequence[int], column: str = "id") -> Iterator[Any]:
        """Rows of `sql` (a SELECT with a `{where}` slot) for ids, CHUNK at a time."""
        ids = [int(i) for i in ids]
        for start in range(0, len(ids), CHUNK):
            where, params = self._in(column, ids[start : start + CHUNK])
            yield from self._conn.execute(sql.format(where=where), params).fetchall()

    def directive_texts(self, ids: Sequence[int] | None = None) -> Iterator[tuple[int, str]]:
        if ids is None:
            yield from ((int(r[0]), r[1]) for r in self._conn.execute("SELECT id, text FROM directives ORDER BY id"))
            return
        for r in self._chunks("SELECT id, text FROM directives WHERE {where} ORDER BY id", ids):
            yield int(r[0]), r[1]

    def tagging_rows(self) -> list[tuple[int, str, str, str]]:
        rows = self._conn.execute(
            "SELECT d.id, d.text, d.heading, doc.title FROM directives d JOIN documents doc ON doc.doc_id = d.doc_id "
            "WHERE d.kind = 'directive' ORDER BY d.id").fetchall()
        return [(int(r[0]), r[1], r[2], r[3]) for r in rows]

    def directive(self, directive_id: int) -> dict[str, Any] | None:
        row = self._conn.execute(f"SELECT {DIRECTIVE_COLUMNS} FROM directives WHERE id = ?", (int(directive_id),)).fetchone()
        if not row:
            return None
        out = dict(row)
        for key in ("deadlines", "targets", "scores", "partners", "due"):
            out[key] = json.loads(out[key])
        out["labels"] = self.labels(int(directive_id))
        return out

    def doc_directives(self, doc_id: str, passages: bool = False) -> list[dict[str, Any]]:
        kinds = "" if passages else " AND kind = 'directive'"
        ids = [r[0] for r in self._conn.execute(
            f"SELECT id FROM directives WHERE doc_id = ?{kinds} ORDER BY position", (doc_id,))]
        return [d for d in (self.directive(i) for i in ids) if d]

    def labels(self, directive_id: int) -> list[str]:
        rows = self._conn.execute(
            "SELECT label FROM directive_labels WHERE directive_id = ?", (int(directive_id),)
        ).fetchall()
        return [a for a in AREA_IDS if a in {r[0] for r in rows}]

    def set_labels(self, directive_id: int, labels: Sequence[str], scores: dict[str, float] | None = None) -> None:
        labels = check_labels(list(labels))
        directive_id = int(directive_id)
        with self.transaction():
            if scores is not None:
                self._conn.execute(
                    "UPDATE directives SET scores = ? WHERE id = ?",
                    (json.dumps({k: float(v) for k, v in scores.items()}), directive_id),
                )
            self._write_labels(directive_id, labels, scores or {})

    def hits(self, ids: Sequence[int]) -> dict[int, Hit]:
        sql = f"""
            SELECT d.id, d.doc_id, d.text, d.unit, d.deadlines, d.heading, d.path, d.kind, d.partners,
                   doc.locality, doc.date, doc.title, doc.level, doc.doc_type, doc.doc_number,
                   (SELECT {self._LABELS_AGG} FROM directive_labels l WHERE l.directive_id = d.id) AS labels
            FROM directives d JOIN documents doc ON doc.doc_id = d.doc_id WHERE {{where}}"""
        return {int(r["id"]): _row_hit(r) for r in self._chunks(sql, ids, "d.id")}

    def count_directives(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM directives").fetchone()[0])

    def stats(self) -> dict[str, Any]:
        q = self._conn.execute
        kinds = {r[0]: int(r[1]) for r in q("SELECT kind, count(*) FROM directives GROUP BY kind")}
        return {
            "documents": int(q("SELECT count(*) FROM documents").fetchone()[0]),
            "directives": kinds.get("directive", 0),
            "passages": kinds.get("passage", 0),
            "labelled_directives": int(q("SELECT count(DISTINCT directive_id) FROM directive_labels").fetchone()[0]),
            "feedback": int(q("SELECT count(*) FROM feedback").fetchone()[0]),
            "generation": self.generation(),
        }

    # --- keyword support shared by the engines -------------------------------------------------
    def keyword_rows(self, ids: Sequence[int]) -> list[tuple[int, str, str, int, int]]:
        sql = "SELECT id, keyword, context, kw_len, ctx_len FROM directives WHERE {where}"
        return [(int(r[0]), r[1], r[2], int(r[3]), int(r[4])) for r in self._chunks(sql, ids)]

    def keyword_totals(self) -> tuple[int, int, int]:
        rows = {r[0]: r[1] for r in self._conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('n_directives', 'kw_tokens', 'ctx_tokens')").fetchall()}
        return int(rows.get("n_directives", 0)), int(rows.get("kw_tokens", 0)), int(rows.get("ctx_tokens", 0))

    def doc_frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        terms = list(dict.fromkeys(terms))
        if not terms:
            return {}
        where, params = self._in("term", terms)
        rows = self._conn.execute(f"SELECT term, df FROM keyword_df WHERE {where}", params).fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def _recompute_keywords(self) -> None:
        """Rewrite every row's keyword columns and the term frequencies (inside a transaction)."""
        rows = self._conn.execute(
            "SELECT d.id, d.text, d.heading, d.unit, doc.title FROM directives d JOIN documents doc ON doc.doc_id = d.doc_id"
        ).fetchall()
        updates = []
        columns = []
        for r in rows:
            keyword, context = keyword_columns(r[1], r[2], r[3], r[4])
            columns.append((keyword, context))
            updates.append((keyword, context, n_tokens(keyword), n_tokens(context), r[0]))
        self._conn.execute("DELETE FROM keyword_df")
        self._add_df(term_counts(columns), +1)
        self._conn.executemany(
            "UPDATE directives SET keyword = ?, context = ?, kw_len = ?, ctx_len = ? WHERE id = ?", updates
        )

    def _reset_counters(self) -> None:
        for key, expr in (("kw_tokens", "coalesce(sum(kw_len), 0)"), ("ctx_tokens", "coalesce(sum(ctx_len), 0)"),
                          ("n_directives", "count(*)")):
            self._conn.execute(
                f"UPDATE meta SET value = (SELECT CAST({expr} AS TEXT) FROM directives) WHERE key = ?", (key,))

    def _df_consistent(self) -> bool:
        """keyword_df equals the frequencies recomputed from the stored keyword columns."""
        rows = self._conn.execute("SELECT keyword, context FROM directives").fetchall()
        expected = dict(term_counts((r[0], r[1]) for r in rows))
        return expected == {r[0]: int(r[1]) for r in self._conn.execute("SELECT term, df FROM keyword_df")}


def _row_hit(r: Any) -> Hit:
    deadlines = json.loads(r["deadlines"] or "[]")
    labels = set((r["labels"] or "").split())
    return Hit(
        doc_id=r["doc_id"], directive_id=int(r["id"]), text=r["text"], score=0.0,
        labels=[a for a in AREA_IDS if a in labels], unit=r["unit"], deadline=min(deadlines) if deadlines else "",
        locality=r["locality"], date=r["date"], title=r["title"], level=r["level"], doc_type=r["doc_type"],
        heading=r["heading"], kind=r["kind"], doc_number=r["doc_number"], partners=json.loads(r["partners"] or "[]"),
    )
