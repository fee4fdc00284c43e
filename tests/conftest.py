"""Shared fixtures: the seed notices of corpus/notices."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTICES = ROOT / "corpus" / "notices"


def seed_path(prefix: str) -> Path:
    return next(NOTICES.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    """Raw text of the five seed notices, keyed "000" … "004"."""
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(NOTICES.glob("*.txt"))}
