"""OCR speed (seconds per page) and character accuracy on scans made from a notice written by the team.

The scan is tests/fixtures/tb_tan_lap.txt rendered with DejaVu Serif at 300 dpi, rotated and
sprinkled with noise (tests/scans.py). A PNG of one page (9 pt) and a PDF of two pages (12 pt, no
text layer, rendered back at each --dpi) are read through nlp.readers; the best of --repeat runs.

    python bench/bench_ocr.py [--dpi 150,200,300] [--repeat 2]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "tests"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="cchc OCR benchmark")
    parser.add_argument("--dpi", default="200", help="PDF render resolutions to compare, comma-separated")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)

    from scans import char_accuracy, scan_bytes, scan_pdf

    from nlp.readers import pdf, read_bytes

    source = (ROOT / "tests" / "fixtures" / "tb_tan_lap.txt").read_text(encoding="utf-8")
    cases = {"png": (scan_bytes(source, "PNG", angle=2.0, noise=0.02, points=9), "quet.png"),
             "pdf": (scan_pdf(source, angle=-1.5, noise=0.02), "quet.pdf")}
    rows = []
    for dpi in [int(d) for d in args.dpi.split(",")]:
        pdf.DPI = dpi
        for kind, (data, name) in cases.items():
            if kind == "png" and rows and any(r["kind"] == "png" for r in rows):
                continue  # an image is read at its own resolution
            best, result = float("inf"), None
            for _ in range(args.repeat):
                start = time.perf_counter()
                result = read_bytes(data, name)
                best = min(best, time.perf_counter() - start)
            row = {"kind": kind, "dpi": dpi if kind == "pdf" else 300, "pages": result.ocr_pages,
                   "seconds_per_page": round(best / result.ocr_pages, 2),
                   "char_accuracy": round(char_accuracy(result.text, source), 4)}
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ocr.json").write_text(json.dumps(rows, indent=2))
    print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
