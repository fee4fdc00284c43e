"""SQLite backend (the default, no server): one database file `cchc.sqlite` in the data directory, WAL.

Each document is written in one IMMEDIATE transaction; the FTS5 keyword index lives in the same
database and is kept in sync by triggers, so it always agrees with the directives. Directive ids come
from AUTOINCREMENT and are never reused. The dense index is a FAISS file beside it (nlp.ann.faiss).
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp.store.base import StoreError
from nlp.store.filters import Filters
from nlp.store.sql import SQLStore

DB_NAME = "cchc.sqlite"
SCHEMA_VERSION = "5"
INLINE_VALUES = 50  # longer value lists are bound as one JSON array (no limit on the number of values)

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
    kind TEXT NOT NULL DEFAULT 'directive',
    unit_key TEXT NOT NULL DEFAULT '',
    partners TEXT NOT NULL DEFAULT '[]',
    due TEXT NOT NULL DEFAULT '[]',
    task_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS directives_doc ON directives(doc_id, position);
CREATE INDEX IF NOT EXISTS directives_unit ON directives(unit_key);
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
CREATE TABLE IF NOT EXISTS task_status (
    doc_id TEXT NOT NULL,
    task_key TEXT NOT NULL,
    done_date TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    done_by TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (doc_id, task_key)
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


class SQLiteStore(SQLStore):
    """The SQLite database of one data directory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            raw = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"Không mở được cơ sở dữ liệu {self.path}: {exc}") from exc
        raw.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._conn = _LockedConnection(raw, self._lock, self.path)  # one Store may serve several UI threads
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

    @classmethod
    def open(cls, data_dir: str | Path | None = None, database_url: str | None = None) -> SQLiteStore:
        """The store of a data directory (created if needed)."""
        from nlp.config import data_dir as resolve_data_dir

        return cls(resolve_data_dir(data_dir) / DB_NAME)

    @property
    def location(self) -> str:
        return str(self.path)

    def close(self) -> None:
        self._conn.close()

    # --- schema -------------------------------------------------------------------------------
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
        if version not in ("1", "2", "3", "4"):
            raise StoreError(f"Cơ sở dữ liệu {self.path} có phiên bản lược đồ lạ: {version}")
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
        for column, default in (("unit_key", "''"), ("partners", "'[]'"), ("due", "'[]'"), ("task_key", "''")):
            if column not in columns:
                self._conn.execute(f"ALTER TABLE directives ADD COLUMN {column} TEXT NOT NULL DEFAULT {default}")
        self._conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION,))
        self._create_schema()
        self._fill_followup_columns()
        self.rebuild_keywords()

    # --- dialect -----------------------------------------------------------------------------
    def _in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        if len(values) <= INLINE_VALUES:
            return super()._in(column, values)
        return f"{column} IN (SELECT value FROM json_each(?))", [json.dumps(list(values))]

    def _like_any(self, expr: str, patterns: Sequence[str]) -> tuple[str, list[Any]]:
        if len(patterns) <= INLINE_VALUES:
            return super()._like_any(expr, patterns)
        return (f"EXISTS (SELECT 1 FROM json_each(?) p WHERE {expr} LIKE p.value ESCAPE '\\')",
                [json.dumps(list(patterns))])

    # --- transactions -------------------------------------------------------------------------
    def transaction(self) -> _Transaction:
        """`with store.transaction():` runs the block in one IMMEDIATE transaction."""
        return _Transaction(self._conn, self._lock)

    def snapshot_ids(self) -> tuple[int, np.ndarray]:
        with self._lock:
            own = not self._conn.in_transaction
            if own:
                self._conn.execute("BEGIN")
            try:
                return self.generation(), self.directive_ids()
            finally:
                if own:
                    self._conn.execute("COMMIT")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run a statement and return all rows (for tests and maintenance; code uses the methods)."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # --- keyword engine: FTS5 -----------------------------------------------------------------
    def keyword_search(
        self, units: Sequence[str], limit: int, filters: Filters | None = None, order: str = "bm25",
        require_all: bool = False,
    ) -> list[tuple[int, float]]:
        """FTS5 MATCH of the units. order="bm25": FTS5's BM25, whose cost grows with the postings of
        every unit (callers pass selective units only); order="recent": newest matches first, stopping
        after `limit` rows. See nlp.search.keyword_ranking."""
        if not units:
            return []
        match = fts_match(units, require_all)
        where, params = self._where(filters)
        score, sort = ("bm25(directives_fts, 1.0, 0.3)", "s") if order == "bm25" else ("0", "f.rowid DESC")
        if not params and where == "1 = 1":
            sql = (f"SELECT f.rowid, {score} AS s FROM directives_fts f "
                   f"WHERE directives_fts MATCH ? ORDER BY {sort} LIMIT ?")
            args: list[Any] = [match, limit]
        else:
            sql = (f"SELECT f.rowid, {score} AS s FROM directives_fts f "
                   "JOIN directives d ON d.id = f.rowid JOIN documents doc ON doc.doc_id = d.doc_id "
                   f"WHERE directives_fts MATCH ? AND {where} ORDER BY {sort} LIMIT ?")
            args = [match, *params, limit]
        rows = self._conn.execute(sql, args).fetchall()
        return [(int(r[0]), -float(r[1])) for r in rows]

    def rebuild_keywords(self) -> None:
        with self.transaction():
            # the update trigger would replay deletes against a possibly damaged index: suspend it
            self._conn.execute("DROP TRIGGER IF EXISTS directives_au")
            self._recompute_keywords()
            self._conn.execute("INSERT INTO directives_fts(directives_fts) VALUES ('rebuild')")
            self._reset_counters()
            self._create_schema()

    def check_keywords(self, deep: bool = False) -> bool:
        try:
            self._conn.execute("INSERT INTO directives_fts(directives_fts, rank) VALUES ('integrity-check', 1)")
        except StoreError:
            return False
        if deep:
            vocab = {r[0]: r[1] for r in self._conn.execute("SELECT term, doc FROM directives_vocab")}
            return vocab == {r[0]: r[1] for r in self._conn.execute("SELECT term, df FROM keyword_df")}
        return True


