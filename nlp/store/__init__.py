"""The store: documents, directives, labels, feedback and keyword search, behind one interface.

    from nlp.store import Store, Filters, content_id
    store = Store.open(data_dir)              # the configured backend (open_store)

Backends: SQLite + FTS5 in the data directory (default, `nlp.store.sqlite`); PostgreSQL + pgvector
when a database URL is given (`--database-url` or $CCHC_DATABASE_URL, `nlp.store.postgres`).
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
    """The store for a configuration: PostgreSQL at `database_url` (else $CCHC_DATABASE_URL), else SQLite
    in `data_dir` (default ./data or $CCHC_DATA_DIR)."""
    from nlp.config import database_url as resolve_url

    url = resolve_url(database_url)
    if url is None:
        from nlp.store.sqlite import SQLiteStore

        return SQLiteStore.open(data_dir)
    if not url.startswith(("postgresql://", "postgres://")):
        shown = url.split("@")[-1]  # never echo a password
        raise StoreError(f"Địa chỉ cơ sở dữ liệu không hợp lệ: '{shown}' (cần dạng postgresql://người_dùng@máy:cổng/tên_csdl).")
    from nlp.store.postgres import PostgresStore

    return PostgresStore(url)
