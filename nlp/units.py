"""Responsible units of a directive: who is asked ("Giao Phòng Nội vụ …", "Đối với UBND các xã: …"),
who co-operates ("… phối hợp với Phòng Tư pháp …"), each in one canonical spelling."""
from __future__ import annotations

import re

from nlp.normalize import fix_tone_marks, fold, is_caps

# Words that end the subject of a sentence ("Các cơ quan, đơn vị | cần …").
_VERBS = (
    "cần|phải|xem xét|khẩn trương|căn cứ|tổ chức|theo|chủ động|tiếp tục|tập trung|thực hiện|"
    "có trách nhiệm|chịu trách nhiệm|rà soát|nghiêm túc|tăng cường|đẩy mạnh|triển khai|phối hợp|"
    "quan tâm|thường xuyên|nâng cao|kịp thời|chủ trì|theo dõi|đôn đốc|tổng hợp|tham mưu|xây dựng|"
    "hướng dẫn|kiểm tra|nghiên cứu|báo cáo|cập nhật|bố trí|chuẩn bị|quản lý|tiếp nhận|giám sát|lập|"
    "hoàn thiện|hoàn thành|ban hành|đề xuất|phấn đấu|duy trì|bảo đảm|đảm bảo|giải quyết|công khai|"
    "chỉ đạo|rà soát|sớm|khắc phục|trình|gửi|ra soát"
)
_UNIT_HEAD = re.compile(
    r"^(?:thủ trưởng|người đứng đầu|các|phòng|văn phòng|ubnd|ủy ban|trung tâm|công chức|cán bộ|"
    r"thành viên|chủ tịch|ban|chi nhánh|bộ phận|mặt trận|trưởng|lãnh đạo|hội đồng|tổ(?! chức)|đoàn|công an|"
    r"chi cục|kho bạc|sở|bảo hiểm)\b",
    re.IGNORECASE,
)
_SUBJECT = re.compile(rf"^(.{{3,160}}?)\s+(?:{_VERBS})\b")
_GIAO = re.compile(rf"(?:^|[\s(;.,])(?:Giao|giao cho)\s+(.{{3,120}}?)\s+(?:{_VERBS})\b")
_CHU_TRI = re.compile(r"^(.{3,100}?)\s+chủ trì\b")
ASK = re.compile(rf"\b(?:[Đđ]ề nghị|[Yy]êu cầu)\s+(.{{3,140}}?)\s+(?:{_VERBS})\b")
DOI_VOI = re.compile(r"^Đối với\s+(.+?)\s*(?::\s*|$)", re.IGNORECASE)
# "Đối với các phòng, ban chuyên môn, trên cơ sở …" / "Đối với UBND các xã: …" inside a paragraph
_DOI_VOI_INLINE = re.compile(
    r"^Đối với\s+(.{3,120}?)\s*(?::|,\s*(?:trên cơ sở|căn cứ|theo|cần|phải|đề nghị|yêu cầu|tiếp tục|"
    r"chủ động|tập trung|khẩn trương))",
    re.IGNORECASE,
)
def clean_unit(unit: str) -> str:
    """Trim a unit phrase and give it its canonical spelling ("PHÒNG NỘI VỤ" -> "Phòng Nội vụ")."""
    unit = re.sub(r"^(?:đề nghị|yêu cầu|giao|đối với)\s+", "", unit.strip(" ,;:-–"), flags=re.IGNORECASE)
    return canonical_unit(unit.strip(" ,;:-–"))


