"""Heavy resources of the app, loaded once per process (st.cache_resource), and their invalidation.

Everything is keyed by the resolved data or model directory, so a change of $CCHC_DATA_DIR (tests)
gets its own store, searcher and tagger.
"""
from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from nlp.config import active_tagger_dir, data_dir, officer_tagger_dir
from nlp.embed import Embedder
from nlp.search import Searcher
from nlp.store import Store
from nlp.tagger import Tagger

log = logging.getLogger(__name__)


def current_data_dir() -> Path:
    """The data directory of this app: $CCHC_DATA_DIR or ./data."""
    return data_dir().resolve()


def current_tagger_dir() -> Path:
    """The tagger in use: $CCHC_TAGGER_DIR, else the officers' retrained model of the data directory, else
    the shipped models/tagger."""
    return active_tagger_dir(current_data_dir()).resolve()


def retrain_tagger_dir() -> Path:
    """Where retraining from the app writes: $CCHC_TAGGER_DIR, else the data directory's tagger/."""
    return officer_tagger_dir(current_data_dir()).resolve()


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return Store.open(path)


@st.cache_resource(show_spinner="Đang tải bộ tìm kiếm (lần đầu mất vài giây)…")
def _searcher(path: str) -> Searcher:
    return Searcher(path, store=_store(path))


@st.cache_resource(show_spinner="Đang tải bộ gắn nhãn…")
def _tagger(path: str) -> tuple[Tagger | None, str]:
    try:
        return Tagger.load(path), ""
    except Exception as exc:  # noqa: BLE001 - any unreadable model is reported, not raised
        log.warning("tagger not loaded: %s", exc)
        return None, str(exc)


def store() -> Store:
    """The SQLite store of the data directory (created empty if needed)."""
    return _store(str(current_data_dir()))


def searcher() -> Searcher:
    """The searcher of the data directory (loads the embedder and the dense index)."""
    return _searcher(str(current_data_dir()))


def embedder() -> Embedder:
    """The embedder of the data directory's dense index."""
    return searcher().embedder


def tagger() -> Tagger | None:
    """The reform-area tagger, or None when no model could be loaded (see `tagger_error`)."""
    return _tagger(str(current_tagger_dir()))[0]


def tagger_error() -> str:
    """Why the tagger could not be loaded ("" when it was)."""
    return _tagger(str(current_tagger_dir()))[1]


def corpus_changed() -> None:
    """Drop the cached store and searcher after an ingest, a delete or a re-tag."""
    _searcher.clear()
    _store.clear()


def tagger_changed() -> None:
    """Reload the tagger at its next use (after a retrain)."""
    _tagger.clear()
