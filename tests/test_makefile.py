"""`make run` puts the bundled notices only into a new data directory: what was deleted stays deleted."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from nlp.store import Store

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_seed_leaves_an_existing_data_directory_alone(tmp_path: Path) -> None:
    Store.open(tmp_path).close()  # an existing store whose notices were all deleted
    env = {**os.environ, "CCHC_DATA_DIR": str(tmp_path)}
    proc = subprocess.run(["make", "-s", "seed"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "đã có: không nạp lại văn bản mẫu" in proc.stdout
    with Store.open(tmp_path) as store:
        assert store.stats()["documents"] == 0
    dry = subprocess.run(["make", "-n", "run"], cwd=ROOT, env={**os.environ, "CCHC_DATA_DIR": str(tmp_path / "new")},
                         capture_output=True, text=True, timeout=60)
    assert f"ingest corpus/notices --data-dir \"{tmp_path / 'new'}\"" in dry.stdout  # a new directory is seeded
