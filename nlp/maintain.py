"""Maintenance of stored notices: find a document by reference, delete it everywhere, rebuild the indexes
and re-tag (the store stays the source of truth; indexes are derived from it)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nlp.ann import ANN, index_embedder_id, open_index, resolve_embedder, writer_lock
from nlp.config import data_dir as resolve_data_dir
from nlp.embed import Embedder, load_embedder
from nlp.records import context_text
from nlp.store import Store

if TYPE_CHECKING:
    from nlp.tagger import Tagger


def resolve_document(store: Store, ref: str) -> list[str]:
    """Document ids matching a full id, an id prefix or a stored file name."""
    if store.has_document(ref):
        return [ref]
    found = store.find_documents(ref) if len(ref) >= 4 else []
    if found:
        return found
    return store.documents_named(ref)


def delete_document(
    doc_id: str, data_dir: str | Path | None = None, embedder: str | Embedder | None = None,
    database_url: str | None = None,
) -> int:
    """Remove a document everywhere (store, keyword index, dense index); return its directive count.

    Raises KeyError when no document has this id.
    """
    data_dir = resolve_data_dir(data_dir)
    with Store.open(data_dir, database_url) as store:
        if store.holds_vectors:  # its vectors go with it (ON DELETE CASCADE)
            return store.delete_document(doc_id)
        emb = resolve_embedder(data_dir, embedder, store)
        with writer_lock(store, data_dir):
            removed = store.delete_document(doc_id)
            open_index(store, data_dir, emb, locked=True)  # reconciles: drops the document's vectors and saves
    return removed


def reindex(
    data_dir: str | Path | None = None,
    embedder: str | Embedder | None = None,
    index_kind: str | None = None,
    full: bool = False,
    tagger: Tagger | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """Rebuild the indexes from the store and repair any mismatch.

    Keyword index: recomputed from the directive texts. Dense index: rebuilt; vectors are re-used from
    the old index when the embedder is unchanged unless `full`. A different `embedder` switches the
    index to it (re-embedding everything). With a tagger, directives not corrected by users are re-tagged.
    """
    data_dir = resolve_data_dir(data_dir)
    start = time.perf_counter()
    with Store.open(data_dir, database_url) as store:
        if isinstance(embedder, Embedder):
            emb = embedder
        elif embedder is None:
            emb = resolve_embedder(data_dir, None, store)
        else:
            emb = load_embedder(embedder)
        same = index_embedder_id(store, data_dir) == emb.id
        with writer_lock(store, data_dir):
            store.rebuild_keywords()
            index = open_index(store, data_dir, emb, index_kind, locked=True, fresh=True, reuse=same and not full)
            retagged = retag(store, index, emb, tagger) if tagger is not None else 0
            stats = store.stats()
            vectors, kind = len(index), index.kind
    return {
        "directives": stats["directives"], "passages": stats["passages"], "documents": stats["documents"],
        "vectors": vectors, "embedder": emb.id, "index": kind, "retagged": retagged,
        "seconds": round(time.perf_counter() - start, 2),
    }


def retag(store: Store, index: ANN, embedder: Embedder, tagger: Tagger) -> int:
    """Re-run the tagger on stored directives whose labels no user corrected; return how many."""
    keep = store.feedback_directive_ids()
    rows = [r for r in store.tagging_rows() if r[0] not in keep]
    same = getattr(tagger, "embedder_id", None) == embedder.id
    done = 0
    for start in range(0, len(rows), 256):
        chunk = rows[start : start + 256]
        ids = np.array([int(r[0]) for r in chunk], dtype=np.int64)
        vectors = index.vectors(ids) if same else None
        preds = tagger.predict([r[1] for r in chunk], context=[context_text(r[2], r[3]) for r in chunk],
                               embeddings=vectors, top_terms=0)
        for directive_id, p in zip(ids, preds):
            store.set_labels(int(directive_id), list(p.labels), {k: float(v) for k, v in p.scores.items()})
        done += len(chunk)
    return done
