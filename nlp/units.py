"""Responsible units of a directive: who is asked ("Giao Phòng Nội vụ …", "Đối với UBND các xã: …")."""
from __future__ import annotations

import re

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
    """Trim a unit phrase and capitalise it ("phòng Nội vụ" -> "Phòng Nội vụ")."""
    unit = re.sub(r"^(?:đề nghị|yêu cầu|giao|đối với)\s+", "", unit.strip(" ,;:-–"), flags=re.IGNORECASE)
    unit = unit.strip(" ,;:-–")
    return unit[:1].upper() + unit[1:] if unit else ""


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


