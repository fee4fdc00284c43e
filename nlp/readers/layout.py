"""Header and signature tables of a notice, read as the header lines of a typed notice.

A Vietnamese notice opens with a borderless two-column table: the issuer and "Số: …" on the left,
the national motto and "<place>, ngày …" on the right; it often closes with another (the
recipients on the left, the signature on the right). Read row by row they give
"Số: 215/TB-UBND | Tân Lập, ngày …"; the parser needs one field per line, in the order a typed
notice has them: issuer, motto, number, place and date.
"""
from __future__ import annotations

import re

from nlp.normalize import fold

# what only the header or the signature block of a notice holds
_MARKS = re.compile(r"cong hoa xa hoi chu nghia|doc lap\s*-\s*tu do|^so\s*:\s*\S*/|^noi nhan|^[^\d,:;]{2,40},\s*ngay\b")
# where the lower part of a header cell starts: the number, the place and date
_LOWER_PART = re.compile(r"^so\s*:|^[^\d,:;]{2,40},\s*ngay\b|^ngay\b.*\bthang\b")
_ONLY_MARKS = re.compile(r"^[\W_]*$")


def layout_blocks(rows: list[list[list[str]]]) -> list[str] | None:
    """Blocks (lines joined by newlines) for a table given as rows of cells of lines, or None when
    it is not a header or signature table (a data table stays a table)."""
    if not rows or len(rows) > 4 or any(len(row) > 3 for row in rows):
        return None
    if rows[0] and rows[0][0] and fold(rows[0][0][0].strip()) in ("stt", "tt"):
        return None
    if not any(_MARKS.search(fold(line.strip())) for row in rows for cell in row for line in cell):
        return None
    out: list[str] = []
    for row in rows:  # per row: the upper parts of its cells, then their lower parts
        tops, bottoms = [], []
        for lines in row:
            lines = [ln.strip() for ln in lines if not _ONLY_MARKS.match(ln)]
            cut = next((i for i, ln in enumerate(lines) if _LOWER_PART.search(fold(ln))), len(lines))
            tops.append("\n".join(lines[:cut]))
            bottoms.append("\n".join(lines[cut:]))
        out += [part for part in tops + bottoms if part]
    return out
