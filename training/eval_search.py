"""Evaluate search: nDCG@k and Recall@k per mode for a JSONL query set.

Each line of the query file is {"q": "...", "relevant": ["directive text", ...]}. A hit counts as
relevant when, after whitespace (and Unicode) normalisation, its text contains or is contained in one
of the relevant texts; each relevant text is credited once (binary gains).

    python training/eval_search.py --queries corpus/queries.jsonl --data-dir DIR [--ingest corpus/notices]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from nlp.normalize import normalize_inline

MODES = ("hybrid", "dense", "keyword")


def norm(text: str) -> str:
    """Whitespace-normalised text (also NFC and tone-mark normalised, as every stored text is)."""
    return normalize_inline(text)


def matches(hit_text: str, relevant_text: str) -> bool:
    """A hit matches a relevant text when either contains the other (both normalised)."""
    a, b = norm(hit_text), norm(relevant_text)
    return bool(a and b) and (a in b or b in a)


def judge(hit_texts: list[str], relevant: list[str]) -> list[int]:
    """Binary gain per hit: 1 for the first hit matching each relevant text, else 0."""
    unmatched = list(range(len(relevant)))
    gains: list[int] = []
    for text in hit_texts:
        found = next((j for j in unmatched if matches(text, relevant[j])), None)
        if found is None:
            gains.append(0)
        else:
            unmatched.remove(found)
            gains.append(1)
    return gains


def ndcg_at_k(gains: list[int], n_relevant: int, k: int = 10) -> float:
    """nDCG@k with binary gains; the ideal ranks min(n_relevant, k) relevant hits first."""
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k]))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(n_relevant, k)))
    return dcg / ideal if ideal else 0.0


def recall_at_k(gains: list[int], n_relevant: int, k: int = 10) -> float:
    """Share of the relevant texts matched in the top k."""
    return sum(gains[:k]) / n_relevant if n_relevant else 0.0


def load_queries(path: str | Path) -> list[dict[str, Any]]:
    """The query set; lines without "q" or "relevant" are rejected with the line number."""
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not isinstance(row.get("q"), str) or not isinstance(row.get("relevant"), list) or not row["relevant"]:
            raise ValueError(f"{path}:{n}: cần các trường \"q\" (chuỗi) và \"relevant\" (danh sách khác rỗng)")
        out.append(row)
    return out


def evaluate(searcher: Any, queries: list[dict[str, Any]], modes: tuple[str, ...] = MODES, k: int = 10) -> dict[str, Any]:
    """Mean nDCG@k / Recall@k per mode, plus the per-query numbers."""
    result: dict[str, Any] = {"k": k, "queries": len(queries), "modes": {}, "per_query": []}
    per_query: dict[str, dict[str, Any]] = {q["q"]: {"q": q["q"]} for q in queries}
    for mode in modes:
        ndcgs, recalls = [], []
        for q in queries:
            hits = searcher.search(q["q"], k=k, mode=mode)
            gains = judge([h.text for h in hits], q["relevant"])
            n, r = ndcg_at_k(gains, len(q["relevant"]), k), recall_at_k(gains, len(q["relevant"]), k)
            ndcgs.append(n)
            recalls.append(r)
            per_query[q["q"]][mode] = {"ndcg": round(n, 4), "recall": round(r, 4)}
        result["modes"][mode] = {
            f"ndcg@{k}": round(sum(ndcgs) / len(ndcgs), 4) if ndcgs else 0.0,
            f"recall@{k}": round(sum(recalls) / len(recalls), 4) if recalls else 0.0,
        }
    result["per_query"] = list(per_query.values())
    return result


def format_table(result: dict[str, Any]) -> str:
    """A Markdown table of the per-mode means."""
    k = result["k"]
    lines = [f"| mode | nDCG@{k} | Recall@{k} |", "|---|---|---|"]
    for mode, m in result["modes"].items():
        lines.append(f"| {mode} | {m[f'ndcg@{k}']:.3f} | {m[f'recall@{k}']:.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", required=True, help="JSONL: {\"q\": …, \"relevant\": [texts]}")
    parser.add_argument("--data-dir", required=True, help="data directory holding the store and indexes")
    parser.add_argument("--ingest", nargs="*", default=[], help="files/directories to ingest first (idempotent)")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated: hybrid,dense,keyword")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--embedder", default=None, help="embedder spec (default: the index's)")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument("--per-query", action="store_true", help="also print per-query numbers")
    args = parser.parse_args(argv)

    from nlp.ingest import ingest_paths
    from nlp.search import Searcher

    if args.ingest:
        ingest_paths(args.ingest, args.data_dir, embedder=args.embedder)
    queries = load_queries(args.queries)
    modes = tuple(m.strip() for m in args.modes.split(",") if m.strip())
    with Searcher(args.data_dir, args.embedder) as searcher:
        result = evaluate(searcher, queries, modes, args.k)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"{result['queries']} truy vấn, k = {args.k}\n")
    print(format_table(result))
    if args.per_query:
        print()
        for row in result["per_query"]:
            cells = "  ".join(f"{m}: {row[m]['ndcg']:.2f}/{row[m]['recall']:.2f}" for m in modes)
            print(f"{row['q'][:45]:45}  {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
