"""Dense indexes of directive vectors: an interface (`ANN`), one module per backend, and a factory.

    index = open_index(store, data_dir, embedder)   # reconciled with the store

Backends: FAISS files beside the SQLite store (`nlp.ann.faiss`, kept in step by `nlp.ann.sync`).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from nlp.ann.base import ANN, EmbedderMismatch, embed_directives

if TYPE_CHECKING:
    from nlp.embed import Embedder
    from nlp.store import Store

__all__ = ["ANN", "EmbedderMismatch", "embed_directives", "open_index"]


def open_index(
    store: Store, data_dir: str | Path, embedder: Embedder, kind: str | None = None, wait: bool = True
) -> ANN:
    """The dense index that goes with a store, reconciled with it (see nlp.ann.sync.open_synced)."""
    from nlp.ann.sync import open_synced

    return open_synced(store, data_dir, embedder, kind, wait)
