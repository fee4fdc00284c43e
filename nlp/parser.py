"""parse_notice: normalised text -> Notice (metadata + directives)."""
from __future__ import annotations

import re

from nlp.directives import _split_marker, split_directives
from nlp.units import ASK, clean_unit
from nlp.metadata import extract_metadata
from nlp.normalize import fold, is_caps, looks_vietnamese, normalize_text
from nlp.records import Notice

# Page furniture of news websites: font-size and contrast widgets, print/share links.
_WIDGET = re.compile(
    r"^(A-\s*A\s*A\+|.*tăng tương phản|in bài viết|chia sẻ|bản in|trang chủ\s*>)", re.IGNORECASE
)
# Lines where the directives end: recipients, signature, byline, related news, sign-off of a radio script.
_END = re.compile(
    r"^(nơi nhận|tác giả|tin liên quan|tin cùng chuyên mục|nguồn\s*:|ghi chú\s*:|phê duyệt của|"
    r"(tm|tl|kt|q|tuq)\.\s|ngày\s+\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}\.?$|người viết bài)"
    r"|đến đây (là hết|xin (được )?kết thúc|xin tạm dừng)|^.{0,30}(phê duyệt|duyệt) của lãnh đạo",
    re.IGNORECASE,
)
# "<place>, ngày …" below the directives of a radio script ends them too (at the top it is the header).
_PLACE_DATE_END = re.compile(r"^[^\d,:;]{2,40},\s*ngày\s*\d{0,2}\s*(tháng|/)", re.IGNORECASE)
# "… Chủ tịch UBND huyện nhấn mạnh: …" opens the conclusions of a prose news report.
_CONCLUSION_CUE = re.compile(r"(ket luan|nhan manh|chi dao|yeu cau|de nghi|luu y)[^:]{0,150}:\s*")
# "Kết luận hội nghị, Phó Chủ tịch … biểu dương …": the conclusions follow in the next paragraphs.
_CONCLUSION_LEAD = re.compile(r"^(phat bieu )?(ket luan|chi dao)( tai)? hoi nghi|^phat bieu (ket luan|chi dao)")
# A paragraph of a prose report that asks for something (as opposed to an award or a byline).
_ASKING = re.compile(
    r"\b(de nghi|yeu cau|can|phai|giao|luu y|nhan manh|chi dao|tiep tuc|tap trung|day manh|khan truong|"
    r"chu dong|doi voi|trach nhiem|phan dau|bao dam|dam bao)\b"
)


def _body_bounds(lines: list[str]) -> tuple[int, int, str]:
    """(start, end, first_text) of the directive zone; first_text is a prose conclusion's opening."""
    def end_from(i: int) -> int:
        for j in range(i, len(lines)):
            if _END.search(lines[j]) or _PLACE_DATE_END.search(lines[j]) or (is_caps(lines[j], 3) and "CHỦ TỊCH" in lines[j]):
                return j
        return len(lines)

    for i, line in enumerate(lines):
        if i < 2:
            continue
        kind = _split_marker(line)[0]
        if kind in ("num", "roman"):
            end = end_from(i)
            if i < end:
                return i, end, ""
        if _END.search(line):
            break
    end = end_from(2)
    for i in range(2, end):
        folded = fold(lines[i])
        if _CONCLUSION_LEAD.match(folded):
            return i + 1, end, ""
        m = _CONCLUSION_CUE.search(folded)
        if m:
            rest = lines[i][m.end() :].strip()
            return (i, end, rest) if rest else (i + 1, end, "")
    return end, end, ""


def parse_notice(text: str) -> Notice:
    """Parse a notice: metadata (number, type, issuer, dates, chair, signer, title) and directives."""
    text = normalize_text(text)
    lines = [ln for ln in text.split("\n") if ln.strip() and not _WIDGET.match(ln)]
    start, end, first = _body_bounds(lines)
    preamble = "\n".join(lines[:start])
    notice, year = extract_metadata(lines, preamble, "\n".join(lines))
    default_unit = ""
    if start > 0:
        m = ASK.search(lines[start - 1] if not first else lines[start])
        if m and len(m.group(1).split()) <= 15:
            default_unit = clean_unit(m.group(1))
    body = ([first] if first else []) + lines[start + (1 if first else 0) : end]
    if start < len(lines) and _split_marker(lines[start])[0] not in ("num", "roman"):
        # prose report: keep the paragraphs that ask for something
        body = [ln for ln in body if _split_marker(ln)[0] != "para" or _ASKING.search(fold(ln))]
    notice.language = "vi" if looks_vietnamese(text) else "other"
    notice.directives = split_directives(body, default_unit, year) if notice.language == "vi" else []
    notice.text = text
    return notice
