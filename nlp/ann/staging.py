"""Where `cchc batch reembed` collects new vectors before swapping them in (resumable).

FAISS: a pending index file in the data directory (`reembed-pending.faiss` + `reembed-pending.json`),
checkpointed every CHECKPOINT_EVERY seconds; the swap saves it as the live index (reconciled with the
store, under the index lock). pgvector: a `directive_vectors_next` table, swapped for
`directive_vectors` in one transaction. Either way searches use the old vectors until the swap.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from nlp.ann.base import reconcile
from nlp.embed import Embedder

if TYPE_CHECKING:
    from nlp.store import Store

CHECKPOINT_EVERY = 30.0  # seconds
PENDING = "reembed-pending"


class Staging(Protocol):
    def ids(self) -> np.ndarray: ...

    def append(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    def finish(self) -> int:
        """Swap the staged vectors in (embedding whatever was stored meanwhile); the live vector count."""
        ...


def open_staging(store: Store, data_dir: str | Path, embedder: Embedder) -> Staging:
    """The staging area of an unfinished re-embed with this embedder, or a new one."""
    return PgStaging(store, embedder) if store.holds_vectors else FaissStaging(store, Path(data_dir), embedder)


class FaissStaging:
    def __init__(self, store: Store, data_dir: Path, embedder: Embedder) -> None:
        from nlp.ann.faiss import FaissIndex, IndexInfo

        self.store, self.data_dir, self.embedder = store, data_dir, embedder
        self._file, self._side = data_dir / f"{PENDING}.faiss", data_dir / f"{PENDING}.json"
        self.index = FaissIndex.create(embedder.id, embedder.dim, "flat")
        try:
            if json.loads(self._side.read_text(encoding="utf-8"))["embedder"] == embedder.id:
                import faiss

                self.index = FaissIndex(IndexInfo(embedder.id, embedder.dim, "flat"), faiss.read_index(str(self._file)))
        except (OSError, ValueError, KeyError, RuntimeError):
            pass  # no (usable) checkpoint: start over
        self._saved = time.monotonic()

    def ids(self) -> np.ndarray:
        return self.index.ids()

    def append(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self.index.append(ids, vectors)
        if time.monotonic() - self._saved > CHECKPOINT_EVERY:
            self._checkpoint()

    def _checkpoint(self) -> None:
        import faiss

        tmp = self._file.with_suffix(".tmp")
        faiss.write_index(self.index.index, str(tmp))
        os.replace(tmp, self._file)
        self._side.write_text(json.dumps({"embedder": self.embedder.id}), encoding="utf-8")
        self._saved = time.monotonic()

    def finish(self) -> int:
        from nlp.ann.faiss import FaissIndex
        from nlp.ann.sync import index_lock, sync

        self._checkpoint()
        with index_lock(self.data_dir):
            live = FaissIndex.read_info(self.data_dir)
            index = FaissIndex.create(self.embedder.id, self.embedder.dim, live.kind if live else "flat")
            index.append(self.index.ids(), self.index.vectors(self.index.ids()))
            sync(index, self.store, self.data_dir, self.embedder)  # embeds directives stored meanwhile
        self._file.unlink(missing_ok=True)
        self._side.unlink(missing_ok=True)
        return len(index)


class PgStaging:
    def __init__(self, store: Store, embedder: Embedder) -> None:
        self.store, self.embedder = store, embedder
        self._conn = store._conn  # type: ignore[attr-defined]
        if store.get_meta("reembed_embedder") != embedder.id:
            with store.transaction():
                self._conn.execute("DROP TABLE IF EXISTS directive_vectors_next")
                self._conn.execute(
                    "CREATE TABLE directive_vectors_next (directive_id BIGINT PRIMARY KEY REFERENCES directives(id) "
                    f"ON DELETE CASCADE, embedding vector({int(embedder.dim)}) NOT NULL)")
                store.set_meta("reembed_embedder", embedder.id)

    def ids(self) -> np.ndarray:
        rows = self._conn.execute("SELECT directive_id FROM directive_vectors_next").fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def append(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self._conn.executemany(
            "INSERT INTO directive_vectors_next(directive_id, embedding) VALUES (?, ?) "
            "ON CONFLICT (directive_id) DO UPDATE SET embedding = excluded.embedding",
            [(int(i), v) for i, v in zip(ids, np.asarray(vectors, dtype=np.float32))],
        )

    def finish(self) -> int:
        from nlp.ann.pgvector import PgVectorIndex

        store = self.store
        with store.transaction():
            self._conn.execute("LOCK TABLE directives IN SHARE MODE")  # no notice stored during the swap
            reconcile(self, store.directive_ids(), store.directive_texts, self.embedder)  # stored meanwhile
            self._conn.execute("DROP TABLE IF EXISTS directive_vectors")
            self._conn.execute("ALTER TABLE directive_vectors_next RENAME TO directive_vectors")
            self._conn.execute("ALTER INDEX directive_vectors_next_pkey RENAME TO directive_vectors_pkey")
            for key, value in (("vector_embedder", self.embedder.id), ("vector_dim", str(self.embedder.dim))):
                store.set_meta(key, value)
            self._conn.execute("DELETE FROM meta WHERE key = 'reembed_embedder'")
        index = PgVectorIndex(store, self.embedder.id, self.embedder.dim)  # type: ignore[arg-type]
        index.fit_kind()  # the recorded kind (or the size, for "auto") decides on the HNSW index
        return index.count()

    def delete(self, ids: np.ndarray) -> None:  # what `reconcile` calls for stale ids
        self._conn.execute("DELETE FROM directive_vectors_next WHERE directive_id = ANY(?)",
                           ([int(i) for i in ids],))
