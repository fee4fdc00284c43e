"""The tagger's model card: model_card.json (all numbers) and model_card.md (for people), beside the model."""
from __future__ import annotations

import json
from pathlib import Path

from nlp.taxonomy import area_name

# Sections of the card that hold an evaluation, in the order the card shows them, with their titles.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("realdev", "Real texts (`../shared/realdev`: 136 directives of 48 real notices, scored exactly as "
     "`score.py --only tag` does, gold directive text only, no context). **This is the number that predicts "
     "real use.** None of these texts is in the training data."),
    ("cross_validation", "Leave-one-source-out cross-validation on the team's own data (each writer's file, "
     "each written set, the seeds and the written notices held out in turn)"),
    ("real_notices_unseen", "The five seed notices (real) never seen: trained without them, scored on their "
     "directives"),
    ("realstyle_unseen", "The team's written real-genre sets (news, plans, conference news, formal documents) "
     "never seen: trained without them, scored on their directives"),
)
EVAL_KEYS = tuple(k for k, _ in SECTIONS) + ("realdev_ablation",)


def read_card(model_dir: Path) -> dict | None:
    """model_card.json of a model directory (None if absent or unreadable)."""
    try:
        return json.loads((Path(model_dir) / "model_card.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def last_evaluation(model_dir: Path) -> dict:
    """The evaluation of the model card in `model_dir` (its own or the one it carried), with its date and data."""
    old = read_card(model_dir) or {}
    if "cross_validation" not in old:
        return old.get("previous_evaluation", {})
    return {"date": old.get("date"), "data": old.get("data"), **{k: old[k] for k in EVAL_KEYS if k in old}}


def _score_lines(s: dict) -> list[str]:
    lines = [f"micro-F1 **{s['micro_f1']}**, macro-F1 **{s['macro_f1']}**, exact match {s['exact_match']}, "
             f"n = {s['n']}", "", "| area | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    lines += [f"| {area_name(a)} (`{a}`) | {v['precision']} | {v['recall']} | {v['f1']} | {v['support']} |"
              for a, v in s["per_label"].items()]
    cal = s.get("calibration")
    if cal:
        lines += ["", f"Calibration: Brier score {cal['brier_all']} over all areas; per area "
                  + ", ".join(f"`{a}` {b}" for a, b in cal["brier"].items()) + ".", "",
                  "| predicted probability | pairs | mean predicted | observed share |", "|---|---|---|---|"]
        lines += [f"| {r['bin']} | {r['n']} | {r['predicted']} | {r['observed']} |" for r in cal["reliability"]]
    return lines + [""]


def write_card(card: dict, path: Path) -> None:
    """model_card.json and a readable model_card.md beside the model."""
    path = Path(path)
    (path / "model_card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# Model card: cchc reform-area tagger", "",
        f"- Date: {card['date']}", f"- Training rows: {card['data']['n']} (data hash `{card['data']['hash']}`)",
        f"- Rows per source: {', '.join(f'{g} {n}' for g, n in card['data']['groups'].items())}",
        f"- Embedder: `{card['embedder_id']}`" if card.get("embedder_id") else "- Embedder: none (TF-IDF only)",
        "- Model: per area, logistic regression on TF-IDF (segmented words and bigrams, accent-less character "
        "2-5-grams, words of the context: section heading and notice title) and logistic regression on sentence "
        "embeddings; a logistic stacker per area combines their scores, the best clause's TF-IDF score and the "
        "count of the area's explicit terms (`nlp/taxonomy.py`). The stacker and the per-area thresholds are "
        "fitted on out-of-fold scores that hold whole sources out, so they see the shift from one writer to "
        "another, and on long texts composed of held-out rows (real directives are longer than written ones "
        "and join several areas). No area clears its threshold = abstain. Officers' corrections are weighted "
        "more than written rows.",
        "",
    ]
    evaluated = card
    if "cross_validation" not in card and card.get("previous_evaluation"):
        evaluated = card["previous_evaluation"]
        lines += [f"Trained without evaluation; the scores below are from the last full training "
                  f"({evaluated.get('date')}, {evaluated.get('data', {}).get('n')} rows).", ""]
    for key, title in SECTIONS:
        if key in evaluated:
            lines += [f"## {title}", "", *_score_lines(evaluated[key])]
    if evaluated.get("realdev_ablation"):
        lines += ["## Ablation on the real texts", "", "| model | micro-F1 | macro-F1 |", "|---|---|---|"]
        lines += [f"| {name} | {s['micro_f1']} | {s['macro_f1']} |" for name, s in evaluated["realdev_ablation"].items()]
        lines.append("")
    lines += ["## Thresholds", "", "| area | threshold |", "|---|---|"]
    lines += [f"| `{a}` | {t} |" for a, t in card["thresholds"].items()]
    lines += ["", "## Limits", "",
              "All training rows were written by the cchc team (apart from the five seed notices); cross-validation on "
              "them flatters the model, and the real-text section above is the one to trust. `cchc classify` sees "
              "a directive alone; ingest and the app add the section heading and the notice title as context, "
              "which helps generic lines (\"Yêu cầu UBND các xã tổ chức thực hiện\") take the area of their "
              "notice. Known confusion: everyday words that double as area terms pull a label in (\"tài sản\" of "
              "citizens in a flood-safety task reads as public assets, `tai_chinh_cong`). Officers' corrections "
              "(feedback) are added, with more weight, at the next training.", ""]
    (path / "model_card.md").write_text("\n".join(lines), encoding="utf-8")
