"""Notice metadata: number, type, title, issuer, level and locality, dates, chair, signer.

Formal notices carry their metadata in a header ("Số: …", "<place>, ngày … tháng … năm …", "ỦY BAN NHÂN
DÂN / XÃ …"), sometimes flattened from its two-column table onto shared lines. News pages carry a
timestamp (the publication date) and name the instructing authority in the text. Dates:
- issue date: the header date of a formal notice; else the date the reported document was issued
  ("Ngày 31/3, UBND tỉnh … ban hành Kế hoạch …", "… ban hành Công văn số 368/UBND-HC ngày 22/3/2021");
  else the publication date of the article;
- meeting date: the day of the reported event (a meeting, a visit), never a date inside a reference
  ("Thực hiện Công văn số … ngày …") or a deadline ("trước ngày …");
- published: the article's timestamp, kept apart from both.
"""
from __future__ import annotations

import re

from nlp.authority import find_authority
from nlp.dates import VnDate, find_dates, make_date
from nlp.noise import timestamp_date
from nlp.normalize import fold, is_caps
from nlp.records import Notice

_NUMBER = re.compile(r"\bSố\s*:\s*(\S+(?:\s*/\s*\S+)?)", re.IGNORECASE)
_PLACE_DATE = re.compile(r"(?:^|\s)([^\d,:;|]{2,40}),\s*(ngày\b.*)$", re.IGNORECASE)
_MOTTO = re.compile(r"\s*(CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|Độc lập\s*[-–]\s*Tự do\s*[-–]\s*Hạnh phúc)\s*", re.IGNORECASE)
_HEADER_BODY = re.compile(r"^(?:ỦY BAN NHÂN DÂN|UBND)\s*(.*)$")
_STANDALONE_DATE = re.compile(r"^ngày\s+\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}\.?$", re.IGNORECASE)
_PERSON_INTRO = re.compile(r"\b(?:đồng chí|ông|bà)\s+", re.IGNORECASE)
_SIGN_BLOCK = re.compile(r"^(TM|TL|KT|Q|TUQ)\.\s", re.IGNORECASE)
_DOC_WORDS = ("thong bao", "ke hoach", "bao cao", "quyet dinh", "cong van", "chi thi")
_PLAN_SECTION = re.compile(
    r"^(?:[IVX]+\.\s*)?(?:\d+\.\s*)?(mục đích|yêu cầu|mục tiêu|nhiệm vụ|nội dung thực hiện|tổ chức thực hiện|"
    r"tiến độ thực hiện|giải pháp|kinh phí thực hiện)\b",
    re.IGNORECASE | re.M,
)
# The text is a plan, or reports one being issued: "ban hành Kế hoạch số …", "Theo Kế hoạch, …", "…/KH-UBND".
_ISSUES_PLAN = re.compile(r"(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|Chủ tịch)[^.;]{0,60}?\b(?:ban hành|phê duyệt)\s+"
                          r"(?:\S+\s+){0,2}(?:Kế hoạch|KẾ HOẠCH)\b|\bKế hoạch số\b|^\W*Theo Kế hoạch\b|\d+/KH-", re.M)
_MEETING = re.compile(r"\b(hội nghị|cuộc họp|phiên họp|buổi làm việc|buổi kiểm tra|hội thảo|họp báo|giao ban)\b",
                      re.IGNORECASE)
_AT_MEETING = re.compile(r"\b(chủ trì|phát biểu|kết luận|tại (hội nghị|cuộc họp|phiên họp|buổi)|kết thúc (hội nghị|buổi))\b",
                         re.IGNORECASE)
# A date that belongs to a document reference ("Công văn số 170/SNV ngày 10/02/2023"), not to an event.
_REF_BEFORE = re.compile(r"\bsố\s*\S*\s*(?:ngày)?\s*$|(?:nghị định|quyết định|thông tư|chỉ thị|công văn|kế hoạch|"
                         r"nghị quyết|văn bản|báo cáo)\s+(?:\S+\s+){0,2}(?:ngày)?\s*$", re.IGNORECASE)
_DEADLINE_BEFORE = re.compile(r"(trước|đến|từ|tính đến|chậm nhất|hạn|sau|kể từ|trong)\s*(ngày)?\s*$", re.IGNORECASE)
_BASIS_START = re.compile(r"^\W*(căn cứ|thực hiện|theo|trên cơ sở|trước đó)\b", re.IGNORECASE)
_ISSUE_VERB = re.compile(r"\b(ban hành|có văn bản|có công văn|vừa ký|đã ký|ký ban hành|phát động|có kế hoạch)\b",
                         re.IGNORECASE)
