"""Administrative places: level words, centrally-run cities, and one canonical spelling per place name.

"TÂN LẬP", "Tân lập" and "tân Lập" are one place, "Tân Lập"; "TP.HCM", "TPHCM" and "Thành phố Hồ Chí
Minh" are "Hồ Chí Minh". A city run by the centre (Hà Nội, Hồ Chí Minh, Hải Phòng, Đà Nẵng, Cần Thơ,
Huế) is at province level; any other "thành phố" is at district level.
"""
from __future__ import annotations

import re
from collections import Counter

from nlp.normalize import VI_UPPER, fix_tone_marks, fold

# level word -> level id ("thành phố" and "TP" depend on the city: see level_of)
LEVEL_WORDS: dict[str, str] = {
    "tỉnh": "tinh", "thành phố": "huyen", "tp": "huyen", "huyện": "huyen", "quận": "huyen", "thị xã": "huyen",
    "xã": "xa", "phường": "xa", "thị trấn": "xa", "đặc khu": "xa",
}
CENTRAL_CITIES = ("Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế")
_CENTRAL_KEYS = {fold(c) for c in CENTRAL_CITIES}
# The provinces before and after the 2025 merger (a public list), for a province named without "tỉnh".
PROVINCES = CENTRAL_CITIES + (
    "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre", "Bình Định",
    "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Đắk Lắk", "Đắk Nông", "Điện Biên",
    "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Tĩnh", "Hải Dương", "Hậu Giang", "Hòa Bình",
    "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An",
    "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam",
    "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên",
    "Thanh Hóa", "Tiền Giang", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
)
_PROVINCE_NAMES = re.compile(r"\b(" + "|".join(re.escape(p) for p in PROVINCES) + r")\b")
# Spellings of a place that are not its name written out.
ALIASES: dict[str, str] = {"hcm": "Hồ Chí Minh", "tp.hcm": "Hồ Chí Minh", "tphcm": "Hồ Chí Minh",
                           "sài gòn": "Hồ Chí Minh", "thừa thiên huế": "Huế"}
UPPER_WORD = rf"[{VI_UPPER}][\w]*"
# Words that may start a capitalised phrase but are never part of a place name.
_NOT_NAME = frozenset(w.lower() for w in (  # compared with diacritics: "Ban" is not "Bàn"
    "Ủy", "Uỷ", "UBND", "HĐND", "Chủ", "Phó", "Văn", "Phòng", "Sở", "Ban", "Trung", "Bộ", "Công", "Theo", "Đồng",
    "Kế", "Quyết", "Thông", "Nghị", "Chỉ", "Báo", "Tại", "Trong", "Ngày", "Sáng", "Chiều", "Số",
))


def canonical_place(name: str) -> str:
    """One spelling per place: aliases resolved, each syllable capitalised ("TÂN LẬP" -> "Tân Lập")."""
    name = re.sub(r"\s+", " ", fix_tone_marks(name.strip(" ,.;:-–")))
    if not name:
        return ""
    alias = ALIASES.get(name.lower()) or ALIASES.get(fold(name))
    if alias:
        return alias
    return " ".join(_capitalise(w) for w in name.split(" "))


def _capitalise(word: str) -> str:
    if word in ("-", "–"):
        return "-"
    return "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))


def level_of(word: str, name: str = "") -> str:
    """Level id of a level word, given the place name for cities ("thành phố Đà Nẵng" -> tinh)."""
    word = word.lower().rstrip(".")
    if word in ("thành phố", "tp"):
        return "tinh" if fold(canonical_place(name)) in _CENTRAL_KEYS else "huyen"
    return LEVEL_WORDS.get(word, "")


def is_central_city(name: str) -> bool:
    return fold(canonical_place(name)) in _CENTRAL_KEYS


def place_name(text: str) -> str:
    """The leading capitalised words of `text` that can be a place name (up to four), else ""."""
    words: list[str] = []
    for w in text.split():
        core = w.rstrip(",.;:)")
        if not re.fullmatch(UPPER_WORD, core) or (not words and core.lower() in _NOT_NAME):
            break
        words.append(core)
        if core != w or len(words) == 4:
            break
    return " ".join(words)


def named_province(text: str) -> str:
    """The province named most often in `text` without its level word ("Quảng Nam rà soát …"), else ""."""
    counts = Counter(m.group(1) for m in _PROVINCE_NAMES.finditer(text))
    return counts.most_common(1)[0][0] if counts else ""
