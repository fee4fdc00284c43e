"""Legacy Vietnamese encodings of the 1990s-2000s: TCVN3 (ABC, `.VnTime` fonts) and VNI (`VNI-Times`).

Both encode Vietnamese with 8-bit fonts, so a file read as Unicode shows mojibake ("Th«ng b¸o",
"Thoâng baùo"). `detect` tells which one a text is in, from character statistics; `to_unicode`
converts to NFC Unicode; `from_unicode` is the inverse (tests and fixtures). The tables are the
published ones (TCVN 5712:1993 VN3; VNI for Windows).
"""
from __future__ import annotations

import re
import unicodedata

TCVN3 = "TCVN3"
VNI = "VNI"

# Unicode letters in a fixed order, and their TCVN3 (one byte, shown as its Latin-1 character) and
# VNI (base letter + one or two Latin-1 marks) spellings in the same order.
_LOWER = ("à á ả ã ạ ă ằ ắ ẳ ẵ ặ â ầ ấ ẩ ẫ ậ đ è é ẻ ẽ ẹ ê ề ế ể ễ ệ ì í ỉ ĩ ị "
          "ò ó ỏ õ ọ ô ồ ố ổ ỗ ộ ơ ờ ớ ở ỡ ợ ù ú ủ ũ ụ ư ừ ứ ử ữ ự ỳ ý ỷ ỹ ỵ").split()
_TCVN3_LOWER = bytes([
    0xB5, 0xB8, 0xB6, 0xB7, 0xB9, 0xA8, 0xBB, 0xBE, 0xBC, 0xBD, 0xC6, 0xA9, 0xC7, 0xCA, 0xC8, 0xC9, 0xCB,
    0xAE, 0xCC, 0xD0, 0xCE, 0xCF, 0xD1, 0xAA, 0xD2, 0xD5, 0xD3, 0xD4, 0xD6, 0xD7, 0xDD, 0xD8, 0xDC, 0xDE,
    0xDF, 0xE3, 0xE1, 0xE2, 0xE4, 0xAB, 0xE5, 0xE8, 0xE6, 0xE7, 0xE9, 0xAC, 0xEA, 0xED, 0xEB, 0xEC, 0xEE,
    0xEF, 0xF3, 0xF1, 0xF2, 0xF4, 0xAD, 0xF5, 0xF8, 0xF6, 0xF7, 0xF9, 0xFA, 0xFD, 0xFB, 0xFC, 0xFE,
]).decode("latin-1")
# TCVN3 has capitals only for the seven letters below; other capitals come from the "H" fonts
# (.VnTimeH), which draw the lower-case codes as capitals.
_TCVN3_CAPS = {"Ă": "\xa1", "Â": "\xa2", "Ê": "\xa3", "Ô": "\xa4", "Ơ": "\xa5", "Ư": "\xa6", "Đ": "\xa7"}

_VNI_LOWER = ("aø aù aû aõ aï aê aè aé aú aü aë aâ aà aá aå aã aä ñ eø eù eû eõ eï eâ eà eá eå eã eä "
              "ì í æ ó ò oø où oû oõ oï oâ oà oá oå oã oä ô ôø ôù ôû ôõ ôï "
              "uø uù uû uõ uï ö öø öù öû öõ öï yø yù yû yõ î").split()

_TCVN3_DECODE = {**dict(zip(_TCVN3_LOWER, _LOWER)), **{v: k for k, v in _TCVN3_CAPS.items()}}
_TCVN3_ENCODE = {v: k for k, v in _TCVN3_DECODE.items()}
_VNI_DECODE = {**dict(zip(_VNI_LOWER, _LOWER)), **{v.upper(): u.upper() for v, u in zip(_VNI_LOWER, _LOWER)}}
_VNI_ENCODE = {v: k for k, v in _VNI_DECODE.items()}
# longest spelling first, so "ôù" (ớ) wins over "ô" (ơ); marks after a base letter may be of either case
_VNI_PATTERN = re.compile(
    "|".join(sorted((re.escape(k) for k in _VNI_DECODE), key=len, reverse=True))
    + r"|[aeiouyAEIOUYôÔöÖ][ùøûõïêéèúüëâáàåãäÙØÛÕÏÊÉÈÚÜËÂÁÀÅÃÄ]"
)
_TCVN3_CHARS = re.compile("[" + re.escape("".join(_TCVN3_DECODE)) + "]")

# A Vietnamese syllable: optional initial consonant, a vowel nucleus of the language, optional final
# consonant, at most one tone mark.
_VOWELS = "aăâeêioôơuưy" + "".join(_LOWER).replace("đ", "")
_SYLLABLE = re.compile(
    rf"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?([{_VOWELS}]{{1,3}})(ch|ng|nh|[cmnpt])?"
)
_NUCLEI = set(
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy "
    "ưa ưi ươ ưu yê iêu oai oay oeo uây uôi ươi ươu uyê yêu uya uyu".split()
)
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_WORD = re.compile(r"[^\s\d.,;:!?()\[\]\"'/\\<>|=+*_-]+")
_VIETNAMESE_ONLY = re.compile("[" + "".join(sorted(set("".join(_LOWER)) - set(chr(c) for c in range(256)))) + "]",
                              re.IGNORECASE)