# --- canonical spelling -------------------------------------------------------------------------
# Words that open the proper name of an agency ("Phòng | Nội vụ", "Ban | Chỉ đạo"), compared in lower case
# with their accents ("quận" is a level, "quản" is not).
_HEADS = frozenset("phòng sở ban tâm cục bạc nhánh phận đội hạt trạm trường hội đoàn trận".split())
# Two-word heads: only their second word counts ("Trung tâm", "Chi cục", "Kho bạc", "Bộ phận", …).
_HEAD_PAIRS = frozenset({
    ("trung", "tâm"), ("chi", "cục"), ("kho", "bạc"), ("chi", "nhánh"), ("bộ", "phận"), ("mặt", "trận"),
})
_LEVELS = frozenset("huyện xã tỉnh phường quận".split())
_LEVEL_PAIRS = frozenset({("thị", "trấn"), ("thị", "xã"), ("thành", "phố")})
_NOT_NAMES = frozenset("các và thuộc trên liên quan có này đó cùng cấp trong".split())
_ACRONYMS = {fold(a): a for a in (
    "UBND", "HĐND", "CCHC", "TTHC", "MTTQ", "CNTT", "BHXH", "BCĐ", "VNPT", "TN&MT", "LĐ-TB&XH", "VH-TT",
    "TP", "KT-HT", "TC-KH", "GD&ĐT", "QLDA", "ĐTXD", "CBCCVC", "CBCC",
)}
_SPELLINGS = (  # one spelling for the same name
    (re.compile(r"\b[Ủủ]y ban nhân dân\b|\bUỷ ban nhân dân\b", re.I), "UBND"),
    (re.compile(r"\bHội đồng nhân dân\b", re.I), "HĐND"),
    (re.compile(r"\bHĐND\s*(?:&|-|–|và)\s*UBND\b", re.I), "HĐND và UBND"),
)
_TOKEN = re.compile(r"\w+(?:[&-]\w+)*|[^\w\s]")


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def canonical_unit(unit: str) -> str:
    """One spelling for a unit, whatever the case, spacing and abbreviation it was written with.

    "phòng Nội vụ", "Phòng nội vụ", "PHÒNG NỘI VỤ", "Phòng Nội Vụ" -> "Phòng Nội vụ"; "Ủy ban nhân
    dân xã Sơn Tây" -> "UBND xã Sơn Tây"; "Văn phòng HĐND&UBND huyện" -> "Văn phòng HĐND và UBND huyện".
    The first syllable of an agency's own name is capital and the rest small ("Phòng Tài nguyên và Môi
    trường"); a place name after huyện/xã/tỉnh… is capitalised syllable by syllable; acronyms stay capitals.
    """
    unit = re.sub(r"\s+", " ", fix_tone_marks(unit)).strip()
    if not unit:
        return ""
    if is_caps(unit):
        unit = unit.lower()
    for pattern, spelling in _SPELLINGS:
        unit = pattern.sub(spelling, unit)
    tokens = _TOKEN.findall(unit)
    folded = [fold(t) for t in tokens]
    lower = [t.lower() for t in tokens]
    out: list[str] = []
    state = ""  # "name": inside an agency's name; "place": inside a place name
    for i, (tok, key) in enumerate(zip(tokens, folded)):
        prev, low = (lower[i - 1] if i else ""), lower[i]
        if key in _ACRONYMS:
            out.append(_ACRONYMS[key])
            state = "" if state == "place" else state
            continue
        if not tok[0].isalnum():
            state = "" if tok in ",;()" else state
            out.append(tok)
            if tok in "-–&" and state == "name":
                state = "name_start"
            continue
        is_level = low in _LEVELS and not (low == "xã" and i + 1 < len(lower) and lower[i + 1] == "hội")
        is_level = is_level or (prev, low) in _LEVEL_PAIRS
        head = (
            low in _HEADS and prev not in ("các", "những", "xã") and not (prev == "," and tok[0].islower())
            and (low not in ("tâm", "cục", "bạc", "nhánh", "phận", "trận") or (prev, low) in _HEAD_PAIRS)
        )
        if i == 0:
            word = _cap(tok)
        elif state in ("name_start", "place"):
            word = _cap(tok) if low not in _NOT_NAMES else tok.lower()
        elif state == "name":
            word = tok.lower()
        else:
            word = tok
        if state == "name" and low == "và" and i + 1 < len(lower) and lower[i + 1] not in _NOT_NAMES:
            out.append(word)
            state = "name_start"
            continue
        out.append(word)
        if is_level:
            state = "place_next"
        elif state == "place_next":
            state = "place" if low not in _NOT_NAMES else ""
            if state == "place":
                out[-1] = _cap(tok)
        elif head:
            state = "name_start"
        elif state == "name_start":
            state = "name" if low not in _NOT_NAMES else ""
        elif state == "name" and low in _NOT_NAMES:
            state = ""
    text = " ".join(out)
    text = re.sub(r"\s+([,;.)])", r"\1", text)
    text = re.sub(r"\(\s+", "(", text)
    return re.sub(r"\s*([&])\s*", r" \1 ", text) if "&" in text and " & " in unit else text


def unit_key(unit: str) -> str:
    """What unit filters match: the folded words of the canonical spelling."""
    return " ".join(re.findall(r"\w+", fold(canonical_unit(unit))))


