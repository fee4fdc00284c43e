"""Sentence splitting for Vietnamese administrative prose.

A sentence ends at ".", "!", "?", "…" or "./." followed by a space and a capital letter, a digit or an
opening quote, except after abbreviations that precede a name ("TP. Hồ Chí Minh", "Th.S Nguyễn …",
"N. Nam"), inside numbers and dates ("99,97%", "30.6.2017", "57.000") and inside numbering ("1.1.").
A clause after ";" that starts with a capital letter is a separate task ("…; Phối hợp với …") and is
split off too, when the clause before it is a clause (eight words or more), not a list of addressees, and
not an item of an enumeration ("… các tiêu chí như: A; B; C"). Single pass over the text, so time is linear in its length.
"""
from __future__ import annotations

import re

from nlp.normalize import VI_UPPER as _UPPER

# Words after which a dot does not end the sentence (they precede a name or a number).
ABBREVIATIONS = frozenset(
    "tp tp.hcm q p h x tx tt ths ts pgs gs bs ks ls ncs đ/c đc ô b st no số tr k kt tl tm".split()
)
_BOUNDARY = re.compile(
    rf"(?P<end>\./\.|\.{{3}}|…|[.!?])(?P<close>[\"”’)\]]*)(?P<space>\s+)(?=[\"“‘(\d{_UPPER}])"
    rf"|(?P<semi>;)(?P<space2>\s+)(?=[{_UPPER}])"
)
_LAST_WORD = re.compile(r"(\S+)$")
# "… các tiêu chí như: A; B; C": the parts after the colon are items of one sentence, not tasks.
_ENUMERATION = re.compile(r"\b(như|gồm|bao gồm|là|sau|sau đây)\s*$", re.IGNORECASE)
# "… yêu cầu Giám đốc các sở, ban, ngành; Chủ tịch UBND các huyện …": what follows the ask is only addressees.
_ASK_TAIL = re.compile(r"\b(?:yêu cầu|đề nghị|giao|chỉ đạo)\s+([^;:]{2,80})$", re.IGNORECASE)
_ADDRESSEE_WORDS = frozenset(
    "các cơ quan đơn vị sở ban ngành tỉnh huyện xã phường thị trấn quận thành phố đặc khu địa phương phòng "
    "chuyên môn trực thuộc thuộc và cùng trung tâm đoàn thể ủy ubnd chủ tịch giám đốc thủ trưởng trưởng "
    "người đứng đầu lãnh đạo cấp".split()
)


def _is_abbreviation(before: str) -> bool:
    """True if the dot at the end of `before` belongs to an abbreviation or an initial ("N.", "TP.")."""
    m = _LAST_WORD.search(before)
    if not m:
        return False
    word = m.group(1).rstrip(".").lower()
    if word in ABBREVIATIONS:
        return True
    return len(word) == 1 and word.isalpha()  # an initial: "N. Nam", "S.T"


def _only_addressees(clause: str) -> bool:
    """The clause ends with an ask and its addressees only ("… yêu cầu Giám đốc các sở, ban, ngành")."""
    m = _ASK_TAIL.search(clause)
    if not m:
        return False
    words = re.findall(r"\w+", m.group(1))
    return bool(words) and all(w[0].isupper() or w.lower() in _ADDRESSEE_WORDS for w in words)


def split_sentences(text: str, split_semicolons: bool = True) -> list[str]:
    """The sentences of a paragraph, stripped, in order (never empty strings)."""
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if m.group("semi"):
            before, colon, clause = text[start : m.start("semi")].rpartition(":")
            if (not split_semicolons or len(clause.split()) < 8 or (colon and _ENUMERATION.search(before))
                    or _only_addressees(clause)):
                continue  # addressees ("Các sở, ban, ngành; UBND các huyện …") or items of an enumeration
            cut = m.start("semi") + 1
        else:
            if m.group("end") == "." and _is_abbreviation(text[start : m.start("end")]):
                continue
            cut = m.end("close")
        piece = text[start:cut].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out
