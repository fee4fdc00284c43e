"""Search over stored directives: dense (FAISS), keyword (SQLite FTS5 + BM25) and hybrid (RRF).

Keyword: the index holds accent-less, abbreviation-expanded syllables and their bigrams; FTS5 finds
candidates through the query's most selective units, then BM25 over all units ranks them. Dense: the
query (accents restored from the keyword matches when typed without them) against directive vectors.
Hybrid: reciprocal rank fusion of the two top-50 lists. Every hit is joined back to SQLite, so an id the store no longer has can never surface. Snippets mark
matched words with **bold** (Markdown: the CLI renders it, Streamlit shows it); matching is accent-
and abbreviation-insensitive ("tthc" highlights "thủ tục hành chính" and "TTHC").
"""
from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Literal

import numpy as np

from nlp.config import data_dir as resolve_data_dir
from nlp.ann import ANN, open_index, refresh_index, resolve_embedder
from nlp.embed import Embedder
from nlp.normalize import fold, normalize_inline
from nlp.records import Hit
from nlp.store import Filters, Store
from nlp.relevance import STOP_SYLLABLES, Results, contains_all, passes, query_groups
from nlp.vitext import annotate_abbreviations, keyword_text

Mode = Literal["hybrid", "dense", "keyword"]
MODES: tuple[str, ...] = ("hybrid", "dense", "keyword")
RRF_K = 60
# A passage (text of a notice that is not a directive) counts this much of a directive's score, so it
# ranks below a directive of equal relevance but still above weaker directives.
# 0.8 -> 0.5 once the directive model found 0.92 of real directives (fewer relevant texts left as passages):
# hybrid nDCG@10 on realdev 0.732 -> 0.737, on the written sets' 96 queries over their 180 notices 0.401 -> 0.411.
PASSAGE_WEIGHT = 0.5
# Weight of the dense list in the fusion (the keyword list weighs 1): 1.0 -> 0.7 raised hybrid nDCG@10 on realdev
# 0.685 -> 0.696 and on corpus/queries.jsonl among the written distractors 0.367 -> 0.376; 0.7 -> 0.5 (with the
# passage weight 0.5) realdev 0.737 -> 0.743 and the written sets 0.411 -> 0.415.
DENSE_WEIGHT = 0.5
CANDIDATES = 50  # per-list depth fed to the fusion
CONTEXT_FIRST = 1000.0  # an accented form seen beside the query's neighbours outweighs any bare count
RESTORE_FROM = 20  # keyword hits whose words restore the accents of an accent-less query
QUERY_CACHE = 512  # query vectors kept per Searcher (a repeated query is not embedded again)
MARK = "**"
POSTINGS_BUDGET = 8_000  # postings FTS5 may walk to find keyword candidates (~0.65 µs each)
KEYWORD_POOL = 200  # candidates rescored with the full query
BM25_K1, BM25_B, CONTEXT_WEIGHT = 1.2, 0.75, 0.3

_WORD = re.compile(r"\w+")


def query_terms(query: str) -> list[str]:
    """Folded, abbreviation-expanded syllables of a query."""
    return keyword_text(query).split()


def query_units(terms: list[str]) -> list[str]:
    """What a query looks up in the keyword index: syllable bigrams ("ho_so") and informative syllables."""
    bigrams = [f"{a}_{b}" for a, b in zip(terms, terms[1:])]
    units = list(dict.fromkeys(bigrams + [t for t in terms if t not in STOP_SYLLABLES]))
    return units or list(dict.fromkeys(terms))


def select_units(units: list[str], doc_freq: dict[str, int], budget: int = POSTINGS_BUDGET) -> list[str]:
    """The most selective units whose postings fit the budget (at least the rarest one present)."""
    chosen: list[str] = []
    used = 0
    for unit in sorted((u for u in units if doc_freq.get(u)), key=lambda u: doc_freq[u]):
        if chosen and used + doc_freq[unit] > budget:
            break
        chosen.append(unit)
        used += doc_freq[unit]
    return chosen


