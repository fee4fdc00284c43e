"""Batch work on a real 2-worker Dask LocalCluster on 127.0.0.1, on both store backends: parallel ingest
matches a serial one, a worker killed mid-batch loses nothing, retag and re-embed are idempotent and
resume where a killed run stopped."""
from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import numpy as np
import pytest

import nlp.ann.staging as staging
import nlp.batch as batch
from conftest import NOTICES, dense_ids_and_vectors
from nlp.batch import ingest_parallel, open_client, reembed_parallel, retag_parallel
from nlp.config import tagger_dir
from nlp.ingest import ingest_paths
from nlp.parser import parse_notice
from nlp.store import Store

pytestmark = pytest.mark.slow


def counts(paths: list[Path]) -> tuple[int, int]:
    """(directives, stored rows = directives + passages) the parser gives these files."""
    notices = [parse_notice(p.read_text(encoding="utf-8")) for p in paths]
    return sum(len(n.directives) for n in notices), sum(len(n.directives) + len(n.passages) for n in notices)


ALL = sorted(NOTICES.glob("*.txt"))


@pytest.fixture(scope="module")
def client():  # noqa: ANN201
    with open_client(workers=2) as c:
        assert len(c.scheduler_info()["workers"]) == 2
        assert all(addr.startswith("tcp://127.0.0.1:") for addr in c.scheduler_info()["workers"])
        yield c


def _snapshot(data_dir: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    with Store.open(data_dir) as store:
        return sorted((d["doc_id"], d["title"], tuple(x["text"] for x in store.doc_directives(d["doc_id"])))
                      for d in store.documents())


def test_parallel_ingest_matches_serial_and_is_idempotent(client, tmp_path: Path) -> None:  # noqa: ANN001
    """(SQLite: the client writes through the same Ingestor.write as a serial ingest, which the ingest
    tests check on both backends; PostgreSQL's batch path is covered by the retag/reembed test.)"""
    files = sorted(NOTICES.glob("00[04]_*.txt"))
    report = ingest_parallel(files, client, tmp_path / "par", tagger_dir=tagger_dir())
    assert report.stored == 2 and report.directives == counts(files)[0] and [Path(f.name) for f in report.files] == files
    par = _snapshot(tmp_path / "par")
    with Store.open(tmp_path / "par") as store:
        ids = store.directive_ids().tolist()
        assert store.stats()["labelled_directives"] > 0  # tagged on the workers
    have, vectors = dense_ids_and_vectors(tmp_path / "par", ids)
    assert have == ids and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    again = ingest_parallel(files, client, tmp_path / "par")
    assert again.stored == 0 and again.skipped == 2
    ingest_paths(files, tmp_path / "ser")
    assert _snapshot(tmp_path / "ser") == par


def test_killed_worker_loses_nothing(client, tmp_path: Path) -> None:  # noqa: ANN001
    """(Workers never touch the store, so one backend is enough here: the client's writes are the ones
    the other tests check on both.)"""
    src = tmp_path / "src"
    src.mkdir()
    for p in ALL:
        shutil.copy(p, src)
    victims = list(client.run(os.getpid).values())
    killed: list[int] = []

    def kill_one(_result: object) -> None:
        if not killed:  # right after the first notice is stored, the other tasks still in flight
            os.kill(victims[0], signal.SIGKILL)
            killed.append(victims[0])

    report = ingest_parallel([src], client, tmp_path / "data", on_result=kill_one)
    assert killed and report.stored == 5 and report.failed == 0
    with Store.open(tmp_path / "data") as store:
        assert store.stats()["documents"] == 5 and store.stats()["directives"] == counts(ALL)[0]
        ids = store.directive_ids().tolist()
    assert dense_ids_and_vectors(tmp_path / "data")[0] == ids
    client.wait_for_workers(2, timeout=60)  # the nanny restarted the killed worker


def test_retag_and_reembed_resume_after_a_kill(client, backend, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    data = tmp_path / "data"
    ingest_paths([NOTICES], data)  # untagged: no tagger given
    with Store.open(data) as store:
        assert store.stats()["labelled_directives"] == 0
        first = int(store.directive_ids()[0])
        store.add_feedback("sửa tay", ["hai_long"], directive_id=first)
        ids = store.directive_ids().tolist()
        _, before = dense_ids_and_vectors(data, ids)
    monkeypatch.setattr(batch, "CHUNK", 8)
    monkeypatch.setattr(staging, "CHECKPOINT_EVERY", 0.0)

    def crash_after_two(done: int) -> None:
        if done >= 16:
            raise KeyboardInterrupt  # the batch process dies here

    with pytest.raises(KeyboardInterrupt):
        retag_parallel(client, tagger_dir(), data, on_chunk=crash_after_two)
    resumed = retag_parallel(client, tagger_dir(), data)
    assert resumed.skipped == 16 and resumed.done == counts(ALL)[0] - 1 - 16  # every directive but the corrected one
    with Store.open(data) as store:
        assert store.labels(first) == ["hai_long"]  # the user's correction is kept
        assert store.stats()["labelled_directives"] > 16
    assert retag_parallel(client, tagger_dir(), data).done == 0  # finished: nothing left to do

    with pytest.raises(KeyboardInterrupt):
        reembed_parallel(client, None, data, on_chunk=crash_after_two)
    have, kept = dense_ids_and_vectors(data, ids)
    assert have == ids and np.allclose(kept, before)  # searches keep the old vectors until the swap
    resumed = reembed_parallel(client, None, data)
    rows = counts(ALL)[1]
    assert resumed.skipped >= 16 and resumed.done + resumed.skipped == rows and resumed.extra["vectors"] == rows
    have, after = dense_ids_and_vectors(data, ids)
    assert have == ids and np.allclose(after, before, atol=1e-5)  # same model: the same vectors


def test_bad_scheduler_address() -> None:
    with pytest.raises(ValueError, match="Không kết nối được bộ lập lịch Dask tcp://127.0.0.1:1"):
        with open_client(scheduler="tcp://127.0.0.1:1", timeout=2):
            pass
