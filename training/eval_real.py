"""Measure cchc on a real-text evaluation set in the realdev format, in process, by the scorer's own rules.

The rules (word-set Jaccard for extraction, metadata checks, micro/macro-F1, nDCG@10 with containment)
are imported at run time from the set's `score.py`, so the numbers agree with

    python ../shared/realdev/score.py

while running in seconds instead of minutes (no subprocess per document). The set is read, never
copied: `--root` defaults to ../shared/realdev; any folder in the same format works (our own written
sets in corpus/realstyle/ included).

    python training/eval_real.py [--root DIR] [--only extract,tag,search] [--modes hybrid,keyword,dense] [-v]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
import tempfile
from pathlib import Path
from types import ModuleType

from nlp.config import PROJECT_ROOT

DEFAULT_ROOT = PROJECT_ROOT.parent / "shared" / "realdev"
SCORER = DEFAULT_ROOT / "score.py"


def load_scorer(path: Path = SCORER) -> ModuleType:
    """The realdev scorer module (its norm/fold/words/jaccard/f1 rules)."""
    spec = importlib.util.spec_from_file_location("realdev_score", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"Không tìm thấy bộ chấm điểm {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_set(root: Path) -> tuple[dict[str, dict[str, str]], list[dict], list[dict]]:
    """(docs.tsv rows by id, directives, queries) of an evaluation set."""
    with open(root / "docs.tsv", encoding="utf-8") as f:
        cols = f.readline().rstrip("\n").split("\t")
        meta = {r["id"]: r for r in (dict(zip(cols, line.rstrip("\n").split("\t"))) for line in f if line.strip())}
    load = lambda name: [json.loads(x) for x in (root / name).read_text(encoding="utf-8").splitlines() if x.strip()]
    queries = load("queries.jsonl") if (root / "queries.jsonl").exists() else []
    return meta, load("directives.jsonl"), queries


def eval_extract(sc: ModuleType, root: Path, meta: dict, gold: list[dict], verbose: bool) -> dict:
    """Extraction recall/precision and metadata accuracy, as score.py's score_extract counts them."""
    from nlp.parser import parse_notice
    from nlp.readers import read_document

    found = extracted = matching = 0
    ok = dict.fromkeys(["level", "doc_type", "locality", "date"], 0)
    n = dict.fromkeys(ok, 0)
    for doc_id, m in sorted(meta.items()):
        notice = parse_notice(read_document(root / "docs" / f"{doc_id}.txt"))
        out = notice.to_dict()
        doc, dirs = out["document"], out["directives"]
        ext = [sc.words(d["text"]) for d in dirs]
        g = [r for r in gold if r["doc"] == doc_id]
        hit = [any(sc.jaccard(sc.words(r["text"]), e) >= 0.6 for e in ext) for r in g]
        good = [any(sc.jaccard(sc.words(r["text"]), e) >= 0.6 for r in g) for e in ext]
        found += sum(hit)
        extracted += len(ext)
        matching += sum(good)
        if verbose:
            for r, h in zip(g, hit):
                if not h:
                    print(f"  missed {r['id']}: {' '.join(r['text'].split())[:110]}")
            for d, gd in zip(dirs, good):
                if not gd:
                    print(f"  extra  {doc_id}: {' '.join(d['text'].split())[:110]}")
        checks = {
            "level": doc.get("level") == m["level"],
            "doc_type": doc.get("doc_type") == m["doc_type"],
            "locality": bool(sc.fold(doc.get("locality") or "")) and sc.fold(doc.get("locality") or "") in sc.fold(m["locality"]),
        }
        if m["date"]:
            dates = [str(doc.get(k) or "") for k in ("issue_date", "meeting_date")]
            checks["date"] = any(d.startswith(m["date"]) for d in dates if d)
        for key, good_field in checks.items():
            n[key] += 1
            ok[key] += good_field
            if verbose and not good_field:
                got = {"level": doc.get("level"), "doc_type": doc.get("doc_type"), "locality": doc.get("locality"),
                       "date": (doc.get("issue_date"), doc.get("meeting_date"))}[key]
                want = m["date"] if key == "date" else m[key]
                print(f"  meta   {doc_id} {key}: got {got!r}, want {want!r}")
    result = {"recall": found / max(1, len(gold)), "precision": matching / max(1, extracted),
              "extracted": extracted, "gold": len(gold), **{k: f"{ok[k]}/{n[k]}" for k in ok}}
    print(f"extraction: recall {result['recall']:.3f} precision {result['precision']:.3f} "
          f"({extracted} extracted, {len(gold)} gold); metadata "
          + "; ".join(f"{k} {ok[k]}/{n[k]}" for k in ok))
    return result