def bm25_rescore(
    rows: list[tuple[int, str, str, int, int]], units: list[str], doc_freq: dict[str, int],
    totals: tuple[int, int, int],
) -> list[tuple[int, float]]:
    """BM25 (k1 1.2, b 0.75) of candidate rows over all query units; heading/unit column weighted 0.3.

    Rows are (id, text terms, context terms, text length, context length) from Store.keyword_rows.
    """
    n, kw_tokens, ctx_tokens = totals
    n = max(n, 1)
    idf = {u: math.log(1 + (n - doc_freq[u] + 0.5) / (doc_freq[u] + 0.5)) for u in units if doc_freq.get(u)}
    probes = [(f" {u} ", w) for u, w in idf.items()]
    averages = (max(kw_tokens / n, 1.0), max(ctx_tokens / n, 1.0))
    out: list[tuple[int, float]] = []
    for directive_id, keyword, context, kw_len, ctx_len in rows:
        score = 0.0
        for column, length, weight, avg in ((keyword, kw_len, 1.0, averages[0]), (context, ctx_len, CONTEXT_WEIGHT, averages[1])):
            if not length:
                continue
            padded = f"  {column.replace(' ', '  ')}  "  # double spaces: repeated tokens are all counted
            norm = BM25_K1 * (1 - BM25_B + BM25_B * length / avg)
            for probe, w in probes:
                tf = padded.count(probe)
                if tf:
                    score += weight * w * tf * (BM25_K1 + 1) / (tf + norm)
        out.append((directive_id, score))
    out.sort(key=lambda p: (-p[1], p[0]))
    return out


def _word_tokens(text: str) -> list[tuple[list[str], int, int]]:
    """(folded expanded syllables, start, end) for each word of a text."""
    return [(keyword_text(m.group(0)).split(), m.start(), m.end()) for m in _WORD.finditer(text)]


def _marked_words(words: list[tuple[list[str], int, int]], terms: list[str]) -> list[bool]:
    """Which words to highlight: runs matching adjacent query syllables, else informative singles."""
    bigrams = set(zip(terms, terms[1:]))
    joined = f" {' '.join(terms)} "
    stream = [(tok, w) for w, (toks, _, _) in enumerate(words) for tok in toks]
    marked = [False] * len(words)
    in_phrase: set[str] = set()
    for w, (toks, _, _) in enumerate(words):  # an abbreviation matches only as a whole ("UBND" ≠ "nhân dân")
        if len(toks) > 1 and f" {' '.join(toks)} " in joined:
            marked[w] = True
            in_phrase.update(toks)
    for (a, wa), (b, wb) in zip(stream, stream[1:]):
        if (a, b) in bigrams and len(words[wa][0]) == 1 and len(words[wb][0]) == 1:
            marked[wa] = marked[wb] = True
            in_phrase.update((a, b))
    # lone syllables are mostly noise in a multi-word query: mark them only for one- or two-syllable queries
    singles = set() if in_phrase or len(terms) > 2 else {t for t in terms if t not in STOP_SYLLABLES}
    if len(set(terms)) == 1:
        singles = set(terms)
    for tok, w in stream:
        if tok in singles:
            marked[w] = True
    return marked


def highlight(text: str, query: str, max_words: int = 45) -> str:
    """The text (or a window of it around the matches) with matched words wrapped in **…**."""
    terms = query_terms(query)
    words = _word_tokens(text)
    if not words:
        return text
    marked = _marked_words(words, terms) if terms else [False] * len(words)
    lo, hi = 0, len(words)
    if len(words) > max_words:
        counts = np.convolve(np.array(marked, dtype=int), np.ones(max_words, dtype=int), mode="valid")
        lo = int(np.argmax(counts)) if any(marked) else 0
        if lo:  # start a few words earlier for context, without dropping a marked word at the end
            tail = next((n for n in range(3) if marked[lo + max_words - 1 - n]), 3)
            lo -= min(lo, tail)
        hi = lo + max_words
    out: list[str] = ["…" if lo > 0 else ""]
    cursor = words[lo][1] if lo > 0 else 0
    w = lo
    while w < hi:
        if not marked[w]:
            w += 1
            continue
        run_end = w
        while run_end + 1 < hi and marked[run_end + 1] and not text[words[run_end][2] : words[run_end + 1][1]].strip():
            run_end += 1
        start, end = words[w][1], words[run_end][2]
        out += [text[cursor:start], MARK, text[start:end], MARK]
        cursor = end
        w = run_end + 1
    stop = words[hi - 1][2] if hi < len(words) else len(text)
    out.append(text[cursor:stop])
    if hi < len(words):
        out.append(" …")
    return "".join(out).strip()


