"""The dense index interface (after txtai's `ann`): directive vectors keyed by directive id.

Vectors are float32 and L2-normalised, so scores are inner products (cosine similarities).
Backends: FAISS files beside a SQLite store (`nlp.ann.faiss`); the factory is `nlp.ann.open_index`.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable

import numpy as np

from nlp.embed import Embedder
from nlp.normalize import matching_form

EMBED_BATCH = 64
HNSW_FROM = 50_000  # "auto" indexes are exact below this many vectors, HNSW from it (docs/benchmarks.md)
KINDS = ("flat", "hnsw", "auto")


def choose_kind(rows: int) -> str:
    """The index kind "auto" means for a corpus of `rows` vectors."""
    return "hnsw" if rows >= HNSW_FROM else "flat"


def check_kind(kind: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise ValueError(f"Loại chỉ mục không hợp lệ: '{kind}' (chọn flat, hnsw hoặc auto).")


class EmbedderMismatch(RuntimeError):
    """The index was built with another embedder (user-facing message in Vietnamese)."""


class ANN(ABC):
    """A nearest-neighbour index of directive vectors."""

    #: True when `append` writes inside the store's open transaction (the notice and its vectors commit
    #: together); False when the index is a derived copy reconciled after the store commits.
    transactional: bool = False

    @property
    @abstractmethod
    def embedder_id(self) -> str: ...

    @property
    @abstractmethod
    def kind(self) -> str:
        """"flat" (exact) or "hnsw" (approximate)."""

    @abstractmethod
    def count(self) -> int:
        """Number of live vectors."""

    def __len__(self) -> int:
        return self.count()

    @abstractmethod
    def ids(self) -> np.ndarray:
        """Live ids in the index."""

    def fit_kind(self) -> bool:
        """Switch between exact and HNSW when the kind is "auto" and the size calls for it; True if switched."""
        return False

    def index(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Replace the whole content with these vectors."""
        self.delete(self.ids())
        self.append(ids, vectors)

    @abstractmethod
    def append(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors (already L2-normalised) under directive ids."""

    @abstractmethod
    def delete(self, ids: np.ndarray) -> None:
        """Remove ids (absent ids are ignored)."""

    @abstractmethod
    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ids (rows of zeros for absent ids)."""

    @abstractmethod
    def vector(self, directive_id: int) -> np.ndarray | None:
        """The stored vector of one directive, or None."""

    @abstractmethod
    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (id, inner product) for one query vector, optionally restricted to `allowed` ids."""


def embed_directives(embedder: Embedder, texts: list[str], batch: int = EMBED_BATCH) -> np.ndarray:
    """Passage embeddings of directive texts (their matching form, as the tagger was trained on), in batches."""
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    texts = [matching_form(t) for t in texts]  # stored texts are normalised already
    return np.vstack([embedder.passage(texts[i : i + batch]) for i in range(0, len(texts), batch)])


def reconcile(
    index: ANN, store_ids: np.ndarray, texts_of: Callable[[list[int]], Iterable[tuple[int, str]]], embedder: Embedder
) -> tuple[int, int]:
    """Make the index hold exactly `store_ids`: embed and add the missing, remove the stale.

    `texts_of(ids)` yields (id, text) for ids present in the store. Returns (added, removed).
    """
    have = index.ids()
    stale = np.setdiff1d(have, store_ids, assume_unique=True)
    missing = np.setdiff1d(store_ids, have, assume_unique=True)
    index.delete(stale)
    added = 0
    for start in range(0, len(missing), 512):
        pairs = list(texts_of(missing[start : start + 512].tolist()))
        if pairs:
            index.append(np.array([p[0] for p in pairs], dtype=np.int64),
                      embed_directives(embedder, [p[1] for p in pairs]))
            added += len(pairs)
    return added, len(stale)
