"""HTML read time against nesting depth: the line must stay straight (linear), pages nested past
nlp.readers.html.MAX_DEPTH are refused at once.

Each page is `depth` nested <div>s around one paragraph; the best of --repeat runs of read_bytes.

    python bench/bench_html_depth.py [--depths 250,500,1000,1500,1990,5000,100000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"


def page(depth: int) -> bytes:
    body = "<div>" * depth + "<p>Thông báo kết luận về cải cách hành chính.</p>" + "</div>" * depth
    return f"<html><body>{body}</body></html>".encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="cchc HTML nesting benchmark")
    parser.add_argument("--depths", default="250,500,1000,1500,1990,5000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from nlp.readers import ReadError, read_bytes

    rows = []
    for depth in [int(d) for d in args.depths.split(",")]:
        data, best, outcome = page(depth), float("inf"), "read"
        for _ in range(args.repeat):
            start = time.perf_counter()
            try:
                read_bytes(data, "sau.html")
            except ReadError:
                outcome = "refused"
            best = min(best, time.perf_counter() - start)
        rows.append({"depth": depth, "bytes": len(data), "seconds": round(best, 4), "outcome": outcome})
        print(json.dumps(rows[-1]), file=sys.stderr)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "html_depth.json").write_text(json.dumps(rows, indent=2))
    print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
