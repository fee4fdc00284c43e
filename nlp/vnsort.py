"""Vietnamese alphabetical order: "Ba Bể" < "Bắc Kạn" < "Cao Bằng" < "Đà Nẵng" < "Điện Biên" < "Ea Súp".

The alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (so đ comes after every d,
and ă, â after a), words are compared one by one, and within a word the tones decide last, in dictionary order: level,
huyền, hỏi, ngã, sắc, nặng. Python's default order puts "Đ" after "Z" and ignores the letters' order.
"""
from __future__ import annotations

import unicodedata

_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_RANK = {c: i for i, c in enumerate(_ALPHABET)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def _letters(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(letter ranks, tones) of one word."""
    ranks: list[int] = []
    tones: list[int] = []
    for ch in word:
        parts = unicodedata.normalize("NFD", ch)
        base = "".join(c for c in parts if not unicodedata.combining(c) or c in _LETTER_MARKS)
        letter = unicodedata.normalize("NFC", base)
        ranks.append(_RANK.get(letter, 100 + ord(letter[0]) if letter else 0))
        tones.append(max((_TONES.get(c, 0) for c in parts), default=0))
    return tuple(ranks), tuple(tones)


def vn_sort_key(text: str) -> tuple:
    """Sort key putting Vietnamese names in dictionary order (case-insensitive)."""
    return tuple(_letters(w) for w in text.lower().split()), text


def vn_sorted(items: list[str]) -> list[str]:
    return sorted(items, key=vn_sort_key)
