"""Vietnamese text layer shared by the tagger and search.

Abbreviations are expanded one way everywhere (documents, queries, training data), words are segmented
by underthesea with a dictionary of domain terms, and results are memoised.
"""
from __future__ import annotations

import re
from functools import lru_cache

from nlp.normalize import fold, normalize_inline

# Abbreviation -> expansion. Keys are matched case-insensitively, with or without diacritics.
ABBREVIATIONS: dict[str, str] = {
    "CCHC": "cải cách hành chính",
    "TTHC": "thủ tục hành chính",
    "CBCCVC": "cán bộ, công chức, viên chức",
    "CB,CC,VC": "cán bộ, công chức, viên chức",
    "CB, CC, VC": "cán bộ, công chức, viên chức",
    "CBCC,VC": "cán bộ, công chức, viên chức",
    "CBCC, VC": "cán bộ, công chức, viên chức",
    "BCCC, VC": "cán bộ, công chức, viên chức",
    "CBCCV": "cán bộ, công chức, viên chức",
    "CBCC": "cán bộ, công chức",
    "CCVC": "công chức, viên chức",
    "CC,VC": "công chức, viên chức",
    "DVCTT": "dịch vụ công trực tuyến",
    "DVC": "dịch vụ công",
    "VBQPPL": "văn bản quy phạm pháp luật",
    "QPPL": "quy phạm pháp luật",
    "HĐND": "Hội đồng nhân dân",
    "UBND": "Ủy ban nhân dân",
    "BPMC": "Bộ phận một cửa",
    "TTHCC": "Trung tâm hành chính công",
    "HCC": "hành chính công",
    "SIPAS": "chỉ số hài lòng về sự phục vụ hành chính",
    "PAR INDEX": "chỉ số cải cách hành chính",
    "PAR Index": "chỉ số cải cách hành chính",
    "DDCI": "chỉ số năng lực cạnh tranh cấp huyện",
    "DCCI": "chỉ số năng lực cạnh tranh cấp huyện",
    "PCI": "chỉ số năng lực cạnh tranh cấp tỉnh",
    "PAPI": "chỉ số hiệu quả quản trị và hành chính công cấp tỉnh",
    "CĐS": "chuyển đổi số",
    "CNTT": "công nghệ thông tin",
    "BCĐ": "Ban Chỉ đạo",
    "ĐVHC": "đơn vị hành chính",
    "ĐVSNCL": "đơn vị sự nghiệp công lập",
    "NLĐ": "người lao động",
    "KT-XH": "kinh tế - xã hội",
    "TN&MT": "tài nguyên và môi trường",
    "NN&PTNT": "nông nghiệp và phát triển nông thôn",
}

# Multi-word terms kept as one token by the segmenter.
DOMAIN_TERMS: tuple[str, ...] = (
    "cải cách hành chính", "thủ tục hành chính", "dịch vụ công trực tuyến", "dịch vụ công",
    "dịch vụ bưu chính công ích", "số hóa", "một cửa", "một cửa liên thông", "một cửa điện tử",
    "kỷ luật", "kỷ cương", "văn hóa công sở", "cán bộ", "công chức", "viên chức",
    "văn bản quy phạm pháp luật", "quy phạm pháp luật", "Hội đồng nhân dân", "Ủy ban nhân dân",
    "bộ phận tiếp nhận và trả kết quả", "trung tâm hành chính công", "hành chính công",
    "chuyển đổi số", "chính quyền số", "chính quyền điện tử", "thanh toán trực tuyến",
    "cổng thông tin điện tử", "trang thông tin điện tử", "chữ ký số", "hồ sơ công việc",
    "trễ hạn", "quá hạn", "đúng hạn", "trước hạn", "đơn giản hóa", "điều tra xã hội học",
    "mức độ hài lòng", "chỉ số hài lòng", "sự hài lòng", "đầu tư công", "giải ngân",
    "chi tiêu nội bộ", "tự chủ tài chính", "ngân sách", "lệ phí", "biên chế", "tinh giản",
    "vị trí việc làm", "sắp xếp", "sáp nhập", "đơn vị hành chính", "đơn vị sự nghiệp công lập",
    "tuyển dụng", "bổ nhiệm", "luân chuyển", "đánh giá", "xếp loại", "ban chỉ đạo",
    "người đứng đầu", "sáng kiến", "tuyên truyền", "phổ biến", "giáo dục pháp luật",
    "hệ thống hóa", "rà soát", "phản ánh", "kiến nghị", "niêm yết", "công khai", "toàn trình",
)

_ABBR_INDEX: dict[str, str] = {}
for _abbr, _full in ABBREVIATIONS.items():
    _ABBR_INDEX.setdefault(_abbr.lower(), _full)
    _ABBR_INDEX.setdefault(fold(_abbr), _full)
_ABBR_RE = re.compile(
    r"(?<![\w&-])("
    + "|".join(re.escape(k) for k in sorted(_ABBR_INDEX, key=len, reverse=True))
    + r")(?![\w&])",
    re.IGNORECASE,
)
_AMPERSAND_JOIN = re.compile(r"(?<=\w)&(?=\w)")
_PUNCT_TOKEN = re.compile(r"^[\W_]+$")
_FIXED_WORDS = sorted(
    {w for w in set(DOMAIN_TERMS) | set(ABBREVIATIONS.values()) if re.fullmatch(r"[\w ]+", w)},
    key=len,
    reverse=True,
)


def expand_abbreviations(text: str) -> str:
    """Replace known abbreviations by their full form ("TTHC" -> "thủ tục hành chính")."""
    text = _AMPERSAND_JOIN.sub(" & ", text) if "&" in text else text
    text = _ABBR_RE.sub(lambda m: _ABBR_INDEX[m.group(1).lower()], text)
    return text.replace(" & ", " và ")


def annotate_abbreviations(text: str) -> str:
    """Each known abbreviation followed by its full form ("công khai TTHC" -> "công khai TTHC thủ tục hành
    chính"): one text carrying both spellings, what search embeds for a query."""
    return _ABBR_RE.sub(lambda m: f"{m.group(1)} {_ABBR_INDEX[m.group(1).lower()]}", text)


@lru_cache(maxsize=65536)
def segment(text: str) -> tuple[str, ...]:
    """Lower-case word tokens of a text (multi-syllable words joined by "_"), punctuation dropped."""
    from underthesea import word_tokenize  # heavy (transformers): only where words are segmented

    clean = expand_abbreviations(normalize_inline(text))
    if not clean:
        return ()
    words = word_tokenize(clean, fixed_words=_FIXED_WORDS)
    return tuple(w.lower().replace(" ", "_") for w in words if not _PUNCT_TOKEN.match(w))


def analyze(text: str) -> list[str]:
    """Analyzer for scikit-learn vectorisers: segmented words."""
    return list(segment(text))


@lru_cache(maxsize=65536)
def keyword_text(text: str) -> str:
    """Accent-less, abbreviation-expanded syllables, the form stored in and queried against FTS."""
    folded = fold(expand_abbreviations(normalize_inline(text)))
    return " ".join(re.findall(r"\w+", folded))
