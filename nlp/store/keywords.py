"""What every backend's keyword index holds for a directive: accent-less, abbreviation-expanded
syllables and their bigrams, in a text column and a context (heading + unit) column."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from nlp.vitext import keyword_text


def index_terms(text: str) -> str:
    """What the keyword index holds for a text: its accent-less syllables, then its syllable bigrams.

    "Hồ sơ trễ hạn" -> "ho so tre han ho_so so_tre tre_han". Bigram tokens make word matches single
    posting-list lookups with their own document frequency (cheaper and more selective than phrases).
    """
    syllables = keyword_text(text).split()
    return " ".join(syllables + [f"{a}_{b}" for a, b in zip(syllables, syllables[1:])])


def keyword_columns(text: str, heading: str, unit: str, title: str = "") -> tuple[str, str]:
    """(text terms, context terms) of a directive; the context is its heading, unit and notice title (so a
    generic line under a title about online fee payment is found by "thanh toán trực tuyến")."""
    return index_terms(text), index_terms(" ".join(x for x in (heading, unit, title) if x))


def unique_terms(keyword: str, context: str) -> set[str]:
    return set(keyword.split()) | set(context.split())


def n_tokens(terms: str) -> int:
    return len(terms.split())


def term_counts(columns: Iterable[tuple[str, str]]) -> Counter[str]:
    """Document frequencies contributed by rows of (keyword, context) columns."""
    terms: Counter[str] = Counter()
    for keyword, context in columns:
        terms.update(unique_terms(keyword, context))
    return terms