_SENTENCES = re.compile(r"(?<=[.;!?])\s+")


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


def find_doc_type(head: str, title: str, text: str) -> str:
    """thong_bao_ket_luan, tuyen_truyen, ke_hoach, tin_hoi_nghi or other."""
    if re.search(r"bài tuyên truyền|kính thưa bà con", head + "\n" + text[:600], re.IGNORECASE):
        return "tuyen_truyen"
    header_words = {fold(ln.strip()) for ln in head.split("\n") if is_caps(ln.strip(), 3) and len(ln) < 40}
    if "ke hoach" in header_words or re.match(r"kế hoạch\b", title, re.IGNORECASE):
        return "ke_hoach"
    if "thong bao" in header_words:
        return "thong_bao_ket_luan"
    if len(set(m.group(1).lower() for m in _PLAN_SECTION.finditer(text))) >= 2 or _ISSUES_PLAN.search(text[:1500]):
        return "ke_hoach"
    opening = "\n".join([title, text[:1500]])
    if _MEETING.search(opening) and _AT_MEETING.search(text):
        return "tin_hoi_nghi"
    return "other"


def find_title(lines: list[str]) -> str:
    """The subject line: after "THÔNG BÁO"/"KẾ HOẠCH", else the first line that reads as a title."""
    for i, line in enumerate(lines[:14]):
        if is_caps(line, 3) and fold(line) in _DOC_WORDS and i + 1 < len(lines):
            return lines[i + 1]
    candidates: list[str] = []
    for line in lines[:6]:
        if (_NUMBER.search(line) or _PLACE_DATE.search(line) or timestamp_date(line) or _MOTTO.search(line)
                or re.match(r"^(\d+(\.\d+)*|[IVX]+)[.)]\s", line)):
            continue
        words = len(line.split())
        if is_caps(line, 3) and words <= 4:
            continue  # "ỦY BAN NHÂN DÂN", "XÃ ĐỊNH HƯNG"
        if len(line) > 250 or line.rstrip().endswith(":") or (line.rstrip().endswith(".") and (words > 25 or candidates)):
            break  # a paragraph: the text has no title line
        candidates.append(line)
    long_enough = [c for c in candidates if len(c.split()) >= 6]
    return (long_enough or candidates or [""])[0]


def _header_place(lines: list[str]) -> str:
    """"XÃ ĐỊNH HƯNG" of an "ỦY BAN NHÂN DÂN / XÃ ĐỊNH HƯNG" header (motto cells removed), as "Xã Định Hưng"."""
    for i, raw in enumerate(lines[:10]):
        line = _MOTTO.sub(" ", raw).strip()
        m = _HEADER_BODY.match(line) if len(line) <= 50 and is_caps(line, 3) else None
        if not m:
            continue
        rest = m.group(1).strip()
        if not rest and i + 1 < len(lines):
            nxt = _MOTTO.sub(" ", lines[i + 1]).strip()
            rest = nxt if is_caps(nxt, 3) and len(nxt) < 50 else ""
        return rest.title() if is_caps(rest, 3) else rest
    return ""


def _header_date(text: str) -> VnDate | None:
    """The date of a "<place>, ngày … tháng … năm …" line, keeping a blank day as month precision."""
    m = re.match(r"ngày\s*(\d{1,2})?\s*tháng\s*(\d{1,2})?\s*năm\s*(\d{4})", text.strip(), re.IGNORECASE)
    if m:
        day, month, year = (int(g) if g else None for g in m.groups())
        return make_date(year, month, day)
    found = find_dates(text)
    return found[0][1] if found else None


def _event_dates(story: str, year: int | None) -> list[tuple[str, VnDate]]:
    """(sentence, date) of day-precision dates that are not references or deadlines, in order."""
    out: list[tuple[str, VnDate]] = []
    for sentence in _SENTENCES.split(story):
        for start, d in find_dates(sentence, year):
            before = sentence[max(0, start - 40) : start]
            if d.precision != "day" or _REF_BEFORE.search(before) or _DEADLINE_BEFORE.search(before):
                continue
            out.append((sentence, d))
    return out