def has_diacritics(text: str) -> bool:
    """True when the text has any Vietnamese accent or đ (then it needs no restoration)."""
    return fold(text) != text.lower()


def restore_diacritics(query: str, texts: list[str]) -> str:
    """Put back the accents of an accent-less query using the surface forms in matching texts.

    Each query syllable takes the most frequent accented word of `texts` that folds to it among the
    occurrences whose neighbours also match the query, if there are any, else among all ("so hoa ho so"
    -> "số hóa hồ sơ": "sơ" is more frequent, but not before "hóa"). Syllables never seen keep their
    form. Used to embed accent-less queries for dense search.
    """
    words = _WORD.findall(query)
    if not words or has_diacritics(query):
        return query
    keys = [fold(w) for w in words]
    wanted = set(keys)
    counts: list[dict[str, float]] = [{} for _ in words]
    for text in texts:
        surface = _WORD.findall(text)
        folded = [fold(w) for w in surface]
        for j, f in enumerate(folded):
            if f not in wanted:
                continue
            for i, key in enumerate(keys):
                if key != f:
                    continue
                context = (i > 0 and j > 0 and folded[j - 1] == keys[i - 1]) + (
                    i + 1 < len(keys) and j + 1 < len(folded) and folded[j + 1] == keys[i + 1])
                form = surface[j] if surface[j].isupper() and len(surface[j]) > 1 else surface[j].lower()
                counts[i][form] = counts[i].get(form, 0.0) + 1.0 + CONTEXT_FIRST * context
    restored = [max(c.items(), key=lambda kv: kv[1])[0] if c else w for w, c in zip(words, counts)]
    return " ".join(restored)


def dense_query_texts(query: str) -> list[str]:
    """The text embedded for a query: as typed, each abbreviation followed by its full form.

    Directives use both forms ("TTHC" and "thủ tục hành chính"). One text with both costs one embedding;
    the mean of two embeddings (typed, expanded) cost two for the same quality (corpus/queries.jsonl,
    nDCG@10, seeds / with 1,178 distractors: hybrid 0.963 / 0.396 vs 0.963 / 0.391, dense 0.885 / 0.279
    vs 0.883 / 0.288; typed only: dense 0.851 / 0.253, expanded only: 0.822 / 0.284).
    """
    return [annotate_abbreviations(normalize_inline(query))]