def heading_unit(heading: str) -> str:
    """The unit named by a heading such as "Đối với Phòng Tư pháp"."""
    m = DOI_VOI.match(heading)
    return clean_unit(m.group(1)) if m else ""


def find_unit(text: str, heading: str = "", default: str = "") -> str:
    """Responsible unit: the sentence's own subject, else "Giao X", else the heading, else "Đề nghị X"."""
    m = _DOI_VOI_INLINE.match(text)
    if m:
        return clean_unit(m.group(1))
    m = _CHU_TRI.match(text)
    if m and _UNIT_HEAD.match(m.group(1)) and len(m.group(1).split()) <= 15:
        return clean_unit(m.group(1))
    ask = ASK.search(text)
    if ask and len(ask.group(1).split()) > 20:
        ask = None
    m = _SUBJECT.match(text)
    if m and _UNIT_HEAD.match(m.group(1)) and len(m.group(1).split()) <= 20:
        # "UBND xã yêu cầu các cán bộ, công chức …": the asked party, not the asking one
        return clean_unit(ask.group(1)) if ask and ask.start() < m.end() else clean_unit(m.group(1))
    if ask and ask.start() == 0:
        return clean_unit(ask.group(1))
    m = _GIAO.search(text)
    if m and len(m.group(1).split()) <= 15:
        return clean_unit(m.group(1))
    if heading_unit(heading):
        return heading_unit(heading)
    if ask:
        return clean_unit(ask.group(1))
    return default


def strip_addressee(text: str) -> str:
    """The directive without its leading addressee ("Các cán bộ, công chức | rà soát …" -> "rà soát …")."""
    m = _SUBJECT.match(text)
    if m and _UNIT_HEAD.match(m.group(1)) and len(m.group(1).split()) <= 20:
        return text[m.end(1) :].strip()
    m = ASK.match(text) or _DOI_VOI_INLINE.match(text)
    return text[m.end(1) :].strip(" :,") if m else text




# --- co-operating units -------------------------------------------------------------------------
# "… phối hợp (chặt chẽ) (với) <units> (để | trong | thực hiện | …)": who co-operates.
_PARTNERS = re.compile(
    r"\bphối hợp(?:\s+chặt chẽ)?(?:\s+(?:với|cùng))?\s+(.{3,200}?)"
    r"(?=\s+(?:để|trong|nhằm|thực hiện|triển khai|tổ chức|tham mưu|xây dựng|rà soát|kiểm tra|hướng dẫn|"
    r"tuyên truyền|giải quyết|theo|đôn đốc|báo cáo|tổng hợp|hoàn thành|trước)\b|\s*[;.:()]|$)",
    re.IGNORECASE,
)
_UNIT_START = re.compile(
    r"(?:các|những|phòng|văn phòng|ubnd|hđnd|ủy ban|trung tâm|ban|sở|chi cục|chi nhánh|kho bạc|công an|"
    r"bảo hiểm|mặt trận|đoàn|hội|bộ phận|đội|trạm|hạt|trường|cơ quan|đơn vị|ngành)\b",
    re.IGNORECASE,
)
_LIST_SPLIT = re.compile(r",\s*|\s+và\s+")


def split_units(phrase: str) -> list[str]:
    """Units of a list ("Phòng Tư pháp, Văn phòng HĐND và UBND huyện và các xã"): a comma or "và"
    starts a new unit only where a unit word follows ("UBND các xã, thị trấn" stays one)."""
    parts: list[str] = []
    pos = 0
    for m in _LIST_SPLIT.finditer(phrase):
        rest = phrase[m.end():]
        inside_name = m.group(0).strip() == "và" and not rest[:1].islower() and not _UNIT_START.match(rest)
        if _UNIT_START.match(rest) and not inside_name and not phrase[pos:m.start()].lower().startswith("các"):
            parts.append(phrase[pos:m.start()])
            pos = m.end()
    parts.append(phrase[pos:])
    return [p for p in (clean_unit(x) for x in parts) if p]


def find_partners(text: str, lead: str = "") -> list[str]:
    """Co-operating units named after "phối hợp (với)", canonical, the lead unit left out."""
    out: list[str] = []
    lead_key = unit_key(lead) if lead else ""
    for m in _PARTNERS.finditer(text):
        phrase = m.group(1)
        if not _UNIT_START.match(phrase) or len(phrase.split()) > 30:
            continue
        for unit in split_units(phrase):
            if unit_key(unit) != lead_key and unit not in out:
                out.append(unit)
    return out
