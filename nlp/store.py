"""SQLite store: the source of truth for documents, directives, labels, feedback and keyword search.

One database file (`cchc.sqlite` in the data directory), WAL mode. Each document is written in one
transaction; the FTS5 keyword index lives in the same database and is kept in sync by triggers, so it
is always consistent with the directives. Directive ids come from AUTOINCREMENT and are never reused,
which lets the derived dense index detect stale entries by id alone.
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from nlp.normalize import fold
from nlp.records import Hit, Notice
from nlp.taxonomy import AREAS, AREA_IDS, check_labels
from nlp.vitext import keyword_text

DB_NAME = "cchc.sqlite"
SCHEMA_VERSION = "4"
LEVELS = ("tinh", "huyen", "xa")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    doc_number TEXT NOT NULL DEFAULT '',
    doc_type TEXT NOT NULL DEFAULT 'other',
    issuer TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL DEFAULT '',
    locality TEXT NOT NULL DEFAULT '',
    locality_key TEXT NOT NULL DEFAULT '',
    issue_date TEXT NOT NULL DEFAULT '',
    issue_date_precision TEXT NOT NULL DEFAULT '',
    meeting_date TEXT NOT NULL DEFAULT '',
    meeting_date_precision TEXT NOT NULL DEFAULT '',
    chair TEXT NOT NULL DEFAULT '',
    signer TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '',
    date_precision TEXT NOT NULL DEFAULT '',
    date_start TEXT,
    date_end TEXT,
    text TEXT NOT NULL DEFAULT '',
    ingested_at TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS directives (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    path TEXT NOT NULL DEFAULT '',
    heading TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    deadlines TEXT NOT NULL DEFAULT '[]',
    targets TEXT NOT NULL DEFAULT '[]',
    scores TEXT NOT NULL DEFAULT '{}',
    keyword TEXT NOT NULL DEFAULT '',
    context TEXT NOT NULL DEFAULT '',
    kw_len INTEGER NOT NULL DEFAULT 0,
    ctx_len INTEGER NOT NULL DEFAULT 0,
    kind TEXT NOT NULL DEFAULT 'directive'
);
CREATE INDEX IF NOT EXISTS directives_doc ON directives(doc_id, position);
CREATE TABLE IF NOT EXISTS directive_labels (
    directive_id INTEGER NOT NULL REFERENCES directives(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    score REAL NOT NULL DEFAULT 1.0,
    PRIMARY KEY (directive_id, label)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS labels_by_label ON directive_labels(label, directive_id);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    text TEXT NOT NULL,
    labels TEXT NOT NULL,
    heading TEXT NOT NULL DEFAULT '',
    directive_id INTEGER,
    created_at TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS directives_fts USING fts5(
    keyword, context, content='directives', content_rowid='id',
    tokenize="unicode61 remove_diacritics 2 tokenchars '_'"
);
CREATE VIRTUAL TABLE IF NOT EXISTS directives_vocab USING fts5vocab(directives_fts, 'row');
CREATE TABLE IF NOT EXISTS keyword_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS directives_ai AFTER INSERT ON directives BEGIN
    INSERT INTO directives_fts(rowid, keyword, context) VALUES (new.id, new.keyword, new.context);
    UPDATE meta SET value = CAST(value AS INTEGER) + new.kw_len WHERE key = 'kw_tokens';
    UPDATE meta SET value = CAST(value AS INTEGER) + new.ctx_len WHERE key = 'ctx_tokens';
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'n_directives';
END;
CREATE TRIGGER IF NOT EXISTS directives_ad AFTER DELETE ON directives BEGIN
    INSERT INTO directives_fts(directives_fts, rowid, keyword, context)
    VALUES ('delete', old.id, old.keyword, old.context);
    UPDATE meta SET value = CAST(value AS INTEGER) - old.kw_len WHERE key = 'kw_tokens';
    UPDATE meta SET value = CAST(value AS INTEGER) - old.ctx_len WHERE key = 'ctx_tokens';
    UPDATE meta SET value = CAST(value AS INTEGER) - 1 WHERE key = 'n_directives';
END;
CREATE TRIGGER IF NOT EXISTS directives_au AFTER UPDATE OF keyword, context ON directives BEGIN
    INSERT INTO directives_fts(directives_fts, rowid, keyword, context)
    VALUES ('delete', old.id, old.keyword, old.context);
    INSERT INTO directives_fts(rowid, keyword, context) VALUES (new.id, new.keyword, new.context);
    UPDATE meta SET value = CAST(value AS INTEGER) + new.kw_len - old.kw_len WHERE key = 'kw_tokens';
    UPDATE meta SET value = CAST(value AS INTEGER) + new.ctx_len - old.ctx_len WHERE key = 'ctx_tokens';
END;
"""