def rrf(rankings: list[list[int]], k: int | None = None, weights: list[float] | None = None) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: sum of weight/(k + rank) over the ranked lists, best first."""
    k = RRF_K if k is None else k
    weights = weights or [1.0] * len(rankings)
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


class Searcher:
    """Search one store (a data directory or a database). Cheap to keep open; picks up other processes'
    changes per query."""

    def __init__(
        self,
        data_dir: str | Path | None = None,
        embedder: str | Embedder | None = None,
        store: Store | None = None,
        database_url: str | None = None,
    ) -> None:
        self.data_dir = resolve_data_dir(data_dir)
        self.store = store or Store.open(self.data_dir, database_url)
        self._own_store = store is None
        self._lock = threading.RLock()  # one query at a time per Searcher (UI threads share one)
        self._vectors: OrderedDict[tuple[str, ...], np.ndarray] = OrderedDict()
        try:
            self.embedder = resolve_embedder(self.data_dir, embedder, self.store)
            self.index: ANN = open_index(self.store, self.data_dir, self.embedder, wait=False)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._own_store:
            self.store.close()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def refresh(self) -> None:
        """Bring the dense index up to the store's state after changes by this or another process."""
        self.index = refresh_index(self.index, self.store, self.data_dir, self.embedder)

    # --- the two retrievers -------------------------------------------------------------------
    def keyword_ranking(self, query: str, limit: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        """BM25 ranking in two steps: FTS5 finds candidates through the most selective units (bounded
        work), then every unit of the query, common ones included, scores the candidates."""
        units = query_units(query_terms(query))
        if not units:
            return []
        doc_freq = self.store.doc_frequencies(units)
        budget = min(POSTINGS_BUDGET, self.store.postings_budget or POSTINGS_BUDGET)
        selective = select_units(units, doc_freq, budget)
        if not selective:
            return []
        pool = max(KEYWORD_POOL, limit)
        if doc_freq[selective[0]] <= budget:
            candidates = self.store.keyword_search(selective, pool, filters)
        else:  # even the rarest unit is common: the newest directives having the rarest units all
            rarest = sorted((u for u in units if doc_freq.get(u)), key=lambda u: doc_freq[u])[:3]
            candidates = self.store.keyword_search(rarest, 4 * pool, filters, "recent", require_all=True)
            if len(candidates) < limit:
                candidates = self.store.keyword_search(rarest[:1], 4 * pool, filters, "recent")
        rows = self.store.keyword_rows([i for i, _ in candidates])
        return bm25_rescore(rows, units, doc_freq, self.store.keyword_totals())[:limit]

    def keyword_all_ranking(self, query: str, limit: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        """Keyword mode: only directives whose text holds every word of the query (phrases whole),
        ranked by BM25 over the query's units."""
        terms = query_terms(query)
        pairs = [f"{a}_{b}" for a, b in zip(terms, terms[1:])]
        groups = query_groups(query, set(self.store.doc_frequencies(pairs)))
        if not groups:
            return []
        candidates = self.store.keyword_search(groups, max(KEYWORD_POOL, 4 * limit), filters, require_all=True)
        rows = [r for r in self.store.keyword_rows([i for i, _ in candidates]) if contains_all(r[1], groups)]
        units = query_units(query_terms(query))
        return bm25_rescore(rows, units, self.store.doc_frequencies(units), self.store.keyword_totals())[:limit]

    def dense_ranking(
        self, query_vector: np.ndarray, limit: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        allowed = None if filters is None or filters.is_empty() else self.store.filter_ids(filters)
        return self.index.search(query_vector, limit, allowed)

    # --- public API ---------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None,
               offset: int = 0, cutoff: bool = True) -> list[Hit]:
        """Top-k directives for a query (after the first `offset`). Scores: cosine (dense), BM25
        (keyword), RRF (hybrid). Keyword mode returns only directives holding every query word; hybrid
        and dense drop hits under the relevance cut-off unless `cutoff` is False."""
        return self.search_page(query, k, mode, filters, offset, cutoff).hits

    def search_page(self, query: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None,
                    offset: int = 0, cutoff: bool = True) -> Results:
        """`search` with whether more results follow and how many the cut-off removed."""
        if mode not in MODES:
            raise ValueError(f"Chế độ tìm kiếm không hợp lệ: '{mode}' (chọn hybrid, dense hoặc keyword).")
        query = query.strip()
        if not query or k <= 0:
            return Results()
        with self._lock:
            return self._search(query, k, mode, filters, max(0, int(offset)), cutoff)

    def _search(self, query: str, k: int, mode: str, filters: Filters | None, offset: int, cutoff: bool) -> Results:
        self.refresh()
        want = offset + k + 1  # one more than the page: whether a next page exists
        depth = max(CANDIDATES, 2 * want)
        if mode == "keyword":
            return self._page(self.keyword_all_ranking(query, want, filters), offset, k, query)
        # Sequential on purpose: the embedder's OpenMP threads and a concurrent SQLite thread fight for the
        # two cores (p95 > 1 s measured); the keyword side is a few ms.
        # Sequential on purpose: embedding the query on a second thread while the keyword side runs was
        # measured no faster on this shared 2-core machine (hybrid p50 53.4 vs 53.2 ms at 100k, HNSW).
        accented = has_diacritics(query)
        keyword = self.keyword_ranking(query, depth, filters) if mode == "hybrid" or not accented else []
        # an accent-less query is embedded after restoring its accents from the keyword matches
        context = None if accented else [i for i, _ in keyword[:RESTORE_FROM]]
        vector = self.embed_query(query, context)
        dense = self.dense_ranking(vector, depth, filters)
        ranked = dense if mode == "dense" else rrf([[i for i, _ in dense], [i for i, _ in keyword]],
                                                      weights=[DENSE_WEIGHT, 1.0])
        cut = 0
        if cutoff:
            kept = self.relevant(ranked, query, vector, dict(dense))
            cut, ranked = len(ranked) - len(kept), kept
        page = self._page(ranked, offset, k, query)
        page.cut = cut
        return page

    def relevant(self, ranked: list[tuple[int, float]], query: str, vector: np.ndarray,
                 cosines: dict[int, float]) -> list[tuple[int, float]]:
        """The ranked hits that pass the relevance cut-off (nlp.relevance.passes), in order."""
        terms = query_terms(query)
        # the text with its context (heading, unit, notice title), as keyword search reads it
        text_terms = {r[0]: f"{r[1]} {r[2]}" for r in self.store.keyword_rows([i for i, _ in ranked])}
        kept = []
        for directive_id, score in ranked:
            cos = cosines.get(directive_id)
            if cos is None:
                v = self.index.vector(directive_id)
                cos = float(v @ vector) if v is not None else 0.0
            if passes(cos, text_terms.get(directive_id, ""), terms, self.embedder.id):
                kept.append((directive_id, score))
        return kept

    def _page(self, ranked: list[tuple[int, float]], offset: int, k: int, query: str) -> Results:
        hits = self._hits(ranked, offset + k + 1, query)
        return Results(hits=hits[offset : offset + k], more=len(hits) > offset + k)

    def embed_query(self, query: str, context_ids: list[int] | None = None) -> np.ndarray:
        """The query vector; an accent-less query is first restored from the texts of `context_ids`."""
        if context_ids:
            query = restore_diacritics(query, [t for _, t in self.store.directive_texts(context_ids)])
        texts = tuple(dense_query_texts(query))
        with self._lock:
            cached = self._vectors.get(texts)
            if cached is not None:
                self._vectors.move_to_end(texts)
                return cached
        vectors = self.embedder.query(list(texts))
        mean = vectors.mean(axis=0)
        vector = mean / max(float(np.linalg.norm(mean)), 1e-12)
        with self._lock:
            self._vectors[texts] = vector
            while len(self._vectors) > QUERY_CACHE:
                self._vectors.popitem(last=False)
        return vector

    def similar(self, directive_id: int, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        """Directives closest in meaning to a stored directive ("more like this"), itself excluded."""
        with self._lock:
            return self._similar(directive_id, k, filters)

    def _similar(self, directive_id: int, k: int, filters: Filters | None) -> list[Hit]:
        self.refresh()
        stored = self.store.directive(int(directive_id))
        if stored is None:
            raise KeyError(directive_id)
        vector = self.index.vector(int(directive_id))
        if vector is None:
            vector = self.embedder.passage([stored["text"]])[0]
        ranked = [p for p in self.dense_ranking(vector, 3 * k + 1, filters) if p[0] != int(directive_id)]
        return self._hits(ranked, k, stored["text"], snippet=False, passage_weight=0.0)

    def _hits(
        self, ranked: list[tuple[int, float]], k: int, query: str, snippet: bool = True,
        passage_weight: float | None = None,
    ) -> list[Hit]:
        """Join ranked ids back to the store (dropping absent ones), rank passages below directives of equal
        score (`passage_weight` times their score; 0 leaves passages out) and add snippets."""
        passage_weight = PASSAGE_WEIGHT if passage_weight is None else passage_weight
        rows = self.store.hits([i for i, _ in ranked])
        scored: list[tuple[float, int, Hit]] = []
        for position, (directive_id, score) in enumerate(ranked):
            hit = rows.get(directive_id)
            if hit is None:
                continue
            if hit.kind == "passage":
                if passage_weight <= 0:
                    continue
                score *= passage_weight
            scored.append((float(score), position, hit))
        scored.sort(key=lambda t: (-t[0], t[1]))
        out: list[Hit] = []
        for score, _, hit in scored[:k]:
            hit.score = round(score, 6)
            hit.snippet = highlight(hit.text, query) if snippet else hit.text
            out.append(hit)
        return out
