"""Who instructs: the issuing authority of a notice, its level and its locality, read from the text.

A formal notice names its issuer in the header ("ỦY BAN NHÂN DÂN / XÃ ĐỊNH HƯNG"). News and dispatches
name it in running text: "UBND huyện Chợ Mới yêu cầu …", "Chủ tịch UBND tỉnh giao …", "UBND TP.HCM vừa
có văn bản …", "Đoàn kiểm tra CCHC tỉnh yêu cầu huyện …". Every mention of an authority is scored: the
subject of an instruction (an ask or issue verb after it) counts most, a mention in the title next,
one inside a reference ("Căn cứ Quyết định số … của UBND tỉnh …") counts against. The best mention
gives the level; the locality is its place name, else the place most named at that level.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from nlp.normalize import VI_UPPER, fold
from nlp.places import UPPER_WORD, canonical_place, is_central_city, level_of, named_province, place_name

_LEVEL = r"(?:tỉnh|thành phố|tp\.?|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)"
# "UBND huyện Chợ Mới", "Chủ tịch UBND tỉnh", "Ủy ban nhân dân Huyện", "Chủ tịch tỉnh Thanh Hóa",
# "Ban Chỉ đạo CCHC huyện", "Đoàn kiểm tra cải cách hành chính (CCHC) tỉnh", "HĐND&UBND huyện", "huyện Yên Lạc".
_BODY = (
    r"(?:(?:phó\s+)?chủ tịch\s+)?(?:ubnd|ủy ban nhân dân|hđnd\s*(?:&|và|-)\s*ubnd|văn phòng (?:hđnd\s*(?:&|và|-)\s*)?ubnd)"
    r"|(?:phó\s+)?chủ tịch|(?:ban chỉ đạo|đoàn kiểm tra|đoàn công tác)(?:(?!yêu cầu|đề nghị|giao|chỉ đạo)[^.,;\n]){0,50}?"
)
MENTION = re.compile(rf"(?P<body>\b(?:{_BODY})\s+)?\b(?P<level>{_LEVEL})(?:[ \t]+|(?=\W)|$)", re.IGNORECASE)
# Surnames that, right after "Chủ tịch UBND tỉnh", start a person's name rather than a place's.
_SURNAMES = frozenset("nguyễn trần phạm huỳnh phan vũ võ đặng bùi đỗ ngô dương lý đinh trịnh lưu".split())
_MIDDLE_NAMES = frozenset("văn thị minh quốc anh hữu đức ngọc thanh xuân hồng công duy trọng đình".split())
_CITY_SHORT = re.compile(r"\b(?:tp\.?\s*hcm|tphcm|tp\.?\s*hồ chí minh)\b", re.IGNORECASE)
_ACTION = re.compile(
    r"^\W*(?:cũng\s+|đã\s+|vừa\s+|tiếp tục\s+|sẽ\s+|mới đây\s+)*(?:yêu cầu|đề nghị|giao|chỉ đạo|ban hành|có văn bản|"
    r"có công văn|có ý kiến|ký|phát động|kết luận|công bố|lưu ý|nhấn mạnh|triển khai|tổ chức|quyết định|vừa|đã|sẽ|tiếp tục)",
    re.IGNORECASE,
)
_REFERENCE = re.compile(r"(?:căn cứ|thực hiện|theo|trên cơ sở)\s+(?:\S+\s+){0,3}(?:số|\d)|\bcủa\s*$|\bsố\s+\S+\s*$", re.IGNORECASE)
_ASKED = re.compile(r"(?:yêu cầu|đề nghị|giao|chỉ đạo|gửi)\s+(?:\S+\s+){0,6}$", re.IGNORECASE)
_ASKS_OF = re.compile(r"(?<!thực hiện )(?<!theo )\b(?:yêu cầu|chỉ đạo|kết luận|chỉ thị) của\s*$", re.IGNORECASE)
_ADDRESSEES = re.compile(rf"\b(?:các|cấp)(?:\s+{_LEVEL}\s*,)?\s*$", re.IGNORECASE)  # "các xã, " before "thị trấn"
LEVEL_WORD = {"tinh": "tỉnh", "huyen": "huyện", "xa": "xã"}


@dataclass
class Authority:
    issuer: str
    level: str
    locality: str


def _mentions(text: str, weight: float, document: str) -> list[tuple[float, str, str]]:
    """(score, level id, place name) of every authority mention in `text` (a part of `document`)."""
    out: list[tuple[float, str, str]] = []
    for m in _CITY_SHORT.finditer(text):
        out.append((weight * 2, "tinh", "Hồ Chí Minh"))
    for m in MENTION.finditer(text):
        word = m.group("level").lower().rstrip(".")
        rest = text[m.end(): m.end() + 80].split("\n", 1)[0]
        name = place_name(rest) if re.match(UPPER_WORD, rest) else ""
        if name and _is_person(name):
            name = ""  # "Chủ tịch UBND tỉnh Nguyễn Văn A"
        level = level_of(word, name)
        if word in ("thành phố", "tp") and not name and re.search(r"\b(?:quận|sở)\b", document, re.IGNORECASE):
            level = "tinh"  # a city with districts and departments of its own is run by the centre
        after = rest[len(name):] if name else rest
        before = text[max(0, m.start() - 60): m.start()]
        score = 0.5 if m.group("body") else 0.2 if name else 0.05
        if m.group("body") and _ACTION.match(after):
            score += 3.0
        elif not m.group("body") and _ACTION.match(after):
            score += 1.5 if name else 0.8  # "huyện Yên Lạc vừa ban hành …", "huyện sẽ tăng cường …"
        if re.search(r"tuyên truyền của\s*$", before, re.IGNORECASE):
            score += 5.0  # the body that speaks in a radio script
        elif _ASKS_OF.search(before):
            score += 1.5  # "… là yêu cầu của Chủ tịch UBND thành phố": the one who asks
        else:
            if _REFERENCE.search(before):
                score -= 2.0
            if _ASKED.search(before):
                score -= 1.5  # the asked party ("yêu cầu UBND các xã …"), not the one asking
        if _ADDRESSEES.search(before):
            score -= 1.0  # "UBND các huyện": addressees; "cấp xã": a level, not a body
        out.append((score * weight, level, name))
    return out


def _is_person(name: str) -> bool:
    words = name.lower().split()
    return words[0] in _SURNAMES or (len(words) >= 3 and words[1] in _MIDDLE_NAMES)


def find_authority(text: str, title: str = "", header_place: str = "", date_place: str = "") -> Authority:
    """The notice's issuing authority from its header ("XÃ ĐỊNH HƯNG"; the place of "<place>, ngày …"),
    title and body."""
    scores: Counter[str] = Counter()  # per level: its best mention, plus a tenth of all its mentions
    top: dict[str, float] = {}
    names: dict[str, Counter[str]] = {"tinh": Counter(), "huyen": Counter(), "xa": Counter()}
    best: dict[str, tuple[float, str]] = {}
    header_level = ""
    if header_place:
        m = re.match(rf"(?i)({_LEVEL})\s+(.+)$", header_place.strip())
        if m:
            header_level = level_of(m.group(1), m.group(2))
            names[header_level][canonical_place(m.group(2))] += 5
            scores[header_level] += 10.0
    prefix = re.match(rf"^([{VI_UPPER}][^:–\-|]{{1,30}}?)\s*[:–\-|]\s", title)  # "Tháp Mười – …", "HUYỆN X: …"
    sources = [(title, 1.5), (text, 1.0)]
    for source, weight in sources:
        for score, level, name in _mentions(source, weight, text):
            if not level:
                continue
            scores[level] += 0.1 * max(score, 0.0)
            top[level] = max(top.get(level, 0.0), score)
            if name:
                names[level][canonical_place(name)] += 1 + max(score, 0.0)
                if score > best.get(level, (-9.0, ""))[0]:
                    best[level] = (score, canonical_place(name))
    for level, best_score in top.items():
        scores[level] += best_score
    if not scores or max(scores.values()) <= 0:
        return Authority("", "", canonical_place(date_place) or _title_place(prefix))
    level = header_level or scores.most_common(1)[0][0]
    locality = ""
    if header_place and header_level:
        locality = names[header_level].most_common(1)[0][0]
    elif date_place and place_name(canonical_place(date_place)):
        locality = canonical_place(date_place)  # "Hương Sơn, ngày 13 tháng 9 năm 2023"
    elif level in best and best[level][0] >= 2.0:
        locality = best[level][1]
    elif names[level]:
        locality = names[level].most_common(1)[0][0]
    else:
        locality = _title_place(prefix) or (named_province(f"{title}\n{text}") if level == "tinh" else "")
        locality = locality or next((n.most_common(1)[0][0] for n in names.values() if n), "")
    word = LEVEL_WORD[level]
    if locality and level == "tinh" and is_central_city(locality):
        word = "thành phố"
    elif locality and level == "huyen":
        m = re.search(rf"\b(thành phố|quận|thị xã|huyện)\s+{re.escape(locality)}", text, re.IGNORECASE)
        word = m.group(1).lower() if m else word
    elif locality and level == "xa":
        m = re.search(rf"\b(phường|thị trấn|xã|đặc khu)\s+{re.escape(locality)}", text, re.IGNORECASE)
        word = m.group(1).lower() if m else word
    return Authority(f"UBND {word} {locality}".strip(), level, locality)


def _title_place(prefix: re.Match | None) -> str:
    """The place of a news title "Tháp Mười – …" / "HUYỆN HỒNG NGỰ: …" (without its level word)."""
    if not prefix:
        return ""
    words = prefix.group(1).strip()
    words = re.sub(rf"(?i)^{_LEVEL}\s+", "", words)
    name = place_name(canonical_place(words))
    return name if name and len(name.split()) <= 4 and fold(name) not in ("thong bao", "ke hoach") else ""
