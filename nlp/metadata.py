"""Notice metadata: number, type, issuer and level, locality, dates, chair, signer, title."""
from __future__ import annotations

import re

from nlp.dates import VnDate, find_dates, make_date
from nlp.normalize import fold, is_caps
from nlp.records import Notice

_NUMBER = re.compile(r"^Số\s*:\s*(.*)$", re.IGNORECASE)
_PLACE_DATE = re.compile(r"^([^\d,:;]{2,40}),\s*(ngày\b.*)$", re.IGNORECASE)
_NEWS_STAMP = re.compile(r"^(\d{1,2}/\d{1,2}/\d{4})\s+\d{1,2}:\d{2}")
# "ỦY BAN NHÂN DÂN" / "HUYỆN EA KRÔNG" (or on one line) at the top-left of an official document.
_HEADER_BODY = re.compile(r"^(?:ỦY BAN NHÂN DÂN|UBND)\s*(.*)$")
_STANDALONE_DATE = re.compile(r"^ngày\s+\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}\.?$", re.IGNORECASE)
_LEVEL_WORDS = {
    "tỉnh": "tinh", "thành phố": "huyen", "huyện": "huyen", "quận": "huyen", "thị xã": "huyen",
    "xã": "xa", "phường": "xa", "thị trấn": "xa",
}
_LEVEL_ALT = "|".join(sorted(_LEVEL_WORDS, key=len, reverse=True))
_BODY = r"(?:UBND|Ủy ban nhân dân|HĐND\s*(?:&|và|-)\s*UBND)"
_BODY_LEVEL = re.compile(rf"{_BODY}\s+({_LEVEL_ALT})\b", re.IGNORECASE)
_UPPER_WORD = r"[A-ZĐÀ-ỸẠ-Ỹ][\wÀ-ỹ]*"
_PLACE_NAME = re.compile(rf"\b((?i:{_LEVEL_ALT})) +((?:{_UPPER_WORD})(?: +{_UPPER_WORD}){{0,3}})")
_PERSON_INTRO = re.compile(r"\b(?:đồng chí|ông|bà)\s+", re.IGNORECASE)
_SIGN_BLOCK = re.compile(r"^(TM|TL|KT|Q|TUQ)\.\s", re.IGNORECASE)
_DOC_TYPES = (
    ("tuyen_truyen", re.compile(r"bài tuyên truyền|kính thưa bà con", re.IGNORECASE)),
    ("ke_hoach", re.compile(r"^kế hoạch\b", re.IGNORECASE | re.M)),
    ("thong_bao_ket_luan", re.compile(r"^thông báo\b", re.IGNORECASE | re.M)),
)
_NEWS_CUES = re.compile(r"^(tác giả|tin liên quan|nguồn)\b", re.IGNORECASE | re.M)


def person_name(text: str) -> str:
    """The leading capitalised words of `text` that look like a Vietnamese name (2-5 syllables)."""
    words: list[str] = []
    for w in text.split():
        core = w.rstrip(",.;:–-")
        if not core or not core[0].isupper() or not core.isalpha() or (len(core) > 1 and core.isupper()):
            break
        words.append(core)
        if core != w or len(words) == 5:
            break
    return " ".join(words) if 2 <= len(words) <= 5 else ""


def _level_of(word: str) -> str:
    return _LEVEL_WORDS.get(word.lower(), "")


def find_chair(preamble: str) -> str:
    """The person who chaired the meeting, from the sentence that says "chủ trì"."""
    for sentence in re.split(r"(?<=[.;])\s+", preamble):
        if "chủ trì" not in sentence.lower():
            continue
        for m in _PERSON_INTRO.finditer(sentence):
            name = person_name(sentence[m.end() :])
            if name:
                return name
    return ""


def find_signer(lines: list[str]) -> str:
    """The name under the signature block (after "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH")."""
    for i in range(len(lines) - 1, -1, -1):
        if _SIGN_BLOCK.match(lines[i]) or (is_caps(lines[i], 3) and "CHỦ TỊCH" in lines[i]):
            for nxt in lines[i + 1 :]:
                if is_caps(nxt, 3):
                    continue
                return person_name(nxt) if person_name(nxt) == nxt.strip() else ""
    return ""


def find_doc_type(head: str, text: str) -> str:
    for doc_type, pattern in _DOC_TYPES:
        if pattern.search(head):
            return doc_type
    if _NEWS_CUES.search(text) or re.match(r"(hội nghị|hội thảo|họp)\b", head, re.IGNORECASE):
        return "tin_hoi_nghi"
    return "other"