def tcvn3_to_unicode(text: str, upper: bool = False) -> str:
    """TCVN3 (each byte as its Latin-1 character) to NFC Unicode; `upper` for text in a .VnTimeH font.

    Without font information, a word is taken to be set in an "H" font when its ASCII letters are
    capitals and either there are two of them or one that does not start the word ("CéNG" -> "CỘNG",
    "§éC" -> "ĐỘC", but "Sè" -> "Số"); a one-capital word ("X·") follows the other words of its line.
    """
    if upper:
        return unicodedata.normalize("NFC", _tcvn3_chars(text).upper())
    return unicodedata.normalize("NFC", "".join(_tcvn3_line(line) for line in text.splitlines(keepends=True)))


def _tcvn3_chars(text: str) -> str:
    return _TCVN3_CHARS.sub(lambda m: _TCVN3_DECODE[m.group(0)], text)


def _tcvn3_line(line: str) -> str:
    words = re.split(r"(\s+)", line)
    kinds = []  # per word: "strong", "weak" (one leading capital), "lower" or "" (no TCVN3 letter)
    for word in words:
        letters = [c for c in word if c.isalpha() or c in _TCVN3_DECODE]
        ascii_letters = [i for i, c in enumerate(letters) if c.isascii()]
        if not _TCVN3_CHARS.search(word) or not ascii_letters:
            kinds.append("")
        elif not all(letters[i].isupper() for i in ascii_letters):
            kinds.append("lower")
        elif len(ascii_letters) >= 2 or ascii_letters[0] > 0:
            kinds.append("strong")
        else:
            kinds.append("weak")
    caps_line = "strong" in kinds and "lower" not in kinds
    return "".join(
        _tcvn3_chars(w).upper() if k == "strong" or (k == "weak" and caps_line) else _tcvn3_chars(w)
        for w, k in zip(words, kinds)
    )


def vni_to_unicode(text: str) -> str:
    """VNI (as Latin-1 characters) to NFC Unicode."""

    def one(match: re.Match[str]) -> str:
        found = match.group(0)
        if found in _VNI_DECODE:
            return _VNI_DECODE[found]
        base, mark = found[0], found[1]  # a mark in the other case than its letter ("Vieät" typed "VIEäT")
        key = base + (mark.upper() if base.isupper() else mark.lower())
        return _VNI_DECODE.get(key, found)

    return unicodedata.normalize("NFC", _VNI_PATTERN.sub(one, text))


def to_unicode(text: str, encoding: str, upper: bool = False) -> str:
    """Convert text in `encoding` (TCVN3 or VNI) to NFC Unicode."""
    if encoding == TCVN3:
        return tcvn3_to_unicode(text, upper)
    if encoding == VNI:
        return vni_to_unicode(text)
    raise ValueError(f"unknown legacy encoding: {encoding}")


def from_unicode(text: str, encoding: str) -> str:
    """Unicode to TCVN3 or VNI (as Latin-1 characters); capitals TCVN3 lacks are written lower-case."""
    table = _TCVN3_ENCODE if encoding == TCVN3 else _VNI_ENCODE
    out = []
    for c in unicodedata.normalize("NFC", text):
        if c in table:
            out.append(table[c])
        elif encoding == TCVN3 and c.lower() in table:
            out.append(table[c.lower()])
        else:
            out.append(c)
    return "".join(out)


def _score(text: str) -> tuple[int, int]:
    """(words with a non-ASCII character, how many of them are well-formed Vietnamese syllables)."""
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    return len(words), sum(1 for w in words if _is_syllable(w))


def _is_syllable(word: str) -> bool:
    match = _SYLLABLE.fullmatch(word.lower())
    if match is None:
        return False
    decomposed = unicodedata.normalize("NFD", match.group(2))
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return bare in _NUCLEI and sum(c in _TONES for c in decomposed) <= 1


def detect(text: str, min_words: int = 8) -> str | None:
    """TCVN3, VNI or None (Unicode, or too little evidence), from character statistics.

    A legacy text has almost no letter outside Latin-1 (Unicode Vietnamese has many: ơ, ư, ạ, ế…),
    and converting it turns at least `min_words` words, and most of its non-ASCII words, into
    well-formed Vietnamese syllables.
    """
    sample = text[:200_000]
    letters = sum(1 for c in sample if c.isalpha())
    if not letters or len(_VIETNAMESE_ONLY.findall(sample)) > 0.005 * letters:
        return None
    _, good = _score(sample)
    candidates = []
    for encoding in (TCVN3, VNI):
        n, ok = _score(to_unicode(sample, encoding))
        if ok >= min_words and ok >= 0.8 * n and ok > good:
            candidates.append((ok, encoding))
    return max(candidates)[1] if candidates else None
