"""The store: documents, directives, labels, feedback and keyword search, behind one interface.

    from nlp.store import Store, Filters, content_id
    store = Store.open(data_dir)              # the configured backend (open_store)

Backends: SQLite + FTS5 in the data directory (default, `nlp.store.sqlite`).
"""
from __future__ import annotations

from pathlib import Path

from nlp.store.base import Store, StoreError, content_id
from nlp.store.filters import LEVELS, Filters, date_range, effective_date, resolve_area, resolve_level
from nlp.store.keywords import index_terms

__all__ = [
    "LEVELS", "Filters", "Store", "StoreError", "content_id", "date_range", "effective_date", "index_terms",
    "open_store", "resolve_area", "resolve_level",
]


def open_store(data_dir: str | Path | None = None, database_url: str | None = None) -> Store:
    """The store for a configuration: SQLite in `data_dir` (default ./data or $CCHC_DATA_DIR)."""
    from nlp.store.sqlite import SQLiteStore

    return SQLiteStore.open(data_dir)
