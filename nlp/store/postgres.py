"""PostgreSQL backend (`CCHC_DATABASE_URL=postgresql://…`): one database shared by many processes.

The same tables as SQLite, written by the same portable SQL (`nlp.store.sql`). Differences:
- keyword search: a generated `tsv` column (the stored keyword terms taken verbatim as lexemes with
  their positions, the context column weighted B) with a GIN index; candidates come from `tsv @@ tsquery` ranked by `ts_rank`, then the
  searcher rescores them with the same BM25 as SQLite (see docs/benchmarks.md for the measured choice);
- dense vectors live in the database too (`directive_vectors`, pgvector, see nlp.ann.pgvector) and are
  written in the notice's transaction, so there is no index file to reconcile;
- several processes write at once: every writer takes row locks in one order (see SQLStore.add_notice),
  schema creation is serialised by an advisory lock, and a duplicate notice loses the race cleanly
  (`ON CONFLICT DO NOTHING`).
"""
from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus

from nlp.store.base import StoreError
from nlp.store.filters import Filters
from nlp.store.sql import SQLStore

SCHEMA_VERSION = "2"  # 2: follow-up (unit_key, partners, due, task_key, task_status)
SCHEMA_LOCK = 7_301_123  # advisory lock key serialising schema creation across processes
CONNECT_TIMEOUT = 10  # seconds

_SCHEMA = """
CREATE OR REPLACE FUNCTION cchc_terms(terms TEXT, weight TEXT) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(quote_literal(t) || ':' || least(p, 16383) || weight, ' ')::tsvector, ''::tsvector)
    FROM unnest(string_to_array(terms, ' ')) WITH ORDINALITY AS u(t, p) WHERE t <> ''
$$;
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
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    tsv tsvector GENERATED ALWAYS AS (cchc_terms(keyword, 'A') || cchc_terms(context, 'B')) STORED
);
ALTER TABLE directives ADD COLUMN IF NOT EXISTS unit_key TEXT NOT NULL DEFAULT '';
ALTER TABLE directives ADD COLUMN IF NOT EXISTS partners TEXT NOT NULL DEFAULT '[]';
ALTER TABLE directives ADD COLUMN IF NOT EXISTS due TEXT NOT NULL DEFAULT '[]';
ALTER TABLE directives ADD COLUMN IF NOT EXISTS task_key TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS directives_doc ON directives(doc_id, position);
CREATE INDEX IF NOT EXISTS directives_unit ON directives(unit_key);
CREATE INDEX IF NOT EXISTS directives_tsv ON directives USING gin (tsv);
CREATE TABLE IF NOT EXISTS directive_labels (
    directive_id BIGINT NOT NULL REFERENCES directives(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL DEFAULT 1.0,
    PRIMARY KEY (directive_id, label)
);
CREATE INDEX IF NOT EXISTS labels_by_label ON directive_labels(label, directive_id);
CREATE TABLE IF NOT EXISTS feedback (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    text TEXT NOT NULL,
    labels TEXT NOT NULL,
    heading TEXT NOT NULL DEFAULT '',
    directive_id BIGINT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_text ON feedback(text, id);
CREATE TABLE IF NOT EXISTS task_status (
    doc_id TEXT NOT NULL,
    task_key TEXT NOT NULL,
    done_date TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    done_by TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (doc_id, task_key)
);
CREATE TABLE IF NOT EXISTS keyword_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL);
CREATE OR REPLACE FUNCTION cchc_count_directives() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kw BIGINT := 0; ctx BIGINT := 0; n BIGINT := 0;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN kw := kw + NEW.kw_len; ctx := ctx + NEW.ctx_len; n := n + 1; END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN kw := kw - OLD.kw_len; ctx := ctx - OLD.ctx_len; n := n - 1; END IF;
    UPDATE meta SET value = (value::BIGINT + kw)::TEXT WHERE key = 'kw_tokens';
    UPDATE meta SET value = (value::BIGINT + ctx)::TEXT WHERE key = 'ctx_tokens';
    IF n <> 0 THEN UPDATE meta SET value = (value::BIGINT + n)::TEXT WHERE key = 'n_directives'; END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER directives_count AFTER INSERT OR DELETE OR UPDATE OF kw_len, ctx_len
    ON directives FOR EACH ROW EXECUTE FUNCTION cchc_count_directives();
"""


