"""Cost of reading and parsing each file in a worker process (nlp.isolate) instead of in-process.

The 16 notice files of corpus/notices and corpus/written_notices are read and parsed --rounds times
each way, alternating; the worker is started once (its start-up is reported apart).

    python bench/bench_isolate.py [--rounds 5]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
SOURCES = [ROOT / "corpus" / "notices", ROOT / "corpus" / "written_notices"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="cchc worker-process overhead")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    from nlp.collect import collect
    from nlp.isolate import Worker
    from nlp.parser import parse_notice
    from nlp.readers import read_document

    files = collect(SOURCES).files
    start = time.perf_counter()
    worker = Worker()
    worker.parse(files[0])  # starts the process (imports the readers and the parser)
    startup = time.perf_counter() - start
    inline, isolated = [], []
    with worker:
        for _ in range(args.rounds):
            start = time.perf_counter()
            for f in files:
                parse_notice(read_document(f).text)
            inline.append((time.perf_counter() - start) / len(files))
            start = time.perf_counter()
            for f in files:
                worker.parse(f)
            isolated.append((time.perf_counter() - start) / len(files))
    result = {
        "files": len(files), "rounds": args.rounds, "worker_startup_s": round(startup, 2),
        "in_process_ms_per_file": round(1000 * statistics.median(inline), 2),
        "worker_ms_per_file": round(1000 * statistics.median(isolated), 2),
        "overhead_ms_per_file": round(1000 * (statistics.median(isolated) - statistics.median(inline)), 2),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "isolate.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