def eval_tag(sc: ModuleType, gold: list[dict], model_dir: str | None, verbose: bool) -> dict:
    """Micro/macro-F1 of the tagger on the gold directive texts (no context, as `cchc classify` sees them)."""
    from nlp.tagger import Tagger

    tagger = Tagger.load(model_dir)
    texts = [" ".join(r["text"].split()) for r in gold]
    preds = tagger.predict(texts, top_terms=0)
    labels = sc.LABELS
    tp = dict.fromkeys(labels, 0)
    fp, fn = dict(tp), dict(tp)
    exact = 0
    for r, p, text in zip(gold, preds, texts):
        g, s = set(r["labels"]), set(p.labels)
        exact += g == s
        for lab in labels:
            tp[lab] += lab in g and lab in s
            fp[lab] += lab not in g and lab in s
            fn[lab] += lab in g and lab not in s
        if verbose and g != s:
            print(f"  {r['id']}: gold {sorted(g)} got {sorted(s)}: {text[:90]}")
    f1 = lambda t, a, b: 0.0 if t == 0 else 2 * t / (2 * t + a + b)
    per = {lab: f1(tp[lab], fp[lab], fn[lab]) for lab in labels}
    micro = f1(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    macro = sum(per.values()) / len(labels)
    if verbose:
        for lab in labels:
            print(f"  {lab:20s} F1 {per[lab]:.2f}  tp {tp[lab]} fp {fp[lab]} fn {fn[lab]}")
    print(f"tagging: micro-F1 {micro:.3f} macro-F1 {macro:.3f} exact-match {exact / len(gold):.2f} ({len(gold)} directives)")
    return {"micro_f1": micro, "macro_f1": macro, "exact_match": exact / len(gold), "per_label": per}


def eval_search(sc: ModuleType, root: Path, queries: list[dict], modes: list[str], verbose: bool) -> dict:
    """nDCG@10 and Recall@10 per mode after ingesting the set's documents into a fresh data directory."""
    from nlp.ingest import ingest_paths
    from nlp.search import Searcher
    from nlp.tagger import Tagger

    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="cchc-eval-") as data:
        ingest_paths([root / "docs"], data_dir=data, tagger=Tagger.load(), progress=False)
        with Searcher(data) as searcher:
            for mode in modes:
                nd, rc = [], []
                for q in queries:
                    rel = [sc.norm(t) for t in q["relevant"]]
                    hits = searcher.search(q["q"], k=10, mode=mode)
                    seen: set[int] = set()
                    gains = []
                    for h in hits[:10]:
                        t = sc.norm(h.text)
                        i = next((j for j, r in enumerate(rel) if r and (r in t or (len(t) > 20 and t in r))), None)
                        gains.append(1 if i is not None and i not in seen else 0)
                        if i is not None:
                            seen.add(i)
                    dcg = sum(g / math.log2(k + 2) for k, g in enumerate(gains))
                    idcg = sum(1 / math.log2(k + 2) for k in range(min(len(rel), 10)))
                    nd.append(dcg / idcg)
                    rc.append(len(seen) / min(len(rel), 10))
                    if verbose and nd[-1] < 0.5:
                        print(f"  [{mode}] weak: {q['q']!r} nDCG {nd[-1]:.2f}")
                out[mode] = {"ndcg10": sum(nd) / len(nd), "recall10": sum(rc) / len(rc)}
                print(f"search [{mode}]: nDCG@10 {out[mode]['ndcg10']:.3f} Recall@10 {out[mode]['recall10']:.3f} "
                      f"({len(queries)} queries)")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    ap.add_argument("--only", default="extract,tag,search")
    ap.add_argument("--modes", default="hybrid,keyword,dense")
    ap.add_argument("--model-dir", default=None)
    ap.add_argument("--json", dest="as_json", action="store_true", help="print the results as JSON at the end")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    if not SCORER.exists():
        print(f"Không tìm thấy {SCORER}: cần thư mục ../shared/realdev bên cạnh dự án.", file=sys.stderr)
        return 2
    sc = load_scorer()
    meta, gold, queries = read_set(a.root)
    parts = a.only.split(",")
    results: dict = {}
    if "extract" in parts:
        results["extract"] = eval_extract(sc, a.root, meta, gold, a.verbose)
    if "tag" in parts:
        results["tag"] = eval_tag(sc, gold, a.model_dir, a.verbose)
    if "search" in parts and queries:
        results["search"] = eval_search(sc, a.root, queries, a.modes.split(","), a.verbose)
    if a.as_json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
