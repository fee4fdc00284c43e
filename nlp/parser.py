"""parse_notice: normalised text -> Notice (metadata, directives, and the other passages of the text).

Flow: normalise; drop page furniture (widgets, timestamps, captions, bylines, related news) and the
signature block; read the metadata; segment the body into units (whole items, sentences of plain
paragraphs); keep as directives the units the directive model accepts; the rest of the body becomes
passages, indexed for search but not counted as directives.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.directive_model import DirectiveModel, body_features, load_model
from nlp.directives import Unit, _split_marker, finish_directives, is_closing, segment_units
from nlp.metadata import extract_metadata
from nlp.noise import WIDGET, is_byline, is_caption, related_start, strip_outlet_prefix, timestamp_date
from nlp.normalize import fold, is_caps, looks_vietnamese, normalize_text
from nlp.records import Directive, Notice
from nlp.units import ASK, clean_unit

# Lines where the body ends: recipients, signature, byline label, sign-off of a radio script.
_END = re.compile(
    r"^(nơi nhận|tác giả|nguồn\s*:|ghi chú\s*:|phê duyệt của|"
    r"(tm|tl|kt|q|tuq)\.\s|ngày\s+\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}\.?$|người viết bài)"
    r"|đến đây (là hết|xin (được )?kết thúc|xin tạm dừng)|^.{0,30}(phê duyệt|duyệt) của lãnh đạo",
    re.IGNORECASE,
)
# "<place>, ngày …" below the body of a radio script ends it too (at the top it is the header).
_PLACE_DATE_END = re.compile(r"^(?=.{0,70}$)[^\d,:;]{2,40},\s*ngày\s*\d{0,2}\s*(tháng|/)", re.IGNORECASE)
# "… kết luận và chỉ đạo như sau:", "Kết luận hội nghị, … nhấn mạnh: …": what follows are the conclusions.
_CONCLUSION_CUE = re.compile(
    r"(ket luan|nhan manh|chi dao|yeu cau|de nghi|luu y)[^:]{0,150}:\s*|"
    r"^(phat bieu )?(ket luan|ket thuc)( tai)? (hoi nghi|cuoc hop|buoi)[^:]{0,150}:\s*"
)
_CONCLUSION_LEAD = re.compile(r"^(phat bieu )?(ket luan|chi dao)( tai)? hoi nghi|^phat bieu (ket luan|chi dao)")
# A speech lead-in cut from the first conclusion ("Kết luận tại hội nghị, đồng chí … nhấn mạnh: …").
_SPEECH_LEAD = re.compile(r"(ket luan|nhan manh|phat bieu|nhu sau)")
_ASKING_LEAD = re.compile(r"\b(yeu cau|de nghi|giao)\b")
_ANNOUNCES = re.compile(r"\b(sau|nhu sau|sau day|cu the|gom|bao gom|nhu)\s*:\s*$")
_HEADER_LINE = re.compile(r"^(số\s*:|cộng hòa xã hội|độc lập\s*-|[-_=|]+$)", re.IGNORECASE)


def _body_end(lines: list[str], start: int) -> int:
    """Index of the first line after the body (signature block, recipients, sign-off), from `start` on."""
    for j in range(max(start, 2), len(lines)):
        line = lines[j]
        if _END.search(line) or _PLACE_DATE_END.search(line) or (is_caps(line, 3) and "CHỦ TỊCH" in line):
            return j
    return len(lines)


def _conclusion_start(lines: list[str], start: int, end: int) -> tuple[int, str, bool]:
    """(index of the lead-in line, text after the cue on that line, whether the line itself is part of the
    conclusions) of an explicit conclusion cue of a formal notice or meeting news ("… kết luận và chỉ đạo như
    sau:", "Kết luận hội nghị, … nhấn mạnh: …", "Kết luận hội nghị, đồng chí … đề nghị …"); (-1, "", False)
    when there is none. Units before the conclusions are not directives."""
    for i in range(start, end):
        if _split_marker(lines[i])[0] in ("num", "roman"):
            return -1, "", False  # numbered conclusions without a lead-in: the structure decides
        folded = fold(lines[i])
        if _CONCLUSION_LEAD.match(folded):
            _, colon, rest = lines[i].partition(":")
            if colon and len(rest.split()) >= 3:
                return i, rest.strip(), False
            return i, "", True  # "Kết luận hội nghị, đồng chí … đề nghị …": the line may hold a directive
        m = _CONCLUSION_CUE.search(folded)
        if m and (m.end() >= len(folded) - 2 or _SPEECH_LEAD.search(folded[: m.end()])):
            if _ASKING_LEAD.search(folded[: m.end()]) and not _SPEECH_LEAD.search(folded[: m.end()]):
                continue  # "UBND huyện yêu cầu: …" is itself a directive with its lead-in
            return i, lines[i][m.end():].strip(), False
    return -1, "", False


def _head_end(lines: list[str], title: str) -> int:
    """Index of the first line after the header block (motto, number, title, timestamps)."""
    head = 0
    for i, line in enumerate(lines[:14]):
        if (line == title or _HEADER_LINE.match(line) or _PLACE_DATE_END.match(line) or timestamp_date(line)
                or (is_caps(line, 3) and len(line) < 120)):
            head = i + 1
        elif len(line) > 120 or _split_marker(line)[0] != "para":
            break
    return head


@dataclass
class Body:
    """A notice's metadata with the candidate units of its body, before directives are chosen."""

    notice: Notice
    year: int | None  # the year that dates without one take
    units: list[Unit]
    conclusions: int  # paragraph index where explicit conclusions start (-1: no cue)
    default_unit: str  # the addressees of the conclusions' lead-in


def read_body(text: str) -> Body:
    """Normalise, read the metadata and segment the body into candidate units."""
    text = normalize_text(text)
    lines = [ln for ln in text.split("\n") if ln.strip() and not WIDGET.match(ln)]
    lines = lines[: related_start(lines)]
    end = _body_end(lines, _head_end(lines, ""))
    while end > 0 and is_byline(lines[end - 1]) and _split_marker(lines[end - 1])[0] not in ("num", "roman"):
        end -= 1  # the author's name under the last paragraph
    cue_at, after_cue, cue_line_counts = _conclusion_start(lines, max(_head_end(lines, ""), 1), end)
    preamble = "\n".join(lines[: cue_at + 1 if cue_at >= 0 else _first_item(lines, end)])
    notice, year = extract_metadata(lines, preamble, "\n".join(lines))
    notice.text = text
    notice.language = "vi" if looks_vietnamese(text) else "other"
    if notice.language != "vi":
        return Body(notice, year, [], -1, "")
    body: list[str] = []
    conclusions = -1
    for i in range(_head_end(lines, notice.title), end):
        line = lines[i]
        if timestamp_date(line) or (is_caption(line) and _split_marker(line)[0] == "para"):
            continue
        if i == cue_at and after_cue:
            body.append(line[: len(line) - len(after_cue)].strip())
            line = after_cue
        body.append(strip_outlet_prefix(line))
        if i == cue_at:
            conclusions = len(body) - 1 if after_cue or cue_line_counts else len(body)
    first_item = _first_item(lines, end)
    lead_in = lines[first_item - 1] if 0 < first_item < end and lines[first_item - 1].rstrip().endswith(":") else ""
    default = _default_unit(lead_in or (lines[cue_at] if cue_at >= 0 else ""))
    return Body(notice, year, segment_units(body), conclusions, default)


def choose_directives(body: Body, model: DirectiveModel | None = None) -> tuple[list[Unit], list[Unit]]:
    """(directives, other units) of a body: the model decides, explicit conclusions and closings bound it."""
    model = model or load_model()
    features = body_features(body.units, body.notice.doc_type == "ke_hoach")
    last_paragraph = body.units[-1].paragraph if body.units else -1
    chosen: list[Unit] = []
    rest: list[Unit] = []
    for k, (unit, feats) in enumerate(zip(body.units, features)):
        keep = model.probability(feats) >= model.threshold
        if 0 <= body.conclusions and unit.paragraph < body.conclusions:
            keep = False
        if keep and is_list_intro(unit, body.units[k + 1] if k + 1 < len(body.units) else None):
            keep = False
        if keep and unit.kind == "para" and is_closing(unit.text, unit.paragraph == last_paragraph):
            keep = False
        (chosen if keep else rest).append(unit)
    return chosen, rest


def is_list_intro(unit: Unit, following: Unit | None) -> bool:
    """A sentence that only announces the items below it ("… thực hiện tốt một số nội dung sau:")."""
    return (
        unit.kind == "para" and following is not None and following.kind != "para"
        and unit.text.rstrip().endswith(":") and bool(_ANNOUNCES.search(fold(unit.text[-80:])))
    )


def parse_notice(text: str) -> Notice:
    """Parse a notice: metadata, directives (with unit, deadlines, targets) and the other passages."""
    body = read_body(text)
    notice = body.notice
    if not body.units:
        return notice
    chosen, rest = choose_directives(body)
    notice.directives = finish_directives(chosen, body.default_unit, body.year)
    notice.passages = [Directive(text=u.text.strip(), heading=u.heading, kind="passage") for u in rest
                       if len(u.text.split()) >= 4]
    return notice


def _first_item(lines: list[str], end: int) -> int:
    """Index of the first numbered item (the end of a formal notice's preamble), else `end`."""
    return next((i for i in range(2, end) if _split_marker(lines[i])[0] in ("num", "roman")), end)


def _default_unit(lead_in: str) -> str:
    """The addressees of the lead-in ("… đề nghị các phòng, ban …:"), for items that name none."""
    m = ASK.search(lead_in)
    return clean_unit(m.group(1)) if m and len(m.group(1).split()) <= 15 else ""
