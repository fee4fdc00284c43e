"""The store interface every backend implements: the source of truth for documents, directives,
labels, feedback and keyword search.

A backend keeps each notice whole or not at all (one transaction), gives directive ids that are never
reused (the dense index detects stale entries by id alone), and bumps a generation counter with every
change to the set of directives. Rows of the directives table have a `kind`: "directive", or
"passage" (other text of a notice, indexed and searchable but never counted as a directive: trends,
`documents()` and `stats()["directives"]` count kind "directive" only).

Adding a table: declare its methods here (abstract), implement them once in `nlp.store.sql.SQLStore`
with portable SQL, and add the table to each backend's schema (with a migration).
"""
from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import numpy as np

from nlp.normalize import fold
from nlp.records import Hit, Notice
from nlp.store.filters import Filters


BY = ("area", "locality", "level")  # what trends group by
PERIODS = ("month", "quarter", "year")


class StoreError(RuntimeError):
    """A store failure the user can act on (message in Vietnamese)."""


def content_id(text: str) -> str:
    """Short content hash of a normalised text: the document id."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def task_keys(texts: Sequence[str]) -> list[str]:
    """Stable keys of a notice's directives for their follow-up status: a hash of each text (spacing,
    case and accents ignored), "#2", "#3"… for repeats. Unlike row ids (which a backend may renumber),
    the same notice re-ingested gets the same keys, so a task's status is never lost."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for text in texts:
        key = content_id(" ".join(fold(text).split()))
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return out


def check_trend(by: str, period: str) -> None:
    if by not in BY:
        raise ValueError(f"Không thống kê được theo '{by}' (chọn area, locality hoặc level).")
    if period not in PERIODS:
        raise ValueError(f"Kỳ không hợp lệ: '{period}' (chọn month, quarter hoặc year).")


