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
    """The tagger model directory: the argument, else $CCHC_TAGGER_DIR, else the shipped models/tagger."""
    return Path(path or os.environ.get("CCHC_TAGGER_DIR") or PROJECT_ROOT / "models" / "tagger")


def officer_tagger_dir(data: str | Path | None = None) -> Path:
    """Where retraining in a data directory writes its model: $CCHC_TAGGER_DIR when set, else `<data>/tagger/`
    (the shipped model in models/tagger stays as it is)."""
    return tagger_dir() if os.environ.get("CCHC_TAGGER_DIR") else data_dir(data) / "tagger"


def active_tagger_dir(data: str | Path | None = None) -> Path:
    """The model to use with a data directory: $CCHC_TAGGER_DIR, else the officers' retrained model in
    `<data>/tagger/` when there is one, else the shipped model."""
    if os.environ.get("CCHC_TAGGER_DIR"):
        return tagger_dir()
    own = officer_tagger_dir(data)
    return own if (own / "tagger.joblib").exists() else tagger_dir()