def describe(url: str) -> str:
    """host:port/database of a connection URL (never the password), for messages."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(địa chỉ không đọc được)"
    host = info.get("host") or "localhost"
    port = info.get("port") or "5432"
    return f"{host}:{port}/{info.get('dbname') or info.get('user') or ''}"


def error_message(exc: psycopg.Error, where: str) -> str:
    """A Vietnamese message for a PostgreSQL failure at `where` (host:port/database)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    low = text.lower()
    if isinstance(exc, psycopg.OperationalError):
        if "password" in low or "authentication" in low:
            return f"Máy chủ PostgreSQL {where} từ chối đăng nhập (sai tên người dùng hoặc mật khẩu): {text}"
        if "does not exist" in low:
            return f"Máy chủ PostgreSQL {where}: cơ sở dữ liệu hoặc người dùng không tồn tại: {text}"
        if "timeout" in low or "timed out" in low:
            return f"Không kết nối được máy chủ PostgreSQL {where}: hết thời gian chờ ({CONNECT_TIMEOUT} giây)."
        return f"Không kết nối được máy chủ PostgreSQL {where}: {text}"
    return f"Lỗi cơ sở dữ liệu PostgreSQL {where}: {text}"


class PostgresStore(SQLStore):
    """A cchc database on a PostgreSQL server."""

    _LABELS_AGG = "string_agg(label, ' ')"
    holds_vectors = True
    postings_budget = 1_500  # ts_rank reads each matching row's tsvector: ~10 µs a row (docs/benchmarks.md)

    def __init__(self, url: str) -> None:
        self.url = url
        self._where_text = describe(url)
        self._lock = threading.RLock()
        self._conn = _Connection(url, self._lock, self._where_text)
        version = self.get_meta_raw("schema_version")
        if version != SCHEMA_VERSION:
            with self.transaction():
                self._conn.execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))
                self._create_schema()
                if version == "1":  # rows stored before the follow-up columns existed
                    self._fill_followup_columns()
            self._conn.register_vector()

    @classmethod
    def open(cls, data_dir: Any = None, database_url: str | None = None) -> PostgresStore:
        if not database_url:
            raise StoreError("Chưa có địa chỉ cơ sở dữ liệu PostgreSQL (--database-url hoặc CCHC_DATABASE_URL).")
        return cls(database_url)

    @property
    def location(self) -> str:
        return f"postgresql://{self._where_text}"

    def close(self) -> None:
        self._conn.close()

    def get_meta_raw(self, key: str) -> str | None:
        """A meta value, None when the schema is not created yet."""
        exists = self._conn.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0]
        return self.get_meta(key) if exists else None

    def _create_schema(self) -> None:
        have = self._conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone()
        if not have:
            try:
                self._conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
            except StoreError as exc:
                raise StoreError(
                    f"Máy chủ PostgreSQL {self._where_text} chưa có phần mở rộng pgvector và cchc không tự cài "
                    f"được ({exc}). Quản trị viên chạy: CREATE EXTENSION vector;") from exc
        self._conn.execute_script(_SCHEMA)
        self._conn.execute(
            "INSERT INTO meta(key, value) VALUES ('schema_version', ?), ('generation', '0'), "
            "('kw_tokens', '0'), ('ctx_tokens', '0'), ('n_directives', '0') ON CONFLICT (key) DO NOTHING",
            (SCHEMA_VERSION,),
        )
        self._conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION,))

    # --- dialect ------------------------------------------------------------------------------
    def _in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return f"{column} = ANY(?)", [list(values)]

    def _like_any(self, expr: str, patterns: Sequence[str]) -> tuple[str, list[Any]]:
        return f"{expr} LIKE ANY(?)", [list(patterns)]  # backslash is LIKE's default escape here

    # --- transactions -------------------------------------------------------------------------
    def transaction(self) -> _Transaction:
        return _Transaction(self._conn, self._lock, "BEGIN")

    def snapshot_ids(self) -> tuple[int, np.ndarray]:
        with _Transaction(self._conn, self._lock, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"):
            return self.generation(), self.directive_ids()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Run a statement (`?` placeholders) and return all rows (for tests and maintenance)."""
        return self._conn.execute(sql, params).fetchall()

    # --- keyword engine: tsvector + GIN ---------------------------------------------------------
    def keyword_search(
        self, units: Sequence[str], limit: int, filters: Filters | None = None, order: str = "bm25",
        require_all: bool = False,
    ) -> list[tuple[int, float]]:
        """Rows whose tsv holds any (all) of the units; order="bm25": ts_rank (context weight 0.3),
        order="recent": newest first. The final BM25 ranking is the searcher's (nlp.search)."""
        if not units:
            return []
        query = tsquery(units, require_all)
        where, params = self._where(filters)
        score, sort = ("ts_rank('{0, 0, 0.3, 1}', d.tsv, q.q)", "s DESC, d.id") if order == "bm25" else ("0", "d.id DESC")
        join = "" if not params and where == "1 = 1" else " JOIN documents doc ON doc.doc_id = d.doc_id"
        rows = self._conn.execute(
            f"SELECT d.id, {score} AS s FROM directives d{join}, "
            f"(SELECT ?::tsquery AS q) q WHERE d.tsv @@ q.q AND {where} ORDER BY {sort} LIMIT ?",
            [query, *params, limit],
        ).fetchall()
        return [(int(r[0]), float(r[1])) for r in rows]

    def rebuild_keywords(self) -> None:
        with self.transaction():
            self._conn.execute("LOCK TABLE directives IN SHARE ROW EXCLUSIVE MODE")
            self._recompute_keywords()
            self._reset_counters()

    def check_keywords(self, deep: bool = False) -> bool:
        """The tsv column is generated (always consistent); deep also checks term frequencies and counters."""
        if not deep:
            return True
        totals = self._conn.execute(
            "SELECT count(*), coalesce(sum(kw_len), 0), coalesce(sum(ctx_len), 0) FROM directives").fetchone()
        return tuple(int(x) for x in totals) == self.keyword_totals() and self._df_consistent()


def tsquery(units: Sequence[str], require_all: bool = False) -> str:
    """A tsquery literal matching any (all) of the units as lexemes, verbatim; a unit of several
    syllables ("tre han") is a phrase (the stored syllables keep their positions)."""
    def lexeme(term: str) -> str:
        return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"

    parts = [lexeme(u) if " " not in u else "(" + " <-> ".join(lexeme(t) for t in u.split()) + ")" for u in units]
    return (" & " if require_all else " | ").join(parts)


class _Row(tuple):
    """A result row indexable by position and by column name (like sqlite3.Row)."""

    _index: dict[str, int] = {}

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        return tuple.__getitem__(self, self._index[key] if isinstance(key, str) else key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: psycopg.Cursor) -> Any:
    names = [c.name for c in cursor.description or []]
    row_type = type("Row", (_Row,), {"_index": {n: i for i, n in enumerate(names)}})
    return lambda values: row_type(values)


class _Connection:
    """One autocommit connection used under a lock, with `?` placeholders and eager fetches.

    A broken connection is reopened before the next statement outside a transaction.
    """

    def __init__(self, url: str, lock: threading.RLock, where: str) -> None:
        self._url = url
        self._lock = lock
        self._where = where
        self._raw = self._connect()

    def _connect(self) -> psycopg.Connection:
        try:
            conn = psycopg.connect(self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                                   row_factory=_row_factory, application_name="cchc")
        except psycopg.ProgrammingError as exc:  # an unparsable URL
            raise StoreError(f"Địa chỉ cơ sở dữ liệu PostgreSQL không hợp lệ: {exc}") from exc
        except psycopg.Error as exc:
            raise StoreError(error_message(exc, self._where)) from exc
        try:
            from pgvector.psycopg import register_vector

            register_vector(conn)
        except psycopg.ProgrammingError:
            pass  # the extension is created with the schema; registered again on the next connection
        return conn

    @property
    def in_transaction(self) -> bool:
        return self._raw.info.transaction_status != TransactionStatus.IDLE

    def register_vector(self) -> None:
        from pgvector.psycopg import register_vector

        register_vector(self._raw)

    def _ready(self) -> None:
        if self._raw.closed and not self._raw.broken:
            raise StoreError(f"Kết nối tới {self._where} đã đóng.")
        if self._raw.broken:
            if self._raw.info.transaction_status != TransactionStatus.UNKNOWN and self.in_transaction:
                raise StoreError(f"Mất kết nối tới máy chủ PostgreSQL {self._where} giữa một giao dịch.")
            self._raw = self._connect()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Result:
        with self._lock:
            self._ready()
            try:
                return _Result(self._raw.execute(_placeholders(sql), params or None))
            except psycopg.Error as exc:
                raise StoreError(error_message(exc, self._where)) from exc

    def execute_script(self, script: str) -> None:
        with self._lock:
            try:
                self._raw.execute(script)  # type: ignore[arg-type]  # no parameters: several statements
            except psycopg.Error as exc:
                raise StoreError(error_message(exc, self._where)) from exc

    def executemany(self, sql: str, rows: Any) -> None:
        rows = list(rows)
        if not rows:
            return
        with self._lock:
            self._ready()
            try:
                with self._raw.cursor() as cur:
                    cur.executemany(_placeholders(sql), rows)
            except psycopg.Error as exc:
                raise StoreError(error_message(exc, self._where)) from exc

    def close(self) -> None:
        with self._lock:
            self._raw.close()


def _placeholders(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


class _Result:
    def __init__(self, cursor: psycopg.Cursor) -> None:
        self.rows = cursor.fetchall() if cursor.description else []

    def fetchall(self) -> list[Any]:
        return self.rows

    def fetchone(self) -> Any:
        return self.rows[0] if self.rows else None

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)


class _Transaction:
    """BEGIN … COMMIT/ROLLBACK on the shared connection; re-entrant (inner blocks join the outer one)."""

    def __init__(self, conn: _Connection, lock: threading.RLock, begin: str) -> None:
        self._conn = conn
        self._lock = lock
        self._begin = begin
        self._outer = False

    def __enter__(self) -> _Connection:
        self._lock.acquire()
        try:
            self._outer = not self._conn.in_transaction
            if self._outer:
                self._conn.execute(self._begin)
        except BaseException:
            self._lock.release()
            raise
        return self._conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if self._outer:
                self._conn.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._lock.release()
