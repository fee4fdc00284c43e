"""Keeping a FAISS index in step with a SQLite store across processes and crashes.

`open_synced` opens the index for a store and reconciles it: ids missing from the index are embedded
and added, ids no longer in the store are removed, so a crash between a store commit and the index
write heals itself on the next open. Writers serialise on `index_lock` (a file lock).
"""
from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nlp.ann.base import EmbedderMismatch, check_kind, reconcile
from nlp.ann.faiss import FaissIndex
from nlp.embed import Embedder, spec_of_id

if TYPE_CHECKING:
    from nlp.store import Store

LOCK = "index.lock"


@contextmanager
def index_lock(data_dir: str | Path, wait: bool = True) -> Iterator[bool]:
    """Exclusive lock serialising index writers across processes; yields False if busy and not waiting."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / LOCK, "a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def mismatch_message(data_dir: str | Path, index_id: str, wanted_id: str) -> str:
    return (
        f"Chỉ mục vectơ trong '{data_dir}' được xây bằng bộ nhúng '{index_id}', không dùng được với "
        f"bộ nhúng '{wanted_id}'. Bỏ tùy chọn --embedder để dùng bộ nhúng của chỉ mục, hoặc chạy "
        f"`cchc reindex --embedder {spec_of_id(wanted_id)}` để xây lại chỉ mục."
    )


def sync(index: FaissIndex, store: Store, data_dir: str | Path, embedder: Embedder) -> tuple[int, int]:
    """Reconcile the index with a snapshot of the store and save it (the caller holds the lock)."""
    generation, ids = store.snapshot_ids()
    if index.info.generation == generation and index.info.file:
        return 0, 0
    changes = reconcile(index, ids, store.directive_texts, embedder)
    index.fit_kind()
    index.save(data_dir, generation)
    return changes


def load_locked(
    store: Store,
    data_dir: str | Path,
    embedder: Embedder,
    kind: str | None = None,
    fresh: bool = False,
    reuse: bool = True,
    current: FaissIndex | None = None,
) -> FaissIndex:
    """Load (or create) the index and reconcile it with the store; the caller holds `index_lock`.

    `fresh` or a `kind` different from the stored one starts an empty index (vectors are re-used from
    the old index when the embedder is unchanged and `reuse`, so only a model change re-embeds everything).
    `current`, an index already in memory, is used instead of re-reading the same file from disk.
    """
    info = FaissIndex.read_info(data_dir)
    if current is not None and info is not None and current.info.file == info.file:
        old = current
    else:
        old = FaissIndex.load(data_dir)
    if old is not None and old.info.embedder != embedder.id and not fresh:
        raise EmbedderMismatch(mismatch_message(data_dir, old.info.embedder, embedder.id))
    index = old
    check_kind(kind)
    changed = kind is not None and (kind == "auto") != (old is not None and old.info.auto)
    if index is None or fresh or changed or kind not in (None, "auto", index.kind):
        index = FaissIndex.create(embedder.id, embedder.dim, kind or (old.kind if old and not old.info.auto else None))
        if reuse and old is not None and old.info.embedder == embedder.id and len(old):
            live = old.ids()
            index.append(live, old.vectors(live))
    sync(index, store, data_dir, embedder)
    return index


def open_synced(
    store: Store, data_dir: str | Path, embedder: Embedder, kind: str | None = None, wait: bool = True
) -> FaissIndex:
    """Load the data directory's index, reconciled with the store.

    The embedder must be the index's (see `nlp.ann.resolve_embedder`). A missing or unreadable index is rebuilt;
    a `kind` different from the stored one rebuilds with that kind. With wait=False and another
    process writing the index, the index is returned as it is on disk (search drops ids the store no
    longer has; directives committed by the writer become searchable once it saves).
    """
    index = FaissIndex.load(data_dir)
    if index is not None and index.info.embedder != embedder.id:
        raise EmbedderMismatch(mismatch_message(data_dir, index.info.embedder, embedder.id))
    if index is not None and kind is None and index.info.generation == store.generation():
        return index
    with index_lock(data_dir, wait=wait) as locked:
        if not locked:
            return index or FaissIndex.create(embedder.id, embedder.dim, kind)
        return load_locked(store, data_dir, embedder, kind)


def refreshed(index: FaissIndex, store: Store, data_dir: str | Path, embedder: Embedder) -> FaissIndex:
    """The index brought up to the store's state after changes by this or another process.

    A newer index file on disk is loaded; otherwise the in-memory index is reconciled, unless a
    writer holds the index lock (its save will bring the changes; stale ids are dropped meanwhile).
    """
    if index.info.generation == store.generation():
        return index
    info = FaissIndex.read_info(data_dir)
    if info is None or info.file != index.info.file:
        return open_synced(store, data_dir, embedder, wait=False)
    with index_lock(data_dir, wait=False) as locked:
        if locked:
            return load_locked(store, data_dir, embedder, current=index)
    return index
