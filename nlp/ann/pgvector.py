"""pgvector dense index: directive vectors in the PostgreSQL store itself (`directive_vectors`).

The table is created for one embedder (its id and dim are kept in `meta`) and its rows are written
on the store's connection, inside the notice's transaction, and deleted with their directive
(ON DELETE CASCADE): the store and its vectors can never disagree, so nothing is reconciled.

Kinds: "hnsw" (an HNSW index over inner product, `vector_ip_ops`) or "flat" (no index: an exact scan);
"auto" (the default, kept in meta `vector_kind`) follows the size (`choose_kind`), checked after ingests. A search restricted to a few thousand
allowed ids is always exact (the planner is kept off the HNSW index), larger filtered searches use
the index with iterative scans so filters do not starve the result.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nlp.ann.base import ANN, EmbedderMismatch, check_kind, choose_kind

if TYPE_CHECKING:
    from nlp.store.postgres import PostgresStore

EXACT_ALLOWED = 20_000  # filtered searches over at most this many ids are exact
EF_SEARCH = 200
HNSW_M, EF_CONSTRUCTION = 16, 64


class PgVectorIndex(ANN):
    """The `directive_vectors` table of a PostgreSQL store."""

    transactional = True

    def __init__(self, store: PostgresStore, embedder_id: str, dim: int) -> None:
        self.store = store
        self._conn = store._conn
        have = store.get_meta("vector_embedder")
        if have is not None and have != embedder_id:
            raise EmbedderMismatch(
                f"Các vectơ trong {store.location} được tạo bằng bộ nhúng '{have}', không dùng được với "
                f"'{embedder_id}'. Bỏ tùy chọn --embedder, hoặc chạy `cchc reindex --embedder …` để nhúng lại.")
        self._embedder_id = embedder_id
        self.dim = int(store.get_meta("vector_dim") or dim)
        if have is None:
            self._create(embedder_id, dim)

    def _create(self, embedder_id: str, dim: int) -> None:
        with self.store.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(7301124)")
            if self.store.get_meta("vector_embedder") is None:
                self._conn.execute("DROP TABLE IF EXISTS directive_vectors")
                self._conn.execute(
                    f"CREATE TABLE directive_vectors (directive_id BIGINT PRIMARY KEY "
                    f"REFERENCES directives(id) ON DELETE CASCADE, embedding vector({int(dim)}) NOT NULL)")
                for key, value in (("vector_embedder", embedder_id), ("vector_dim", str(dim))):
                    self._conn.execute(
                        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (key, value))
        self.dim = int(self.store.get_meta("vector_dim") or dim)

    @staticmethod
    def drop(store: PostgresStore) -> None:
        """Forget the vectors and their embedder (before re-embedding with another one)."""
        with store.transaction():
            store._conn.execute("DROP TABLE IF EXISTS directive_vectors")
            store._conn.execute("DELETE FROM meta WHERE key IN ('vector_embedder', 'vector_dim')")

    # --- ANN ----------------------------------------------------------------------------------
    @property
    def embedder_id(self) -> str:
        return self._embedder_id

    @property
    def kind(self) -> str:
        row = self._conn.execute(
            "SELECT 1 FROM pg_indexes WHERE tablename = 'directive_vectors' AND indexname = 'directive_vectors_hnsw'"
        ).fetchone()
        return "hnsw" if row else "flat"

    def set_kind(self, kind: str) -> None:
        """Choose "hnsw", "flat" or "auto" (recorded), and build or drop the HNSW index to match."""
        check_kind(kind)
        self.store.set_meta("vector_kind", kind)
        self.fit_kind()

    def fit_kind(self) -> bool:
        """Build or drop the HNSW index as the recorded kind (or, for "auto", the size) calls for."""
        chosen = self.store.get_meta("vector_kind") or "auto"
        kind = choose_kind(self.count()) if chosen == "auto" else chosen
        if kind == self.kind:
            return False
        self._build(kind)
        return True

    def _build(self, kind: str) -> None:
        if kind == "flat":
            self._conn.execute("DROP INDEX IF EXISTS directive_vectors_hnsw")
            return
        self._conn.execute(
            "CREATE INDEX IF NOT EXISTS directive_vectors_hnsw ON directive_vectors USING hnsw "
            f"(embedding vector_ip_ops) WITH (m = {HNSW_M}, ef_construction = {EF_CONSTRUCTION})")

    def has_missing(self) -> bool:
        """True when some stored directive has no vector."""
        return self._conn.execute(
            "SELECT 1 FROM directives d WHERE NOT EXISTS "
            "(SELECT 1 FROM directive_vectors v WHERE v.directive_id = d.id) LIMIT 1").fetchone() is not None

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM directive_vectors").fetchone()[0])

    def ids(self) -> np.ndarray:
        rows = self._conn.execute("SELECT directive_id FROM directive_vectors ORDER BY directive_id").fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def append(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        self._conn.executemany(
            "INSERT INTO directive_vectors(directive_id, embedding) VALUES (?, ?) "
            "ON CONFLICT (directive_id) DO UPDATE SET embedding = excluded.embedding",
            [(int(i), v) for i, v in zip(ids, vectors)],
        )

    def delete(self, ids: np.ndarray) -> None:
        ids = [int(i) for i in np.asarray(ids, dtype=np.int64)]
        if ids:
            self._conn.execute("DELETE FROM directive_vectors WHERE directive_id = ANY(?)", (ids,))

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        if len(ids) == 0:
            return out
        rows = self._conn.execute(
            "SELECT directive_id, embedding FROM directive_vectors WHERE directive_id = ANY(?)",
            ([int(i) for i in ids],)).fetchall()
        found = {int(r[0]): _array(r[1]) for r in rows}
        for n, i in enumerate(ids.tolist()):
            if i in found:
                out[n] = found[i]
        return out

    def vector(self, directive_id: int) -> np.ndarray | None:
        row = self._conn.execute(
            "SELECT embedding FROM directive_vectors WHERE directive_id = ?", (int(directive_id),)).fetchone()
        return None if row is None else _array(row[0])

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        if k <= 0:
            return []
        q = np.asarray(query, dtype=np.float32).reshape(self.dim)
        with self.store.transaction():  # SET LOCAL lasts for this transaction only
            self._conn.execute(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, int(k))}")
            if allowed is None:
                sql = ("SELECT directive_id, -(embedding <#> ?) AS s FROM directive_vectors "
                       "ORDER BY embedding <#> ? LIMIT ?")
                rows = self._conn.execute(sql, (q, q, int(k))).fetchall()
            else:
                allowed = [int(i) for i in np.asarray(allowed, dtype=np.int64)]
                if not allowed:
                    return []
                # "+ 0" keeps an exact order (no HNSW) for small sets; iterative scans serve large ones
                exact = " + 0" if len(allowed) <= EXACT_ALLOWED else ""
                self._conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
                sql = ("SELECT directive_id, -(embedding <#> ?) AS s FROM directive_vectors "
                       f"WHERE directive_id = ANY(?) ORDER BY (embedding <#> ?){exact} LIMIT ?")
                rows = self._conn.execute(sql, (q, allowed, q, int(k))).fetchall()
        out = [(int(r[0]), float(r[1])) for r in rows]
        out.sort(key=lambda p: (-p[1], p[0]))  # relaxed_order may return near-sorted rows
        return out


def _array(value: object) -> np.ndarray:
    """A float32 array from what pgvector's loader returns (a Vector or an array)."""
    to_numpy = getattr(value, "to_numpy", None)
    return np.asarray(to_numpy() if to_numpy else value, dtype=np.float32)
