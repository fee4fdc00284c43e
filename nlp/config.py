"""Locations of the data directory and the shipped models."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = Path("data")


def data_dir(path: str | Path | None = None) -> Path:
    """The data directory: the argument, else $CCHC_DATA_DIR, else ./data."""
    return Path(path or os.environ.get("CCHC_DATA_DIR") or DEFAULT_DATA_DIR)


def database_url(url: str | None = None) -> str | None:
    """The database server URL: the argument, else $CCHC_DATABASE_URL, else None (SQLite in the data dir)."""
    return url or os.environ.get("CCHC_DATABASE_URL") or None


def tagger_dir(path: str | Path | None = None) -> Path:
    """The tagger model directory: the argument, else $CCHC_TAGGER_DIR, else models/tagger."""
    return Path(path or os.environ.get("CCHC_TAGGER_DIR") or PROJECT_ROOT / "models" / "tagger")
