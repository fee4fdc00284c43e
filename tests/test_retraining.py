"""Corrections that teach: an officer's correction changes the model's answer for that directive after
retraining, and retraining writes the officer's model to the data directory, never over models/tagger."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from nlp.config import PROJECT_ROOT, active_tagger_dir
from nlp.store import Store
from nlp.tagger import Tagger
from nlp.train import train

from conftest import small_labels

SHIPPED = PROJECT_ROOT / "models" / "tagger"
# Written by the team: a directive whose wording pulls towards an area an officer would not give it.
TEXT = "Hoàn thiện quy chế làm việc của Ủy ban nhân dân xã mới sau sắp xếp, phân công rõ nhiệm vụ từng thành viên."


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(folder.iterdir()):
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()



def test_a_correction_changes_the_answer_and_the_shipped_model_stays(tmp_path: Path) -> None:
    before_files = digest(SHIPPED)
    shipped = Tagger.load(SHIPPED)
    predicted = shipped.predict([TEXT], top_terms=0)[0].labels
    wanted = ["the_che"] if predicted != ["the_che"] else ["cong_vu"]
    with Store.open(tmp_path) as store:
        store.add_feedback(TEXT, wanted)
    assert active_tagger_dir(tmp_path) == SHIPPED  # until the officers retrain
    card = train(data_dir=tmp_path, embedder=None, evaluate=False, progress=lambda _: None,
                 labels_dir=small_labels(tmp_path), realstyle_dir=tmp_path / "none")
    own = tmp_path / "tagger"
    assert (own / "tagger.joblib").exists() and card["data"]["groups"]["feedback"] == 1
    assert active_tagger_dir(tmp_path) == own
    assert Tagger.load(own).predict([TEXT], top_terms=0)[0].labels == wanted
    assert digest(SHIPPED) == before_files  # the shipped model in git is untouched
