"""No text of the real evaluation set is in the repository (its own checker, read at run time)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKER = ROOT.parent / "shared" / "realdev" / "contamination.py"


@pytest.mark.skipif(not CHECKER.exists(), reason="../shared/realdev is not beside the project")
def test_no_realdev_text_in_the_repository() -> None:
    out = subprocess.run([sys.executable, str(CHECKER), str(ROOT)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