class Store(ABC):
    """Documents, directives, labels, feedback and keyword search of one corpus."""

    #: True when dense vectors live in the store itself (pgvector), written in the notice's transaction.
    holds_vectors: bool = False
    #: Matching rows the keyword engine can rank per query within a few milliseconds (None: the searcher's
    #: default, sized for FTS5); PostgreSQL's ts_rank costs ~10 µs a row, FTS5 under 1 µs a posting.
    postings_budget: int | None = None

    @classmethod
    def open(cls, data_dir: str | Path | None = None, database_url: str | None = None) -> Store:
        """The configured store: `database_url` or $CCHC_DATABASE_URL, else SQLite in `data_dir`."""
        from nlp.store import open_store

        return open_store(data_dir, database_url)

    # --- lifecycle ----------------------------------------------------------------------------
    @property
    @abstractmethod
    def location(self) -> str:
        """Where the data lives, for messages (a path or a URL without password)."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Any]:
        """`with store.transaction():` runs the block in one write transaction (re-entrant)."""

    @abstractmethod
    def generation(self) -> int:
        """Counter bumped by every change to the set of directives (used to skip index checks)."""

    @abstractmethod
    def get_meta(self, key: str) -> str | None: ...

    @abstractmethod
    def set_meta(self, key: str, value: str) -> None: ...

    # --- documents ----------------------------------------------------------------------------
    @abstractmethod
    def has_document(self, doc_id: str) -> bool: ...

    @abstractmethod
    def add_notice(self, notice: Notice, doc_id: str, name: str = "") -> list[int]:
        """Store a parsed notice, its directives then its passages, in one transaction; return their new ids.

        Returns [] when a document with this id is already stored (idempotent re-ingest).
        """

    @abstractmethod
    def delete_document(self, doc_id: str) -> int:
        """Delete a document with its directives and passages; return the directives removed. KeyError when absent."""

    @abstractmethod
    def find_documents(self, prefix: str) -> list[str]:
        """Document ids starting with `prefix` (taken literally: no wildcards)."""

    @abstractmethod
    def documents_named(self, name: str) -> list[str]:
        """Ids of documents stored under this file name or path (taken literally)."""

    @abstractmethod
    def duplicate_candidates(self, notice: Notice, limit: int = 50) -> list[dict[str, Any]]:
        """Stored documents that may be `notice` in another form: those sharing its number, issue date or
        title (rows with doc_id, name, title, doc_number, issuer, issue_date, text; see nlp.duplicates)."""

    @abstractmethod
    def document(self, doc_id: str) -> dict[str, Any] | None:
        """A document's metadata and full text (None if absent)."""

    @abstractmethod
    def documents(self) -> list[dict[str, Any]]:
        """Metadata of every document with its directive count, newest first (no full text)."""

    @abstractmethod
    def localities(self) -> list[str]:
        """Distinct non-empty localities of the stored documents, sorted."""

    @abstractmethod
    def doc_types(self) -> set[str]:
        """Distinct document types present."""

    # --- directives ---------------------------------------------------------------------------
    @abstractmethod
    def directive_ids(self) -> np.ndarray:
        """All directive ids (passages included), ascending, as int64."""

    @abstractmethod
    def snapshot_ids(self) -> tuple[int, np.ndarray]:
        """(generation, all directive ids) read from one consistent snapshot."""

    @abstractmethod
    def directive_texts(self, ids: Sequence[int] | None = None) -> Iterator[tuple[int, str]]:
        """(id, text) of the given directives (all when None), in id order."""

    @abstractmethod
    def tagging_rows(self) -> list[tuple[int, str, str, str]]:
        """(id, text, heading, notice title) of every stored directive (passages are not tagged), in id order."""

    @abstractmethod
    def directive(self, directive_id: int) -> dict[str, Any] | None:
        """Everything stored about one directive (None if absent)."""

    @abstractmethod
    def doc_directives(self, doc_id: str, passages: bool = False) -> list[dict[str, Any]]:
        """The directives of a document in reading order (with its indexed passages when asked)."""

    @abstractmethod
    def labels(self, directive_id: int) -> list[str]:
        """A directive's area ids, in taxonomy order."""

    @abstractmethod
    def set_labels(self, directive_id: int, labels: Sequence[str], scores: dict[str, float] | None = None) -> None:
        """Replace a directive's labels (and its per-area scores when given)."""

    @abstractmethod
    def hits(self, ids: Sequence[int]) -> dict[int, Hit]:
        """Stored directives joined with their notice's metadata, as Hits (score 0); absent ids skipped."""

    @abstractmethod
    def count_directives(self) -> int:
        """Rows of the directives table (directives and passages): what search can return."""

    @abstractmethod
    def stats(self) -> dict[str, Any]:
        """Counts: documents, directives, passages, labelled directives, feedback rows, generation."""

    # --- keyword search support -----------------------------------------------------------------
    @abstractmethod
    def keyword_search(
        self, units: Sequence[str], limit: int, filters: Filters | None = None, order: str = "bm25",
        require_all: bool = False,
    ) -> list[tuple[int, float]]:
        """(directive id, score, higher is better) of rows holding any (or all) of the index units.

        Units are the terms of `nlp.store.keywords.index_terms` (syllables and "a_b" bigrams).
        order="bm25": the engine's own relevance ranking; order="recent": newest rows first (score 0).
        """

    @abstractmethod
    def keyword_rows(self, ids: Sequence[int]) -> list[tuple[int, str, str, int, int]]:
        """(id, indexed terms of the text, of heading+unit, and their token counts) of directives."""

    @abstractmethod
    def keyword_totals(self) -> tuple[int, int, int]:
        """(rows, tokens in the text column, tokens in the context column) for BM25 lengths."""

    @abstractmethod
    def doc_frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        """Number of rows containing each term (terms absent from the index are left out)."""

    @abstractmethod
    def rebuild_keywords(self) -> None:
        """Recompute the keyword columns and the keyword index from the texts (one transaction)."""

    @abstractmethod
    def check_keywords(self, deep: bool = False) -> bool:
        """True when the keyword index matches the directives (deep: the term frequencies too)."""

    # --- filters and trends ---------------------------------------------------------------------
    @abstractmethod
    def filter_ids(self, filters: Filters) -> np.ndarray:
        """Ids of the directives passing the filters."""

    @abstractmethod
    def trend_rows(self, by: str, period: str, filters: Filters | None = None) -> list[tuple[str, str, str, int]]:
        """(period, key, label, count) of kind-"directive" rows grouped by period and key (see nlp.trends)."""

    @abstractmethod
    def trend_cell_ids(
        self, by: str, period: str, period_value: str, key: str, filters: Filters | None = None,
        limit: int | None = None,
    ) -> list[int]:
        """Ids of the kind-"directive" rows behind one trend cell, in document order."""

    # --- follow-up of directives (task status) -------------------------------------------------
    @abstractmethod
    def task_rows(self, filters: Filters | None = None) -> list[dict[str, Any]]:
        """Kind-"directive" rows passing the filters, in document order, with their notice's number,
        title, date and locality, their areas and their status: {"id", "doc_id", "text", "unit", "unit_key",
        "partners", "deadlines", "due", "path", "labels", "doc_number", "title", "date", "locality",
        "locality_key", "level", "done_date", "note", "done_by"} ("done_date" is "" while not done)."""

    @abstractmethod
    def mark_done(self, directive_id: int, done_date: str, note: str = "", done_by: str = "") -> None:
        """Record a directive as carried out on `done_date` (YYYY-MM-DD); KeyError when absent.

        The status is keyed to the notice and the directive's text (`task_keys`), not to the row id:
        it outlives re-ingesting, re-indexing and re-tagging."""

    @abstractmethod
    def mark_open(self, directive_id: int) -> bool:
        """Take back a "done"; False when it was not done. KeyError when the directive is absent."""

    @abstractmethod
    def units(self) -> list[str]:
        """Distinct non-empty lead units of kind-"directive" rows."""

    # --- feedback -----------------------------------------------------------------------------
    @abstractmethod
    def add_feedback(
        self, text: str, labels: Sequence[str], directive_id: int | None = None, heading: str = ""
    ) -> int:
        """Record a user's label correction (also replaces that directive's labels); return its row id."""

    @abstractmethod
    def feedback_rows(self) -> list[dict[str, Any]]:
        """Feedback for training: the latest correction per text, as {"text", "labels", "heading"}."""

    @abstractmethod
    def recent_feedback(self, limit: int = 20) -> list[dict[str, Any]]:
        """The newest feedback rows as {"text", "labels" (JSON text), "created_at"}."""

    @abstractmethod
    def feedback_directive_ids(self) -> set[int]:
        """Directives whose labels were corrected by a user (re-tagging must not overwrite them)."""
