"""HTML: the main text of a web page, without navigation, footers, share widgets and related news.

Linear in the size of the page, whatever its nesting: every measure (text length, paragraph text
length, short texts) is computed once per element bottom-up, and the text is flattened with an
explicit stack. libxml2 stops building the tree past 2,048 levels, so deeper pages are refused.
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Callable

from nlp.normalize import fold
from nlp.readers.base import ReadResult, err

MAX_DEPTH = 2000
MAX_ELEMENTS = 100_000  # a notice page has a few thousand; each costs ~1 kB and ~30 µs here
_NOISE_TAGS = {"head", "script", "style", "nav", "footer", "aside", "form", "noscript", "iframe",
               "svg", "button", "select", "template", "object", "embed"}
# class/id tokens of navigation, menus, sharing, related-news lists and font-size widgets
_NOISE_ATTR = re.compile(
    r"menu|navbar|navigation|breadcrumb|related|lien-?quan|lien_quan|font-?size|text-?size|"
    r"sidebar|pagination|social|sharing|"
    r"(?:^|[-_])(?:nav|share|ads?|advert\w*|banner|comments?|pager|toolbar|tools|footer)(?:$|[-_\d])|"
    r"nav$|^header(?:$|[-_\d])"
)
# headings that open a related-news block: the heading and what follows it are dropped
_NOISE_LABELS = {"tin lien quan", "bai viet lien quan", "tin bai lien quan", "van ban lien quan",
                 "tin cung chuyen muc", "cac tin khac", "tin khac", "xem them"}
_LABEL_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "span", "strong", "b"}
_SHORT = 60  # texts longer than this are never a label
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "ul",
               "ol", "li", "table", "tr", "blockquote", "pre", "dl", "dt", "dd", "figure",
               "figcaption", "address", "center", "caption", "hr"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")


def _decode_html(data: bytes, name: str) -> str:
    """Decode with the BOM, else the declared charset, else UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return data.decode("utf-8-sig", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    candidates = ["utf-8"]
    match = _META_CHARSET.search(data[:4096]) or _XML_ENCODING.search(data[:200])
    if match:
        try:
            candidates.insert(0, codecs.lookup(match.group(1).decode("ascii")).name)
        except LookupError:
            pass
    for encoding in dict.fromkeys(candidates):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise err(name, f"không giải mã được HTML theo mã hóa {' hoặc '.join(dict.fromkeys(candidates))}")


def _strip(s: str | None) -> str:
    return s.strip() if s else ""


class _Tree:
    """The parsed page with per-element measures, recomputed after each removal pass."""

    def __init__(self, root) -> None:  # noqa: ANN001 - lxml element
        self.root = root
        self.dead: set = set()
        self.measure_all()

    def elements(self) -> list:
        """Live elements in document order (pre-order)."""
        return [e for e in self.root.iter() if isinstance(e.tag, str)]

    def measure_all(self) -> None:
        """text_len (stripped text, as BeautifulSoup's get_text(strip=True)), p_len and short texts."""
        self.order = self.elements()
        self.text_len: dict = {}
        self.p_len: dict = {}
        self.short: dict = {}  # element -> its text joined by spaces, or None when longer than _SHORT
        for el in reversed(self.order):
            children = [c for c in el if isinstance(c.tag, str)]
            own = len(_strip(el.text)) + sum(len(_strip(c.tail)) for c in el)
            self.text_len[el] = own + sum(self.text_len[c] for c in children)
            self.p_len[el] = sum(self.p_len[c] for c in children) + (self.text_len[el] if el.tag == "p" else 0)
            pieces = [_strip(el.text)]
            for c in el:
                pieces += [self.short.get(c, "") if isinstance(c.tag, str) else "", _strip(c.tail)]
            fits = all(self.short.get(c) is not None for c in children) and self.text_len[el] <= _SHORT
            self.short[el] = " ".join(p for p in pieces if p) if fits else None

    def drop(self, el) -> None:  # noqa: ANN001
        """Remove an element and its subtree, keeping the text that follows it."""
        if el in self.dead or el.getparent() is None:
            return
        self.dead.update(e for e in el.iter())
        tail = el.tail
        parent, previous = el.getparent(), el.getprevious()
        if tail:
            if previous is not None:
                previous.tail = (previous.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(el)


def _depth(root) -> tuple[int, int]:  # noqa: ANN001
    """(nesting depth, number of elements) of the tree, stopping early past the limits."""
    depth: dict = {}
    deepest = count = 0
    for el in root.iter():
        d = depth[el] = depth.get(el.getparent(), 0) + 1
        deepest, count = max(deepest, d), count + 1
        if count > MAX_ELEMENTS:
            break
    return deepest, count


def _is_noisy_attr(el) -> bool:  # noqa: ANN001
    if el.tag in ("html", "body", "main", "article"):
        return False
    tokens = [*(el.get("class") or "").split(), el.get("id") or ""]
    return any(_NOISE_ATTR.search(t.lower()) for t in tokens if t)


def read_html(data: bytes, name: str) -> ReadResult:
    """Main text of a web page."""
    from lxml import etree

    text = _decode_html(data, name)
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
    document = etree.fromstring(text.encode("utf-8", "surrogatepass"), parser)
    if document is None:
        return ReadResult("", "html")
    depth, count = _depth(document)
    if depth >= MAX_DEPTH:
        raise err(name, f"trang HTML lồng thẻ quá sâu (từ {MAX_DEPTH} tầng trở lên), không đọc")
    if count > MAX_ELEMENTS:
        limit = f"{MAX_ELEMENTS:,}".replace(",", ".")
        raise err(name, f"trang HTML có quá nhiều thẻ (hơn {limit}), không phải một trang văn bản; không đọc")
    root = document.find("body")
    root = root if root is not None else document
    tree = _Tree(document)
    inside_article: dict = {}
    for el in tree.order:
        parent = el.getparent()
        inside_article[el] = parent is not None and (parent.tag == "article" or inside_article.get(parent, False))
    for el in tree.order:
        if el.tag in _NOISE_TAGS or (el.tag == "header" and not inside_article[el]):
            tree.drop(el)
    tree.measure_all()
    # "main text" is measured in <p> text, or in all text on pages without paragraphs
    by_p = bool(tree.p_len.get(root))

    def measure(el) -> int:  # noqa: ANN001
        return (tree.p_len if by_p else tree.text_len)[el]

    total = measure(root)
    for el in tree.order:
        if el is not root and el not in tree.dead and _is_noisy_attr(el) and measure(el) <= 0.5 * total:
            tree.drop(el)
    tree.measure_all()
    _drop_related_blocks(tree, root, measure, total)
    tree.measure_all()
    return ReadResult(_flatten(_main_container(tree, root)), "html")


def _is_label(tree: _Tree, el) -> bool:  # noqa: ANN001
    short = tree.short.get(el)
    return short is not None and fold(short).rstrip(": ") in _NOISE_LABELS


def _drop_related_blocks(tree: _Tree, root, measure: Callable, total: float) -> None:  # noqa: ANN001
    """A "Tin liên quan" heading and the siblings after it go, unless they hold most of the text."""
    suffix: dict = {}  # parent -> {child: measure of that child and all siblings after it}
    for el in tree.order:
        if el in tree.dead or el.tag not in _LABEL_TAGS or not _is_label(tree, el):
            continue
        while (parent := el.getparent()) is not None and parent is not root and _is_label(tree, parent):
            el = parent
        parent = el.getparent()
        if parent is None:
            continue
        if parent not in suffix:
            running, sums = 0, {}
            for child in reversed([c for c in parent if isinstance(c.tag, str)]):
                running += measure(child)
                sums[child] = running
            suffix[parent] = sums
        if el in tree.dead or suffix[parent].get(el, total + 1) > 0.5 * total:
            continue
        for sibling in [el, *el.itersiblings()]:
            if isinstance(sibling.tag, str):
                tree.drop(sibling)


def _main_container(tree: _Tree, root):  # noqa: ANN001, ANN202
    """<article> or <main> if substantial, else the element with the most <p> text."""
    full = tree.text_len[root]
    for name in ("article", "main"):
        found = [e for e in tree.order if e.tag == name]
        if found:
            best = max(found, key=tree.text_len.__getitem__)
            if tree.text_len[best] >= 0.3 * full:
                return best
    total = tree.p_len[root]
    if not total:
        return root
    scores: dict = {}
    for p in (e for e in tree.order if e.tag == "p"):
        n = tree.text_len[p]
        parent = p.getparent()
        for anc, weight in ((parent, 1.0), (parent.getparent() if parent is not None else None, 0.5)):
            if anc is not None:
                scores[anc] = scores.get(anc, 0.0) + n * weight
    best = max(scores, key=scores.__getitem__)
    while best is not root and best.getparent() is not None and tree.p_len[best] < 0.6 * total:
        best = best.getparent()
    return best


def _flatten(root) -> str:  # noqa: ANN001
    """Flatten to text: block elements become paragraphs, table rows "cell | cell"."""
    parts: list[str] = []
    # stack items: ("text", str, in_pre) | ("el", element, in_pre, index, cell_before) | ("raw", str)
    stack: list[tuple] = []

    def push_children(el, in_pre: bool) -> None:  # noqa: ANN001
        items: list[tuple] = [("text", el.text, in_pre)]
        cells = lis = 0
        for child in el:
            if isinstance(child.tag, str):
                lis += child.tag == "li"
                items.append(("el", child, in_pre, lis, cells > 0, el.tag))
                cells += child.tag in ("td", "th")
            items.append(("text", child.tail, in_pre))
        stack.extend(reversed(items))

    push_children(root, root.tag == "pre")
    while stack:
        item = stack.pop()
        if item[0] == "raw":
            parts.append(item[1])
        elif item[0] == "text":
            if item[1]:
                parts.append(item[1] if item[2] else re.sub(r"\s+", " ", item[1]))
        else:
            _, el, in_pre, li_index, cell_before, parent_tag = item
            if el.tag == "br":
                parts.append("\n")
            elif el.tag in ("td", "th"):
                if cell_before:
                    parts.append(" | ")
                parts.append(" ".join("".join(el.itertext()).split()))
            elif el.tag in _BLOCK_TAGS:
                parts.append("\n\n")
                if el.tag == "li" and parent_tag == "ol" and not re.match(r"\s*\d", _first_text(el)):
                    parts.append(f"{li_index}. ")
                stack.append(("raw", "\n\n"))
                push_children(el, in_pre or el.tag == "pre")
            else:
                push_children(el, in_pre)
    lines = [line.strip() for line in "".join(parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _first_text(el) -> str:  # noqa: ANN001
    """The first non-blank text inside an element (enough to see whether it starts with a number)."""
    for piece in el.itertext():
        if piece.strip():
            return piece
    return ""
