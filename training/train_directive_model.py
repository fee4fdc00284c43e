"""Train the directive model (is this unit a directive?) on notices the team wrote, and evaluate it.

Training data: every document of the written sets in `corpus/realstyle/*/` (realdev format: docs/,
docs.tsv, directives.jsonl), the ten written notices of `corpus/written_notices/` and the five seeds,
with their labelled directives from `corpus/labels/`. Each candidate unit of a document (as the
parser segments it) is a positive when it matches a labelled directive by the realdev rule (word-set
Jaccard >= 0.6 of accent-folded words) or holds most of one (a writer may split at ";" a list the
parser keeps whole), else a negative. Closing formulas are not directives.

Regularisation and the threshold are chosen by document-grouped cross-validation; the model is
written to models/directive/model.json with a card of its scores. Real texts are never used here:
measure on them afterwards with `python training/eval_real.py --only extract`.

    python training/train_directive_model.py [--folds 5]
"""
from __future__ import annotations

import argparse
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from nlp.config import PROJECT_ROOT
from nlp.directive_model import MODEL_PATH, DirectiveModel, body_features
from nlp.directives import is_closing
from nlp.parser import is_list_intro, read_body

CORPUS = PROJECT_ROOT / "corpus"
C_GRID = (0.3, 1.0)
# Recall weighs twice precision when choosing the threshold: a missed directive is lost to tagging and
# follow-up, an extra one is a sentence of the notice the officer can dismiss.
BETA = 2.0


@dataclass
class Doc:
    """A written document and the texts of its labelled directives."""

    name: str
    group: str
    text: str
    gold: list[str]


def _words(text: str) -> set[str]:
    """Accent-folded lower-case words (the realdev matching rule)."""
    s = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).lower().replace("đ", "d"))
    return set(re.findall(r"\w+", "".join(c for c in s if unicodedata.category(c) != "Mn")))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, len(a | b))


def _covered(gold: set[str], unit: set[str]) -> bool:
    """The unit holds most of a labelled directive (a writer split at ";" what the parser keeps whole)."""
    return len(gold) >= 4 and len(gold & unit) / len(gold) >= 0.8


def load_docs() -> list[Doc]:
    """The written sets, written notices and seeds with their directive texts."""
    docs: list[Doc] = []
    for root in sorted(p for p in (CORPUS / "realstyle").glob("*") if (p / "directives.jsonl").exists()):
        rows = [json.loads(x) for x in (root / "directives.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
        listed = {line.split("\t", 1)[0] for line in (root / "docs.tsv").read_text(encoding="utf-8").splitlines()[1:]}
        for path in sorted(p for p in (root / "docs").glob("*.txt") if p.stem in listed):
            gold = [r["text"] for r in rows if r["doc"] == path.stem]
            docs.append(Doc(f"{root.name}/{path.name}", root.name, path.read_text(encoding="utf-8"), gold))
    for labels, folder, group in (("seeds.jsonl", "notices", "seeds"), ("written_notices.jsonl", "written_notices", "written_notices")):
        rows = [json.loads(x) for x in (CORPUS / "labels" / labels).read_text(encoding="utf-8").splitlines() if x.strip()]
        for path in sorted((CORPUS / folder).glob("*.txt")):
            gold = [r["text"] for r in rows if r.get("notice") == path.name and not is_closing(r["text"], True)]
            docs.append(Doc(f"{folder}/{path.name}", group, path.read_text(encoding="utf-8"), gold))
    return docs


def unit_rows(docs: list[Doc]) -> tuple[list[dict[str, float]], np.ndarray, np.ndarray, list[str]]:
    """(features, labels, document index, unit text) of every candidate unit that the rules leave open."""
    feats: list[dict[str, float]] = []
    labels: list[int] = []
    groups: list[int] = []
    texts: list[str] = []
    for k, doc in enumerate(docs):
        body = read_body(doc.text)
        gold = [_words(g) for g in doc.gold]
        last = body.units[-1].paragraph if body.units else -1
        features = body_features(body.units, body.notice.doc_type == "ke_hoach")
        for j, (unit, f) in enumerate(zip(body.units, features)):
            following = body.units[j + 1] if j + 1 < len(body.units) else None
            if 0 <= body.conclusions and unit.paragraph < body.conclusions or is_list_intro(unit, following):
                continue  # decided by the rules, not by the model
            if unit.kind == "para" and is_closing(unit.text, unit.paragraph == last):
                continue
            w = _words(unit.text)
            feats.append(f)
            labels.append(int(any(_jaccard(w, g) >= 0.6 or _covered(g, w) for g in gold)))
            groups.append(k)
            texts.append(unit.text)
    return feats, np.array(labels), np.array(groups), texts


def _scores_at(p: np.ndarray, y: np.ndarray, t: float, beta: float = 1.0) -> tuple[float, float, float]:
    """(precision, recall, F-beta) of the units scoring at least `t`."""
    pred = p >= t
    tp = int((pred & (y == 1)).sum())
    prec = tp / max(1, int(pred.sum()))
    rec = tp / max(1, int(y.sum()))
    b2 = beta * beta
    return prec, rec, ((1 + b2) * prec * rec / (b2 * prec + rec) if prec + rec else 0.0)


def train(folds: int = 5) -> dict:
    docs = load_docs()
    feats, y, groups, _ = unit_rows(docs)
    vec = DictVectorizer()
    X = vec.fit_transform(feats)
    print(f"{len(docs)} documents, {len(y)} units, {int(y.sum())} directives")
    best: tuple[float, float, float, np.ndarray] | None = None
    for c in C_GRID:
        oof = np.zeros(len(y))
        for train_idx, test_idx in GroupKFold(folds).split(X, y, groups):
            model = LogisticRegression(C=c, max_iter=2000, solver="lbfgs")
            model.fit(X[train_idx], y[train_idx])
            oof[test_idx] = model.predict_proba(X[test_idx])[:, 1]
        t, f1 = max(((t, _scores_at(oof, y, t, BETA)[2]) for t in np.arange(0.1, 0.81, 0.02)), key=lambda x: x[1])
        print(f"  C={c}: out-of-fold F{BETA:g} {f1:.3f} at threshold {t:.2f}")
        if best is None or f1 > best[1]:
            best = (c, f1, float(t), oof)
    assert best is not None
    c, f1, threshold, oof = best
    precision, recall, f1 = _scores_at(oof, y, threshold)
    model = LogisticRegression(C=c, max_iter=2000, solver="lbfgs").fit(X, y)
    names = vec.get_feature_names_out()
    weights = {str(n): float(w) for n, w in zip(names, model.coef_[0])}
    card = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "documents": len(docs), "units": int(len(y)), "directives": int(y.sum()),
        "groups": {g: sum(d.group == g for d in docs) for g in sorted({d.group for d in docs})},
        "C": c, "threshold": round(threshold, 3), "threshold_rule": f"max out-of-fold F{BETA:g}",
        "cross_validation": {"folds": folds, "precision": round(precision, 3), "recall": round(recall, 3),
                             "f1": round(f1, 3), "note": "unit level, documents grouped by fold"},
    }
    DirectiveModel(weights, float(model.intercept_[0]), threshold).save(MODEL_PATH, card)
    print(f"saved {MODEL_PATH} (C={c}, threshold {threshold:.2f}; out-of-fold P {precision:.3f} R {recall:.3f})")
    return card


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    train(ap.parse_args().folds)


if __name__ == "__main__":
    main()
