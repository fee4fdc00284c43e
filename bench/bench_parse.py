"""Parser speed: notices per second on the bundled and written notices, and time against input size.

    .venv/bin/python bench/bench_parse.py [--repeat 3]

The size series grows one input (numbered lines, then one run-on paragraph of prose) and reports seconds
per 1,000 lines or per MB: a parser that is linear in its input keeps that ratio flat.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from nlp.parser import parse_notice

ROOT = Path(__file__).resolve().parents[1]
LINE = "{n}. Phòng Nội vụ chủ trì, phối hợp với các xã rà soát hồ sơ trễ hạn, báo cáo trước ngày 15/10/2024."
SENTENCE = "Theo đó, UBND huyện yêu cầu các xã rà soát hồ sơ trễ hạn, báo cáo kết quả về Phòng Nội vụ; "


def corpus() -> list[str]:
    paths = sorted((ROOT / "corpus" / "notices").glob("*.txt")) + sorted((ROOT / "corpus" / "written_notices").glob("*.txt"))
    paths += sorted((ROOT / "corpus" / "realstyle").glob("*/docs/*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths]


def timed(text: str, repeat: int) -> float:
    best = []
    for _ in range(repeat):
        start = time.perf_counter()
        parse_notice(text)
        best.append(time.perf_counter() - start)
    return min(best)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    texts = corpus()
    parse_notice(texts[0])  # load the directive model and the tone map once
    runs = []
    for _ in range(a.repeat):
        start = time.perf_counter()
        for t in texts:
            parse_notice(t)
        runs.append(time.perf_counter() - start)
    chars = sum(len(t) for t in texts)
    best = min(runs)
    print(f"corpus: {len(texts)} notices, {chars / len(texts):,.0f} characters on average: "
          f"{len(texts) / best:,.1f} notices/s (median run {statistics.median(runs):.2f} s, best {best:.2f} s)")
    print("\nnumbered lines | seconds | s per 1,000 lines")
    for n in (1000, 2000, 4000, 8000, 16000):
        text = "Tin cải cách hành chính\n" + "\n".join(LINE.format(n=i % 99 + 1) for i in range(n))
        s = timed(text, a.repeat)
        print(f"{n:>14,} | {s:7.2f} | {1000 * s / n:.3f}")
    print("\nrun-on prose MB | seconds | s per MB")
    for mb in (0.25, 0.5, 1.0, 2.0):
        text = "Tin cải cách hành chính\n" + SENTENCE * int(mb * 2**20 / len(SENTENCE.encode()))
        s = timed(text, 1)
        print(f"{mb:>15} | {s:7.2f} | {s / mb:.2f}")


if __name__ == "__main__":
    main()
