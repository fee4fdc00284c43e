"""Is a notice already stored in another form (pasted, then uploaded as a PDF or a scan)?

Two tests, on the few stored notices that share its number, issue date or title:
- the same identity: the same document number (with digits), issuer and issue date;
- nearly the same text: most word trigrams of the shorter text (accent-folded) occur in the other one,
  which holds through OCR errors, different page furniture and one text being an excerpt of the other.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nlp.normalize import fold
from nlp.records import Notice

SHINGLE = 3
NEAR = 0.8  # share of the shorter text's trigrams found in the other text


@dataclass
class Duplicate:
    """A stored notice that the new one duplicates, and why."""

    doc_id: str
    name: str
    title: str
    reason: str

    def message(self) -> str:
        """Vietnamese: "trùng với <notice> (<reason>)"."""
        label = self.title or self.name or self.doc_id
        return f"trùng với văn bản đã lưu “{label[:80]}” (mã {self.doc_id[:8]}; {self.reason})"


def shingles(text: str) -> set[str]:
    """Accent-folded word trigrams of a text."""
    words = re.findall(r"\w+", fold(text))
    return {" ".join(words[i : i + SHINGLE]) for i in range(max(0, len(words) - SHINGLE + 1))}


def overlap(a: set[str], b: set[str]) -> float:
    """Share of the smaller set found in the other (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _identity(notice: Notice) -> tuple[str, str, str] | None:
    number = re.sub(r"\s+", "", notice.doc_number)
    if not re.search(r"\d", number) or not notice.issue_date:
        return None
    return fold(number), fold(notice.issuer), notice.issue_date


def find_duplicate(notice: Notice, candidates: Iterable[dict[str, Any]]) -> Duplicate | None:
    """The first stored notice (rows with doc_id, name, title, doc_number, issuer, issue_date, text) that
    `notice` duplicates, or None."""
    identity = _identity(notice)
    own = shingles(notice.text)
    for row in candidates:
        if identity and identity == _identity(Notice(doc_number=row["doc_number"], issuer=row["issuer"],
                                                      issue_date=row["issue_date"])):
            return Duplicate(row["doc_id"], row["name"], row["title"], "cùng số, cơ quan ban hành và ngày ban hành")
        share = overlap(own, shingles(row["text"]))
        if share >= NEAR:
            return Duplicate(row["doc_id"], row["name"], row["title"], f"nội dung trùng {share:.0%}")
    return None
