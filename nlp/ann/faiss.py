"""FAISS dense index, derived from the SQLite store and persisted beside it.

Files in the data directory: `dense-<build>.faiss` (the index) and `dense.json` (the sidecar: embedder
id, dim, index kind, the store generation it reflects, HNSW tombstones, the index file name). The
sidecar is replaced atomically *after* the index file is written, so it is the single commit point:
a crash leaves either the old or the new index, never a mix.

Kinds: "flat" (exact inner product, IndexIDMap2 over IndexFlatIP, the default) and "hnsw"
(approximate, IndexIDMap2 over IndexHNSWFlat). HNSW cannot remove vectors: deleted ids become
tombstones excluded at search time, and the graph is rebuilt from the stored vectors (no re-embedding)
once tombstones exceed a quarter of the index. Reconciliation with the store: `nlp.ann.sync`.
"""
from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import faiss
import numpy as np

from nlp.ann.base import ANN, choose_kind

SIDECAR = "dense.json"
KINDS = ("flat", "hnsw")
_FAISS_THREADS = faiss.omp_get_max_threads()


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
    auto: bool = False  # the kind follows the size (choose_kind); False: the user chose it


def _new_faiss(dim: int, kind: str, hnsw_m: int) -> faiss.Index:
    if kind == "flat":
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    if kind == "hnsw":
        inner = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = 80
        return faiss.IndexIDMap2(inner)
    raise ValueError(f"Loại chỉ mục không hợp lệ: '{kind}' (chọn flat hoặc hnsw).")


class FaissIndex(ANN):
    """A FAISS index of directive vectors keyed by directive id."""

    def __init__(self, info: IndexInfo, index: faiss.Index | None = None) -> None:
        if info.kind not in KINDS:
            raise ValueError(f"Loại chỉ mục không hợp lệ: '{info.kind}' (chọn flat hoặc hnsw).")
        self.info = info
        self.index = index if index is not None else _new_faiss(info.dim, info.kind, info.hnsw_m)
        self._tomb = set(info.tombstones)
        self._sorted: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def create(cls, embedder_id: str, dim: int, kind: str | None = "flat") -> FaissIndex:
        """An empty index; kind None or "auto": exact now, HNSW once it is large (see `fit_kind`)."""
        auto = kind in (None, "auto")
        return cls(IndexInfo(embedder=embedder_id, dim=dim, kind="flat" if auto else kind, auto=auto))

    def fit_kind(self) -> bool:
        """For an "auto" index: switch to the kind its size calls for (re-using its vectors); True if switched."""
        wanted = choose_kind(len(self))
        if not self.info.auto or wanted == self.kind:
            return False
        self.rebuild(wanted)
        return True

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
    def load(cls, data_dir: str | Path) -> FaissIndex | None:
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

    @property
    def embedder_id(self) -> str:
        return self.info.embedder

    def count(self) -> int:
        return int(self.index.ntotal) - len(self._tomb)

    def ids(self) -> np.ndarray:
        """Live ids in the index (tombstones excluded)."""
        ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
        if self._tomb:
            ids = ids[~np.isin(ids, np.fromiter(self._tomb, dtype=np.int64))]
        return ids

    def append(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.ascontiguousarray(np.asarray(ids, dtype=np.int64))
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).reshape(len(ids), self.info.dim))
        faiss.omp_set_num_threads(_FAISS_THREADS)  # building (HNSW) does use every core
        self.index.add_with_ids(vectors, ids)
        self._sorted = None

    def delete(self, ids: np.ndarray) -> None:
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

    def rebuild(self, kind: str | None = None) -> None:
        """Re-create the index from its live vectors (drops HNSW tombstones), as `kind` when given."""
        live = self.ids()
        vectors = self.vectors(live)
        self.info.kind = kind or self.kind
        self.index = _new_faiss(self.info.dim, self.kind, self.info.hnsw_m)
        self._tomb = set()
        self._sorted = None
        self.append(live, vectors)

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
        ids = np.asarray(ids, dtype=np.int64)
        pos = self._positions(ids)
        out = np.zeros((len(ids), self.info.dim), dtype=np.float32)
        if (pos >= 0).any():
            out[pos >= 0] = self._storage()[pos[pos >= 0]]
        return out

    def vector(self, directive_id: int) -> np.ndarray | None:
        if directive_id in self._tomb:
            return None
        try:
            return self.index.reconstruct(int(directive_id))
        except RuntimeError:
            return None

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
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