def find_title(lines: list[str], doc_type: str) -> str:
    """The subject line: after "THÔNG BÁO"/"KẾ HOẠCH", else the first line that is not a header."""
    for i, line in enumerate(lines[:12]):
        if is_caps(line, 3) and fold(line) in ("thong bao", "ke hoach", "bao cao", "quyet dinh") and i + 1 < len(lines):
            return lines[i + 1]
    for line in lines[:8]:
        if _NUMBER.match(line) or _PLACE_DATE.match(line) or (is_caps(line, 3) and len(line) < 40 and doc_type != "tuyen_truyen"):
            continue
        return line
    return ""


def find_issuer(text: str, head: str, locality_line: str) -> tuple[str, str, str]:
    """(issuer, level, locality) of the notice."""
    level = ""
    # The body that speaks: the "của UBND xã X" of a radio script, the title, the closing, else the text.
    for scope in (head, text[-1500:], text):
        m = _BODY_LEVEL.search(scope)
        if m:
            level = _level_of(m.group(1))
            break
    locality = locality_line
    if not locality:
        for m in _PLACE_NAME.finditer(text):
            if _level_of(m.group(1)) == level:
                locality = m.group(2)
                break
    if not level:
        return "", "", locality
    word = next(w for w, lv in _LEVEL_WORDS.items() if lv == level and w in ("tỉnh", "huyện", "xã"))
    # prefer the level word the text itself uses with this locality ("thị trấn", "phường", "thành phố")
    if locality:
        m = re.search(rf"\b({_LEVEL_ALT})\s+{re.escape(locality)}", text, re.IGNORECASE)
        if m and _level_of(m.group(1)) == level:
            word = m.group(1).lower()
    issuer = f"UBND {word} {locality}".strip()
    return issuer, level, locality


def extract_metadata(lines: list[str], preamble: str, text: str) -> tuple[Notice, int | None]:
    """A Notice holding the metadata of a normalised notice, and the year that dates without one take.

    `lines` are the notice's non-empty lines, `preamble` the text before its directives.
    """
    notice = Notice()
    head = "\n".join(lines[:8])
    locality_line = header_place = ""
    for i, line in enumerate(lines[:10]):
        m = _NUMBER.match(line)
        if m and not notice.doc_number:
            notice.doc_number = m.group(1).strip()
        m = _HEADER_BODY.match(line)
        if m and not header_place:
            rest = m.group(1).strip() or (lines[i + 1] if i + 1 < len(lines) and is_caps(lines[i + 1], 3) else "")
            header_place = rest.title() if is_caps(rest, 3) else rest
    date_lines = [ln for ln in lines[:10] if _PLACE_DATE.match(ln)] or [
        ln for ln in lines[::-1] if _PLACE_DATE.match(ln) or _STANDALONE_DATE.match(ln)
    ]
    date_lines += [ln for ln in lines[:6] if _NEWS_STAMP.match(ln)]
    issued: VnDate | None = None
    for line in date_lines:
        m = _PLACE_DATE.match(line)
        issued = _header_date(m.group(2) if m else line)
        if issued:
            locality_line = m.group(1).strip() if m else ""
            break
    notice.doc_type = find_doc_type(head, text)
    notice.title = find_title(lines, notice.doc_type)
    notice.issuer, notice.level, notice.locality = find_issuer(
        text, f"UBND {header_place}\n{head}\n{notice.title}" if header_place else f"{head}\n{notice.title}",
        locality_line,
    )
    years = [int(y) for y in re.findall(r"\b(20\d\d)\b", text)]
    context_year = issued.year if issued else (max(years) if years else None)
    story = "\n".join(
        ln for ln in preamble.split("\n") if not (_NUMBER.match(ln) or _PLACE_DATE.match(ln) or _NEWS_STAMP.match(ln))
    )
    met = next((d for _, d in find_dates(story, context_year)
                if d.precision == "day" and (issued is None or (d.year, d.month, d.day) <= _as_tuple(issued))), None)
    if issued:
        notice.issue_date, notice.issue_date_precision = issued.iso(), issued.precision
    if met:
        notice.meeting_date, notice.meeting_date_precision = met.iso(), met.precision
    notice.chair = find_chair(preamble)
    notice.signer = find_signer(lines)
    return notice, issued.year if issued else (met.year if met else None)


def _header_date(text: str) -> VnDate | None:
    """The date of a "<place>, ngày … tháng … năm …" line, keeping a blank day as month precision."""
    m = re.match(r"ngày\s*(\d{1,2})?\s*tháng\s*(\d{1,2})?\s*năm\s*(\d{4})", text.strip(), re.IGNORECASE)
    if m:
        day, month, year = (int(g) if g else None for g in m.groups())
        return make_date(year, month, day)
    found = find_dates(text)
    return found[0][1] if found else None


def _as_tuple(d: VnDate) -> tuple[int, int, int]:
    return (d.year, d.month or 12, d.day or 31)
