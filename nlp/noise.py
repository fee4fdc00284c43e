"""Page furniture of portal and news pages: what surrounds a notice's text but is not part of it.

Timestamps ("Cập nhật lúc 08:48, Thứ Năm, 12/07/2018 (GMT+7)"), bylines ("HOÀNG THƠ |", an author's
name alone at the end), photo captions, outlet prefixes ("ĐTO -", "(CAO)"), page widgets and the
related-news block ("Tin liên quan" and all after it). Timestamps are kept as the publication date.
"""
from __future__ import annotations

import re

from nlp.dates import VnDate, find_dates
from nlp.normalize import fold, is_caps

_TIME = r"\d{1,2}:\d{2}(?::\d{2})?"
_DAY = r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}"
# A line that is only a date and time, possibly with a weekday, "Cập nhật", "GMT+7", separators.
TIMESTAMP = re.compile(
    rf"^\W*(?:(?:cập nhật|ngày đăng|đăng ngày|ngày cập nhật|thời gian đăng|xuất bản)(?: lúc| ngày)?\s*:?\s*)?"
    rf"(?:(?:thứ\s+\w+|chủ nhật)\s*,?\s*)?(?:{_TIME}\s*[,|-]?\s*)?(?:(?:thứ\s+\w+|chủ nhật)\s*,?\s*)?"
    rf"(?:ngày\s+)?{_DAY}(?:\s*[,|-]?\s*{_TIME})?\s*(?:\(?\s*GMT\s*\+\s*7\s*\)?)?"
    rf"(?:\s*\|\s*lượt (?:xem|đọc)\s*:?\s*[\d.]+)?\W*$",
    re.IGNORECASE,
)
# Widgets, breadcrumbs and counters of news pages.
WIDGET = re.compile(
    r"^(A-\s*A\s*A\+|.*tăng tương phản|in bài viết|chia sẻ|bản in|trang chủ\s*[>»›/|]|lượt xem|"
    r"cỡ chữ|gửi bài viết|lưu bài viết|bình luận|đánh giá bài viết|tags?\s*:|từ khóa\s*:)",
    re.IGNORECASE,
)
# Everything from these headers to the end belongs to other articles.
RELATED = re.compile(
    r"^(tin liên quan|tin cùng chuyên mục|các tin (khác|đã đưa)|bài (viết )?liên quan|xem thêm|tin mới hơn|"
    r"tin đã đăng|tin khác)\b",
    re.IGNORECASE,
)
_CAPTION = re.compile(r"(?:^|[\s(.])ảnh\s*(?:minh họa|:|tư liệu)|^\(.*\)\.?$|^ảnh\b", re.IGNORECASE)
_BYLINE_LABEL = re.compile(r"^(biên tập|tác giả|người viết|bài và ảnh|nguồn|theo)\s*:", re.IGNORECASE)
# "ĐTO -", "ĐTO-", "(CAO)", "(BĐT) -", "(Thuận Yên) -", "HOÀNG THƠ |" at the start of a paragraph.
OUTLET_PREFIX = re.compile(
    r"^(?:\([^()]{2,30}\)\s*[-–—]?\s*|[A-ZĐ]{2,6}\s*[-–—]\s*|[A-ZĐÀ-Ỹ .]{2,30}\s*\|\s*)(?=[A-ZĐÀ-Ỹ\d\"“])"
)


def timestamp_date(line: str) -> VnDate | None:
    """The date of a timestamp line ("10:06 08/11/2019"), None if the line is not a timestamp."""
    if len(line) > 80 or not TIMESTAMP.match(line.strip()):
        return None
    found = find_dates(line)
    return found[0][1] if found else None


def is_caption(line: str) -> bool:
    """A photo caption: "… Ảnh: VINH ANH", "(Quang cảnh …)", "Ảnh minh họa"."""
    return len(line) < 300 and bool(_CAPTION.search(line.strip()))


def is_byline(line: str) -> bool:
    """An author or source line: "MẠC KHẢI", "Hồ Toàn", "T.D |", "Biên tập: Hoàng Kha", "(Nguồn: …)"."""
    s = line.strip().strip("()").strip()
    if not s or len(s) > 80:
        return False
    if _BYLINE_LABEL.match(s) or s.endswith("|"):
        return True
    words = s.split()
    if len(words) > 6 or s.endswith((".", ":", ";", ",")) and not re.fullmatch(r"[A-ZĐ.]+", s):
        return False
    if is_caps(s, 2) and len(words) <= 4:
        return True  # "NGUYỄN NGHĨA", "TN", "PV", "T.D", "N.NAM"
    # "Hồ Toàn", "Hà Phương (Trung tâm Truyền thông - Văn hóa huyện)": capitalised name words
    name = re.split(r"\s*[(\-–]", s, maxsplit=1)[0].split()
    return 1 <= len(name) <= 4 and all(w[:1].isupper() and w.isalpha() for w in name) and len(words) <= 6


def strip_outlet_prefix(line: str) -> str:
    """The paragraph without a leading outlet or author tag ("ĐTO - Ông …" -> "Ông …")."""
    m = OUTLET_PREFIX.match(line)
    if not m:
        return line
    tag = fold(m.group(0))
    # keep a parenthesised opening that is part of the sentence ("(CCHC) là …" is not a tag)
    return line[m.end():] if len(tag) <= 34 else line


def related_start(lines: list[str]) -> int:
    """Index of the first line of a related-news block (len(lines) if none)."""
    return next((i for i, ln in enumerate(lines) if RELATED.match(ln.strip())), len(lines))
