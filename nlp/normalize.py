"""Character- and layout-level text normalisation, applied once to every text that enters cchc.

`normalize_text` cleans a whole document (Unicode, look-alikes, broken lines, markdown); `matching_form`
gives a normalised text's form for matching (tone marks placed the modern way, one line), and
`normalize_inline` both at once for short texts from outside;
`fold` gives the accent-less lower-case key used for diacritic-insensitive matching.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


# Characters that look like Vietnamese letters or spaces but are not.
_LOOKALIKES = str.maketrans(
    {
        "ð": "đ", "Ð": "Đ", "Ɖ": "Đ", "ɗ": "đ",
        # Cyrillic letters that render like Latin ones
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "Х": "X", "І": "I",
        "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " ", "\t": " ",
        "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None, "\u00ad": None,
        "\u2028": "\n", "\u2029": "\n\n", "\r": None,
    }
)
_WORD = re.compile(r"\w+")
# Vietnamese capital letters (a range such as À-Ỹ would also take lower-case letters).
VI_UPPER = "A-ZĐÀÁẢÃẠĂẮẰẲẴẶÂẤẦẨẪẬÈÉẺẼẸÊẾỀỂỄỆÌÍỈĨỊÒÓỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÙÚỦŨỤƯỨỪỬỮỰỲÝỶỸỴ"
_TIMESTAMP_LIKE = re.compile(r"\d{1,2}:\d{2}|\d{1,2}/\d{1,2}/\d{4}\W*$")
_WRAPPED = 55  # a line this long that stops mid-sentence was wrapped by hard line breaks
# A line that ends with a photo credit or an author's name in capitals ends there ("… Ảnh: THU HÀ").
_CREDIT_END = re.compile(rf"(?i:ảnh|nguồn)\s*:\s*[^.]{{1,40}}$|(?<![\w])[{VI_UPPER}]{{2,}}(?:\s+[{VI_UPPER}]{{2,}})+$")
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*", re.M)
_MD_EMPHASIS = re.compile(r"\*{1,3}|(?<!\w)_{1,3}|_{1,3}(?!\w)")
# An outlet tag opening a paragraph ("(Baohatinh.vn) - …", "(CAO) –"): the line before it (a title) ends there.
_OUTLET_START = re.compile(r"^\([^()]{2,30}\)\s*[-–—]\s")
_BULLET_START = re.compile(r"^\s*(?:[-•+–*]\s|\d+(?:\.\d+)*[.)]\s|[a-zđ][).]\s|[IVXLC]+[.)]\s)")
_SENTENCE_END = re.compile(r"[.:;!?…)\]\"”]\s*$")
# Lines that always end where they end: the national motto, "Số: …", "<place>, ngày …".
_HEADER_LINE = re.compile(r"hạnh phúc\s*$|^số\s*:|^[^\d,:;]{2,40},\s*ngày\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _tone_map() -> dict[str, str]:
    """underthesea's token normalisation map, read from its data file: importing `underthesea` itself
    pulls in transformers (about 4 s), which a one-shot `cchc parse` must not pay."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("underthesea")  # locates the package without importing it
    if spec and spec.origin:
        rules = sorted((Path(spec.origin).parent / "pipeline" / "text_normalize").glob("tn_rules_*.bin"))
        if rules:
            import joblib

            return joblib.load(rules[-1])["token"]
    from underthesea.pipeline.text_normalize.text_normalizer import token_map

    return token_map


def fix_tone_marks(text: str) -> str:
    """Place tone marks the modern way ("hoà" -> "hòa", "uỷ" -> "ủy"), word by word."""
    tone_map = _tone_map()
    return _WORD.sub(lambda m: tone_map.get(m.group(0), m.group(0)), text)


def is_caps(line: str, min_letters: int = 1) -> bool:
    """True if the line has at least `min_letters` letters and all of them are capitals."""
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= max(min_letters, 1) and all(c.isupper() for c in letters)


def join_broken_lines(text: str) -> str:
    """Rejoin lines split mid-sentence by hard line breaks or page breaks.

    A line that stops mid-sentence is joined with the next line when that one starts in lower case, with
    a digit or an opening bracket, or, after a single line break, when the first line is long enough to
    have been wrapped (a short line followed by a capitalised one is a title or a caption). A blank-line
    gap followed by a lower-case continuation ("… nhà\\n\\nnước …") is a page break inside a paragraph.
    Lines are collected in lists and joined once, so time is linear in the text length.
    """
    out: list[list[str]] = []  # each output line as its pieces
    blank_run = 0
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            blank_run += 1
            continue
        prev = out[-1][-1] if out and out[-1] else ""
        lower_start = line[0].islower() or line[0].isdigit() and not _BULLET_START.match(line) or line[0] in "(“\""
        continuation = (
            prev
            and not _SENTENCE_END.search(prev)
            and not _BULLET_START.match(line)
            and not is_caps(prev)
            and not is_caps(line)
            and not _HEADER_LINE.search(prev)
            and not _HEADER_LINE.search(line)
            and not _TIMESTAMP_LIKE.search(prev)
            and not _TIMESTAMP_LIKE.match(line)
            and " | " not in prev
            and " | " not in line  # table rows
            and not _CREDIT_END.search(prev)
            and not _OUTLET_START.match(line)
        )
        wrapped = blank_run == 0 and len(out) > 1 and sum(len(p) for p in out[-1]) >= _WRAPPED
        if continuation and (lower_start or wrapped):
            out[-1].append(" " + line)
        else:
            if blank_run and out:
                out.append([])
            out.append([line])
        blank_run = 0
    return "\n".join("".join(pieces) for pieces in out)


def normalize_text(text: str) -> str:
    """Normalise a document: NFC, look-alikes, markdown emphasis, broken lines, spaces. Tone marks stay where
    the writer put them ("hoá" is kept), so stored and shown text is the notice's own; matching uses
    `normalize_inline`, which places them the modern way."""
    text = unicodedata.normalize("NFC", text).translate(_LOOKALIKES)
    text = unicodedata.normalize("NFC", text)
    text = _MD_HEADING.sub("", text)
    text = _MD_EMPHASIS.sub("", text)
    text = re.sub(r"[ ]{2,}", " ", text)
    text = join_broken_lines(text)
    return text.strip()


def matching_form(text: str) -> str:
    """An already normalised text as the tagger, the embedder and the keyword index read it: on one line, tone
    marks placed the modern way ("hoá" -> "hóa")."""
    return re.sub(r"\s+", " ", fix_tone_marks(text)).strip()


def normalize_inline(text: str) -> str:
    """The matching form of a short text from outside (a query, a line typed or uploaded): normalised first."""
    return matching_form(normalize_text(text))


_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")


def looks_vietnamese(text: str, min_words: int = 12) -> bool:
    """False for a text written mostly in another script (Arabic, Chinese, Cyrillic…); otherwise true
    unless a text of some length has (almost) no word with a Vietnamese diacritic or "đ"."""
    letters = sum(1 for c in text if c.isalpha())
    if letters >= 20 and len(_LATIN_LETTER.findall(text)) < 0.5 * letters:
        return False
    words = re.findall(r"[^\W\d_]+", text)
    if len(words) < min_words:
        return True
    marked = sum(1 for w in words if fold(w) != w.lower())
    return marked / len(words) >= 0.15


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, accent-less form: "Hồ sơ trễ hạn" -> "ho so tre han"."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