_HIT_SELECT = """
SELECT d.id, d.doc_id, d.text, d.unit, d.deadlines, d.heading, d.path, d.kind,
       doc.locality, doc.date, doc.title, doc.level, doc.doc_type,
       (SELECT group_concat(label, ' ') FROM directive_labels l WHERE l.directive_id = d.id) AS labels
FROM directives d JOIN documents doc ON doc.doc_id = d.doc_id
"""


def content_id(text: str) -> str:
    """Short content hash of a normalised text: the document id."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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


@dataclass
class Filters:
    """Search/trend filters; empty lists and strings mean "no restriction"."""

    areas: list[str] = field(default_factory=list)
    localities: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    doc_types: list[str] = field(default_factory=list)
    date_from: str = ""  # YYYY-MM-DD, inclusive
    date_to: str = ""  # YYYY-MM-DD, inclusive

    def is_empty(self) -> bool:
        return not (self.areas or self.localities or self.levels or self.doc_types
                    or self.date_from or self.date_to)

    def sql(self) -> tuple[str, list[Any]]:
        """A WHERE fragment over aliases `d` (directives) and `doc` (documents), with parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.areas:
            ids = [resolve_area(a) for a in self.areas]
            clauses.append(
                "d.id IN (SELECT directive_id FROM directive_labels WHERE label IN "
                f"({','.join('?' * len(ids))}))"
            )
            params += ids
        if self.localities:
            keys = [" ".join(re.findall(r"\w+", fold(x))) for x in self.localities]
            clauses.append("(" + " OR ".join("(' ' || doc.locality_key || ' ') LIKE ?" for _ in keys) + ")")
            params += [f"% {k} %" for k in keys]
        if self.levels:
            levels = [resolve_level(x) for x in self.levels]
            clauses.append(f"doc.level IN ({','.join('?' * len(levels))})")
            params += levels
        if self.doc_types:
            clauses.append(f"doc.doc_type IN ({','.join('?' * len(self.doc_types))})")
            params += list(self.doc_types)
        if self.date_from:
            clauses.append("doc.date_end >= ?")
            params.append(_check_day(self.date_from))
        if self.date_to:
            clauses.append("doc.date_start <= ?")
            params.append(_check_day(self.date_to))
        return (" AND ".join(clauses) or "1"), params


