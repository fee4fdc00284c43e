"""Honest evaluation of the tagger: scores, leave-one-source-out cross-validation, held-out sets, the real
texts of ../shared/realdev (scored as its score.py does: gold directive texts, no context) and calibration
(Brier score and a reliability table per area)."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nlp.config import PROJECT_ROOT
from nlp.tagger import Tagger, labels_to_matrix
from nlp.taxonomy import AREA_IDS

REALDEV = PROJECT_ROOT.parent / "shared" / "realdev"
BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)


def scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """Per-label precision/recall/F1 with support, plus micro F1, macro F1 (over all 8 areas, as the realdev
    scorer counts it) and exact match."""
    per_label = {}
    for j, area in enumerate(AREA_IDS):
        tp = int((y_pred[:, j] & y_true[:, j]).sum())
        fp = int((y_pred[:, j] & (1 - y_true[:, j])).sum())
        fn = int(((1 - y_pred[:, j]) & y_true[:, j]).sum())
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        per_label[area] = {"precision": round(p, 3), "recall": round(r, 3),
                           "f1": round(2 * tp / (2 * tp + fp + fn) if tp else 0.0, 3), "support": int(y_true[:, j].sum())}
    tp = int((y_pred & y_true).sum())
    micro = 2 * tp / max(int(y_pred.sum() + y_true.sum()), 1)
    exact = float((y_pred == y_true).all(axis=1).mean()) if len(y_true) else 0.0
    return {"micro_f1": round(micro, 3), "macro_f1": round(float(np.mean([v["f1"] for v in per_label.values()])), 3),
            "exact_match": round(exact, 3), "n": int(len(y_true)), "per_label": per_label}


def calibration(y_true: np.ndarray, proba: np.ndarray) -> dict:
    """Brier score per area and overall, and a reliability table (mean predicted vs observed per bin)."""
    brier = {a: round(float(((proba[:, j] - y_true[:, j]) ** 2).mean()), 4) for j, a in enumerate(AREA_IDS)}
    table = []
    flat_p, flat_y = proba.ravel(), y_true.ravel()
    for lo, hi in zip(BINS, BINS[1:]):
        inside = (flat_p >= lo) & (flat_p < hi)
        if inside.any():
            table.append({"bin": f"{lo:.1f}–{min(hi, 1.0):.1f}", "n": int(inside.sum()),
                          "predicted": round(float(flat_p[inside].mean()), 3),
                          "observed": round(float(flat_y[inside].mean()), 3)})
    return {"brier": brier, "brier_all": round(float(((flat_p - flat_y) ** 2).mean()), 4), "reliability": table}


def evaluate(tagger: Tagger, texts: list[str], labels: list[list[str]], context: list[str] | None = None,
             embeddings: np.ndarray | None = None) -> dict:
    """Scores and calibration of a fitted tagger on labelled texts."""
    y = labels_to_matrix(labels)
    proba = tagger.predict_proba(texts, context, embeddings)
    result = scores(y, (proba >= tagger.thresholds_).astype(int))
    result["calibration"] = calibration(y, proba)
    return result


def realdev_rows(root: Path = REALDEV) -> tuple[list[str], list[list[str]]] | None:
    """(texts, labels) of the real evaluation set's directives, read at run time; None when absent.

    Never copied anywhere: the texts only pass through the tagger.
    """
    path = root / "directives.jsonl"
    if not path.exists():
        return None
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [" ".join(r["text"].split()) for r in rows], [list(r["labels"]) for r in rows]


def cross_validate(examples: list, fit: Callable[[list[int]], Tagger], embed_rows: Callable[[list[int]], np.ndarray | None]) -> dict:
    """Leave-one-group-out: each source (a writer's file, a written set, the seeds) held out in turn.

    `fit(train_indices)` returns a fitted tagger, `embed_rows(indices)` the embeddings of those rows.
    """
    groups = sorted({e.group for e in examples if e.group != "feedback"})
    y_true, y_pred = [], []
    for g in groups:
        test = [i for i, e in enumerate(examples) if e.group == g]
        tagger = fit([i for i, e in enumerate(examples) if e.group != g])
        proba = tagger.predict_proba([examples[i].text for i in test], [examples[i].context for i in test], embed_rows(test))
        y_pred.append((proba >= tagger.thresholds_).astype(int))
        y_true.append(labels_to_matrix([examples[i].labels for i in test]))
    result = scores(np.vstack(y_true), np.vstack(y_pred))
    result["folds"] = groups
    return result