def _issued_date(story: str, year: int | None) -> VnDate | None:
    """The date the reported document was issued ("Ngày 31/3, UBND tỉnh … ban hành Kế hoạch …",
    "… ban hành Công văn số 368/UBND-HC ngày 22/3/2021"), outside legal bases."""
    for sentence in _SENTENCES.split(story):
        if _BASIS_START.match(sentence) or not _ISSUE_VERB.search(sentence):
            continue
        lead = re.match(r"^\W*(?:(?:sáng|chiều|tối)\s+)?ngày\s+(\d{1,2})\s*[/-]\s*(\d{1,2})(?:\s*[/-]\s*(\d{4}))?", sentence,
                        re.IGNORECASE)
        if lead:
            d = make_date(int(lead.group(3)) if lead.group(3) else year, int(lead.group(2)), int(lead.group(1)))
            if d:
                return d
        verb = _ISSUE_VERB.search(sentence)
        for start, d in find_dates(sentence[verb.start():], year):
            if d.precision == "day" and re.search(r"\bsố\s*\S*\s*(ngày)?\s*$", sentence[verb.start():][max(0, start - 40):start],
                                                  re.IGNORECASE):
                return d
    return None


def extract_metadata(lines: list[str], preamble: str, text: str) -> tuple[Notice, int | None]:
    """A Notice holding the metadata of a normalised notice, and the year that dates without one take.

    `lines` are the notice's non-empty lines, `preamble` the text before its conclusions.
    """
    notice = Notice()
    head = "\n".join(lines[:10])
    for line in lines[:10]:
        m = _NUMBER.search(line)
        if m:
            notice.doc_number = m.group(1).strip().replace(" ", "")
            break
    issued: VnDate | None = None
    date_place = ""
    for i, line in enumerate(lines[:12]):
        line = _MOTTO.sub(" ", line)
        if re.search(r",\s*ngày\s*$", line, re.IGNORECASE) and i + 1 < len(lines):
            line = f"{line} {lines[i + 1]}"  # "Tuyên Quang, ngày" / "10 tháng 12 năm 2013" broken over two lines
        m = _PLACE_DATE.search(line)
        if m and _looks_like_place(m.group(1)) and (issued := _header_date(m.group(2))):
            date_place = m.group(1).strip()
            break
    if issued is None:  # a radio script is dated under its text
        for line in lines[::-1][:6]:
            m = _PLACE_DATE.search(line)
            if (m or _STANDALONE_DATE.match(line)) and (issued := _header_date(m.group(2) if m else line)):
                break
    published = next((d for d in (timestamp_date(ln) for ln in lines[:8]) if d), None)
    notice.title = find_title(lines)
    notice.doc_type = find_doc_type(head, notice.title, text)
    authority = find_authority(text, notice.title, _header_place(lines), date_place)
    notice.issuer, notice.level, notice.locality = authority.issuer, authority.level, authority.locality
    years = [int(y) for y in re.findall(r"\b(20\d\d)\b", text)]
    context_year = (issued or published).year if (issued or published) else (max(years) if years else None)
    story = "\n".join(ln for ln in preamble.split("\n")
                      if not (_NUMBER.search(ln) or timestamp_date(ln) or _PLACE_DATE.search(_MOTTO.sub(" ", ln))))
    if issued is None:
        issued = _issued_date(text, context_year) if published is None else published
    limit = _as_tuple(issued) if issued else (9999, 12, 31)
    met = next((d for _, d in _event_dates(story, context_year) if (d.year, d.month, d.day) <= limit), None)
    if issued:
        notice.issue_date, notice.issue_date_precision = issued.iso(), issued.precision
    if published:
        notice.published_date = published.iso()
    if met:
        notice.meeting_date, notice.meeting_date_precision = met.iso(), met.precision
    notice.chair = find_chair(preamble)
    notice.signer = find_signer(lines)
    return notice, issued.year if issued else (met.year if met else context_year)


def _looks_like_place(text: str) -> bool:
    """"Tuyên Quang", "XÃ ĐỊNH HƯNG", "TP. Hồ Chí Minh": a few words, each capitalised ("Trước tình hình này" is not)."""
    words = text.strip().split()
    return 0 < len(words) <= 6 and all(w[:1].isupper() or not w[:1].isalpha() for w in words)


def _as_tuple(d: VnDate) -> tuple[int, int, int]:
    return (d.year, d.month or 12, d.day or 31)