def _check_day(value: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{4}-\d{2}|\d{4}", value):
        raise ValueError(f"Ngày không hợp lệ: '{value}' (định dạng YYYY-MM-DD).")
    return value


class Store:
    """The SQLite database of one data directory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        raw = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        raw.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._conn = _LockedConnection(raw, self._lock)  # one Store may serve several UI threads
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        if self._schema_version() == SCHEMA_VERSION:
            return  # an up-to-date database: opening it writes nothing
        with self.transaction():
            version = self._schema_version()
            if version and version != SCHEMA_VERSION:
                self._migrate(version)
            self._create_schema()

    def _schema_version(self) -> str | None:
        if not self._conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
            return None
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return row[0] if row else None

    def _create_schema(self) -> None:
        for statement in _split_sql(_SCHEMA):
            self._conn.execute(statement)
        self._conn.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?), ('generation', '0'), "
            "('kw_tokens', '0'), ('ctx_tokens', '0'), ('n_directives', '0')",
            (SCHEMA_VERSION,),
        )

    def _migrate(self, version: str) -> None:
        """Bring an older database to the current schema (the keyword index is rebuilt)."""
        if version not in ("1", "2", "3"):
            raise RuntimeError(f"Cơ sở dữ liệu {self.path} có phiên bản lược đồ lạ: {version}")
        if version == "1":
            self._conn.execute("ALTER TABLE directives ADD COLUMN kw_len INTEGER NOT NULL DEFAULT 0")
            self._conn.execute("ALTER TABLE directives ADD COLUMN ctx_len INTEGER NOT NULL DEFAULT 0")
            for name in ("directives_ai", "directives_ad", "directives_au"):
                self._conn.execute(f"DROP TRIGGER IF EXISTS {name}")
            self._conn.execute("DROP TABLE IF EXISTS directives_vocab")
            self._conn.execute("DROP TABLE IF EXISTS directives_fts")
        columns = {r[1] for r in self._conn.execute("PRAGMA table_info(directives)")}
        if "kind" not in columns:
            self._conn.execute("ALTER TABLE directives ADD COLUMN kind TEXT NOT NULL DEFAULT 'directive'")
        self._conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION,))
        self._create_schema()
        self.rebuild_keywords()

    @classmethod
    def open(cls, data_dir: str | Path) -> Store:
        """The store of a data directory (created if needed)."""
        return cls(Path(data_dir) / DB_NAME)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions -------------------------------------------------------------------------
    def transaction(self) -> _Transaction:
        """`with store.transaction():` runs the block in one IMMEDIATE transaction."""
        return _Transaction(self._conn, self._lock)

    def _bump_generation(self) -> None:
        self._conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")

    def generation(self) -> int:
        """Counter bumped by every change to the set of directives (used to skip index checks)."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self._conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # --- documents ----------------------------------------------------------------------------
    def has_document(self, doc_id: str) -> bool:
        return self._conn.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone() is not None

    def add_notice(self, notice: Notice, doc_id: str, name: str = "") -> list[int]:
        """Store a parsed notice and its directives in one transaction; return the new directive ids.

        Returns [] when a document with this id is already stored (idempotent re-ingest).
        """
        with self.transaction():
            if self.has_document(doc_id):
                return []
            self._insert_document(notice, doc_id, name)
            terms: Counter[str] = Counter()
            ids = [self._insert_directive(doc_id, i, d, terms) for i, d in enumerate(notice.directives)]
            self._add_df(terms, +1)
            self._bump_generation()
        return ids

    def _insert_document(self, notice: Notice, doc_id: str, name: str) -> None:
        date, precision = effective_date(notice)
        start, end = date_range(date)
        meta = notice.metadata()
        self._conn.execute(
            """INSERT INTO documents(doc_id, name, title, doc_number, doc_type, issuer, level, locality,
                   locality_key, issue_date, issue_date_precision, meeting_date, meeting_date_precision,
                   chair, signer, date, date_precision, date_start, date_end, text, ingested_at)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (
                doc_id, name, meta["title"], meta["doc_number"], meta["doc_type"] or "other", meta["issuer"],
                meta["level"], meta["locality"], " ".join(re.findall(r"\w+", fold(meta["locality"]))),
                meta["issue_date"], meta["issue_date_precision"], meta["meeting_date"],
                meta["meeting_date_precision"], meta["chair"], meta["signer"], date, precision, start, end,
                notice.text, _now(),
            ),
        )

    def _insert_directive(self, doc_id: str, position: int, d: Any, terms: Counter[str] | None = None) -> int:
        labels = check_labels(list(d.labels))
        keyword, context = _keyword_columns(d.text, d.heading, d.unit)
        if terms is not None:
            terms.update(_unique_terms(keyword, context))
        cur = self._conn.execute(
            """INSERT INTO directives(doc_id, position, path, heading, text, unit, deadlines, targets, scores,
                   keyword, context, kw_len, ctx_len, kind) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (
                doc_id, position, d.path, d.heading, d.text, d.unit,
                json.dumps(list(d.deadlines), ensure_ascii=False),
                json.dumps(list(d.targets), ensure_ascii=False),
                json.dumps({k: float(v) for k, v in d.scores.items()}),
                keyword, context, _n_tokens(keyword), _n_tokens(context), getattr(d, "kind", "directive"),
            ),
        )
        directive_id = int(cur.lastrowid)
        self._write_labels(directive_id, labels, d.scores)
        return directive_id

    def _write_labels(self, directive_id: int, labels: Sequence[str], scores: dict[str, float]) -> None:
        self._conn.execute("DELETE FROM directive_labels WHERE directive_id = ?", (directive_id,))
        self._conn.executemany(
            "INSERT INTO directive_labels(directive_id, label, score) VALUES (?, ?, ?)",
            [(directive_id, lab, float(scores.get(lab, 1.0))) for lab in labels],
        )

    def _add_df(self, terms: Counter[str], sign: int) -> None:
        """Add (sign +1) or remove (-1) documents to the per-term document frequencies."""
        if sign > 0:
            self._conn.executemany(
                "INSERT INTO keyword_df(term, df) VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
                terms.items(),
            )
        else:
            self._conn.executemany("UPDATE keyword_df SET df = df - ? WHERE term = ?", [(n, t) for t, n in terms.items()])
            self._conn.execute("DELETE FROM keyword_df WHERE df <= 0")

    def delete_document(self, doc_id: str) -> int:
        """Delete a document and its directives (labels and FTS rows follow); return directives removed.

        Raises KeyError when the document is not stored.
        """
        with self.transaction():
            if not self.has_document(doc_id):
                raise KeyError(doc_id)
            rows = self._conn.execute("SELECT keyword, context FROM directives WHERE doc_id = ?", (doc_id,)).fetchall()
            n = len(rows)
            terms: Counter[str] = Counter()
            for r in rows:
                terms.update(_unique_terms(r[0], r[1]))
            self._add_df(terms, -1)
            self._conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            self._bump_generation()
        return int(n)

    def find_documents(self, prefix: str) -> list[str]:
        """Document ids starting with `prefix` (lets users type a short id)."""
        rows = self._conn.execute(
            "SELECT doc_id FROM documents WHERE doc_id LIKE ? ORDER BY doc_id", (prefix + "%",)
        ).fetchall()
        return [r[0] for r in rows]

    def document(self, doc_id: str) -> dict[str, Any] | None:
        """A document's metadata and full text (None if absent)."""
        row = self._conn.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return dict(row) if row else None

    def documents(self) -> list[dict[str, Any]]:
        """Metadata of every document with its directive count, newest first (no full text)."""
        rows = self._conn.execute(
            """SELECT doc.doc_id, doc.name, doc.title, doc.doc_number, doc.doc_type, doc.level, doc.locality,
                      doc.date, doc.ingested_at,
                      (SELECT count(*) FROM directives d WHERE d.doc_id = doc.doc_id AND d.kind = 'directive') AS directives
               FROM documents doc ORDER BY doc.date DESC, doc.doc_id"""
        ).fetchall()
        return [dict(r) for r in rows]

    # --- directives ---------------------------------------------------------------------------
    def directive_ids(self) -> np.ndarray:
        """All directive ids, ascending, as int64."""
        rows = self._conn.execute("SELECT id FROM directives ORDER BY id").fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def snapshot_ids(self) -> tuple[int, np.ndarray]:
        """(generation, all directive ids) read from one consistent snapshot."""
        with self._lock:
            own = not self._conn.in_transaction
            if own:
                self._conn.execute("BEGIN")
            try:
                return self.generation(), self.directive_ids()
            finally:
                if own:
                    self._conn.execute("COMMIT")

    def directive_texts(self, ids: Sequence[int] | None = None) -> Iterator[tuple[int, str]]:
        """(id, text) of the given directives (all when None), in id order."""
        if ids is None:
            yield from ((int(r[0]), r[1]) for r in self._conn.execute("SELECT id, text FROM directives ORDER BY id"))
            return
        ids = [int(i) for i in ids]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self._conn.execute(
                f"SELECT id, text FROM directives WHERE id IN ({','.join('?' * len(chunk))}) ORDER BY id", chunk
            ).fetchall()
            yield from ((int(r[0]), r[1]) for r in rows)

    def directive(self, directive_id: int) -> dict[str, Any] | None:
        """Everything stored about one directive (None if absent)."""
        row = self._conn.execute("SELECT * FROM directives WHERE id = ?", (int(directive_id),)).fetchone()
        if not row:
            return None
        out = dict(row)
        for key in ("deadlines", "targets", "scores"):
            out[key] = json.loads(out[key])
        out["labels"] = self.labels(int(directive_id))
        return out

    def doc_directives(self, doc_id: str, passages: bool = False) -> list[dict[str, Any]]:
        """The directives of a document in reading order (with its indexed passages when asked)."""
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
        """Replace a directive's labels (and its per-area scores when given)."""
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
        """Stored directives joined with their notice's metadata, as Hits (score 0); absent ids are skipped."""
        out: dict[int, Hit] = {}
        ids = [int(i) for i in ids]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self._conn.execute(
                _HIT_SELECT + f" WHERE d.id IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall()
            for r in rows:
                out[int(r["id"])] = _row_hit(r)
        return out

    # --- search support -----------------------------------------------------------------------
    def keyword_search(
        self, match: str, limit: int, filters: Filters | None = None, order: str = "bm25"
    ) -> list[tuple[int, float]]:
        """(directive id, score, higher is better) for an FTS5 MATCH expression.

        order="bm25": FTS5's BM25; its cost grows with the postings of every term in `match` (FTS5 counts
        each term's documents), so callers pass selective terms only. order="recent": newest matches
        first (score 0), stopping after `limit` rows, for terms too common to score. See
        nlp.search.keyword_ranking.
        """
        if not match:
            return []
        where, params = (filters or Filters()).sql()
        score, sort = ("bm25(directives_fts, 1.0, 0.3)", "s") if order == "bm25" else ("0", "f.rowid DESC")
        if where == "1":
            sql = (f"SELECT f.rowid, {score} AS s FROM directives_fts f "
                   f"WHERE directives_fts MATCH ? ORDER BY {sort} LIMIT ?")
            args: list[Any] = [match, limit]
        else:
            sql = (f"SELECT f.rowid, {score} AS s FROM directives_fts f "
                   "JOIN directives d ON d.id = f.rowid JOIN documents doc ON doc.doc_id = d.doc_id "
                   f"WHERE directives_fts MATCH ? AND {where} ORDER BY {sort} LIMIT ?")
            args = [match, *params, limit]
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        return [(int(r[0]), -float(r[1])) for r in rows]

    def keyword_rows(self, ids: Sequence[int]) -> list[tuple[int, str, str, int, int]]:
        """(id, indexed terms of the text, of heading+unit, and their token counts) of directives."""
        out: list[tuple[int, str, str, int, int]] = []
        ids = [int(i) for i in ids]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self._conn.execute(
                "SELECT id, keyword, context, kw_len, ctx_len FROM directives "
                f"WHERE id IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall()
            out += [(int(r[0]), r[1], r[2], int(r[3]), int(r[4])) for r in rows]
        return out

    def keyword_totals(self) -> tuple[int, int, int]:
        """(directives, tokens in the text column, tokens in the context column) for BM25 lengths."""
        rows = dict(self._conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('n_directives', 'kw_tokens', 'ctx_tokens')").fetchall())
        return int(rows.get("n_directives", 0)), int(rows.get("kw_tokens", 0)), int(rows.get("ctx_tokens", 0))

    def doc_frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        """Number of directives containing each term (kept beside the FTS index, in the same transactions;
        FTS5's own vocabulary table counts postings on every call, too slow for common terms)."""
        terms = list(dict.fromkeys(terms))
        if not terms:
            return {}
        rows = self._conn.execute(
            f"SELECT term, df FROM keyword_df WHERE term IN ({','.join('?' * len(terms))})", terms
        ).fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def filter_ids(self, filters: Filters) -> np.ndarray:
        """Ids of the directives passing the filters."""
        where, params = filters.sql()
        rows = self._conn.execute(
            f"SELECT d.id FROM directives d JOIN documents doc ON doc.doc_id = d.doc_id WHERE {where}", params
        ).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def rebuild_keywords(self) -> None:
        """Recompute the keyword columns from the texts and rebuild the FTS index (one transaction)."""
        with self.transaction():
            rows = self._conn.execute("SELECT id, text, heading, unit FROM directives").fetchall()
            # the update trigger would replay deletes against a possibly damaged index: suspend it
            self._conn.execute("DROP TRIGGER IF EXISTS directives_au")
            updates = []
            terms: Counter[str] = Counter()
            for r in rows:
                keyword, context = _keyword_columns(r[1], r[2], r[3])
                terms.update(_unique_terms(keyword, context))
                updates.append((keyword, context, _n_tokens(keyword), _n_tokens(context), r[0]))
            self._conn.execute("DELETE FROM keyword_df")
            self._add_df(terms, +1)
            self._conn.executemany(
                "UPDATE directives SET keyword = ?, context = ?, kw_len = ?, ctx_len = ? WHERE id = ?", updates
            )
            self._conn.execute("INSERT INTO directives_fts(directives_fts) VALUES ('rebuild')")
            self._conn.execute(
                "UPDATE meta SET value = (SELECT coalesce(sum(kw_len), 0) FROM directives) WHERE key = 'kw_tokens'")
            self._conn.execute(
                "UPDATE meta SET value = (SELECT coalesce(sum(ctx_len), 0) FROM directives) WHERE key = 'ctx_tokens'")
            self._conn.execute(
                "UPDATE meta SET value = (SELECT count(*) FROM directives) WHERE key = 'n_directives'")
            self._create_schema()

    def check_keywords(self, deep: bool = False) -> bool:
        """True when the FTS index matches the directives table (deep: the term frequencies too)."""
        try:
            self._conn.execute("INSERT INTO directives_fts(directives_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError:
            return False
        if deep:
            vocab = dict(self._conn.execute("SELECT term, doc FROM directives_vocab").fetchall())
            return vocab == dict(self._conn.execute("SELECT term, df FROM keyword_df").fetchall())
        return True

    def count_directives(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM directives").fetchone()[0])

    def stats(self) -> dict[str, Any]:
        """Counts of documents, directives, labelled directives and feedback rows."""
        q = self._conn.execute
        return {
            "documents": int(q("SELECT count(*) FROM documents").fetchone()[0]),
            "directives": self.count_directives(),
            "labelled_directives": int(q("SELECT count(DISTINCT directive_id) FROM directive_labels").fetchone()[0]),
            "feedback": int(q("SELECT count(*) FROM feedback").fetchone()[0]),
            "generation": self.generation(),
        }

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run a read-only query (used by trends); returns all rows."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # --- feedback -----------------------------------------------------------------------------
    def add_feedback(
        self, text: str, labels: Sequence[str], directive_id: int | None = None, heading: str = ""
    ) -> int:
        """Record a user's label correction; also replaces that directive's stored labels.

        The same correction made again (same text and labels, e.g. once before and once after the
        notice is saved) updates the latest row instead of counting twice.
        """
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
            cur = self._conn.execute(
                "INSERT INTO feedback(text, labels, heading, directive_id, created_at) VALUES (?,?,?,?,?)",
                (text, json.dumps(labels), heading, directive_id, _now()),
            )
        return int(cur.lastrowid)

    def feedback_rows(self) -> list[dict[str, Any]]:
        """Feedback for training: the latest correction per text, as {"text", "labels", "heading"}."""
        rows = self._conn.execute("SELECT text, labels, heading FROM feedback ORDER BY id").fetchall()
        latest: dict[str, dict[str, Any]] = {}
        for r in rows:
            latest[r["text"]] = {"text": r["text"], "labels": json.loads(r["labels"]), "heading": r["heading"]}
        return list(latest.values())

    def feedback_directive_ids(self) -> set[int]:
        """Directives whose labels were corrected by a user (re-tagging must not overwrite them)."""
        rows = self._conn.execute("SELECT DISTINCT directive_id FROM feedback WHERE directive_id IS NOT NULL")
        return {int(r[0]) for r in rows}


class _Result:
    """Rows fetched eagerly under the lock, with the cursor API the store uses."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.rows = cursor.fetchall()
        self.lastrowid = cursor.lastrowid

    def fetchall(self) -> list[sqlite3.Row]:
        return self.rows

    def fetchone(self) -> sqlite3.Row | None:
        return self.rows[0] if self.rows else None

    def __iter__(self) -> Iterator[sqlite3.Row]:
        return iter(self.rows)


class _LockedConnection:
    """A connection whose statements run one at a time across threads (transactions hold the lock)."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock) -> None:
        self._raw = conn
        self._lock = lock

    @property
    def in_transaction(self) -> bool:
        return self._raw.in_transaction

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Result:
        with self._lock:
            return _Result(self._raw.execute(sql, params))

    def executemany(self, sql: str, rows: Any) -> None:
        with self._lock:
            self._raw.executemany(sql, rows)

    def close(self) -> None:
        with self._lock:
            self._raw.close()


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT/ROLLBACK; re-entrant (inner blocks join the outer transaction)."""

    def __init__(self, conn: _LockedConnection, lock: threading.RLock) -> None:
        self._conn = conn
        self._lock = lock
        self._outer = False

    def __enter__(self) -> _LockedConnection:
        self._lock.acquire()
        self._outer = not self._conn.in_transaction
        if self._outer:
            self._conn.execute("BEGIN IMMEDIATE")
        return self._conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if self._outer:
                self._conn.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._lock.release()


def index_terms(text: str) -> str:
    """What the FTS index holds for a text: its accent-less syllables, then its syllable bigrams.

    "Hồ sơ trễ hạn" -> "ho so tre han ho_so so_tre tre_han". Bigram tokens make word matches single
    posting-list lookups with their own document frequency (cheaper and more selective than phrases).
    """
    syllables = keyword_text(text).split()
    return " ".join(syllables + [f"{a}_{b}" for a, b in zip(syllables, syllables[1:])])


def _keyword_columns(text: str, heading: str, unit: str) -> tuple[str, str]:
    return index_terms(text), index_terms(" ".join(x for x in (heading, unit) if x))


def _unique_terms(keyword: str, context: str) -> set[str]:
    return set(keyword.split()) | set(context.split())


def _n_tokens(terms: str) -> int:
    return len(terms.split())


def _split_sql(script: str) -> list[str]:
    """Split the schema script into statements (triggers contain inner semicolons)."""
    out: list[str] = []
    buf: list[str] = []
    depth = 0
    for line in script.strip().splitlines():
        buf.append(line)
        stripped = line.strip().upper()
        if stripped.startswith("CREATE TRIGGER"):
            depth = 1
        if depth and stripped == "END;":
            depth = 0
        if not depth and stripped.endswith(";"):
            out.append("\n".join(buf))
            buf = []
    return out


def _row_hit(r: sqlite3.Row) -> Hit:
    deadlines = json.loads(r["deadlines"] or "[]")
    labels = set((r["labels"] or "").split())
    return Hit(
        doc_id=r["doc_id"], directive_id=int(r["id"]), text=r["text"], score=0.0,
        labels=[a for a in AREA_IDS if a in labels], unit=r["unit"], deadline=min(deadlines) if deadlines else "",
        locality=r["locality"], date=r["date"], title=r["title"], level=r["level"], doc_type=r["doc_type"],
        heading=r["heading"], kind=r["kind"],
    )