class _Result:
    """Rows fetched eagerly under the lock, with the cursor API the store uses."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.rows = cursor.fetchall()

    def fetchall(self) -> list[sqlite3.Row]:
        return self.rows

    def fetchone(self) -> sqlite3.Row | None:
        return self.rows[0] if self.rows else None

    def __iter__(self) -> Iterator[sqlite3.Row]:
        return iter(self.rows)


def error_message(exc: sqlite3.Error, path: Path) -> str:
    """A Vietnamese message for a SQLite failure on the database at `path`."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return f"Cơ sở dữ liệu {path} đang bị một tiến trình khác khóa quá lâu; hãy thử lại sau."
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (f"Tệp {path} không phải cơ sở dữ liệu cchc hoặc đã hỏng ({exc}); khôi phục bản sao lưu "
                "hoặc xóa tệp rồi nạp lại văn bản.")
    if "full" in text:
        return f"Hết chỗ trống trên đĩa khi ghi {path}."
    if "readonly" in text or "read-only" in text:
        return f"Không ghi được vào {path} (tệp hoặc thư mục chỉ cho đọc)."
    if "unable to open" in text or "disk i/o" in text:
        return f"Không mở hoặc không đọc được {path} ({exc})."
    return f"Lỗi cơ sở dữ liệu {path}: {exc}"


class _LockedConnection:
    """A connection whose statements run one at a time across threads (transactions hold the lock).

    SQLite errors become StoreError with a Vietnamese message naming the file.
    """

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock, path: Path) -> None:
        self._raw = conn
        self._lock = lock
        self._path = path

    @property
    def in_transaction(self) -> bool:
        return self._raw.in_transaction

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Result:
        with self._lock:
            try:
                return _Result(self._raw.execute(sql, params))
            except sqlite3.Error as exc:
                raise StoreError(error_message(exc, self._path)) from exc

    def executemany(self, sql: str, rows: Any) -> None:
        with self._lock:
            try:
                self._raw.executemany(sql, rows)
            except sqlite3.Error as exc:
                raise StoreError(error_message(exc, self._path)) from exc

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


def fts_match(units: Sequence[str], require_all: bool = False) -> str:
    """FTS5 MATCH expression: any (or all) of the units."""
    return (" AND " if require_all else " OR ").join(f'"{u}"' for u in units)


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
