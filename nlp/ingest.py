"""Ingest notices: read -> parse -> embed -> tag -> store (one transaction per file) -> dense index.

SQLite is committed first; the FAISS index is updated in memory and saved after the batch (and at
least every SAVE_EVERY seconds). The index lock is held for the whole batch so concurrent writers
queue; a crash at any point leaves a consistent database and an index that heals on the next open.
Each directive is embedded once: the tagger receives those vectors when it was trained with the
same embedder.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from nlp.config import data_dir as resolve_data_dir
from nlp.ann import ANN, embed_directives
from nlp.ann.sync import index_lock, load_locked, resolve_embedder, sync
from nlp.embed import Embedder, load_embedder
from nlp.normalize import normalize_text
from nlp.records import Notice, context_text
from nlp.store import Store, content_id

if TYPE_CHECKING:  # the tagger (scikit-learn) is only imported by callers that tag
    from nlp.tagger import Tagger


SAVE_EVERY = 60.0  # seconds between index saves during a long ingest
Status = Literal["stored", "skipped", "failed"]


@dataclass
class FileResult:
    """What happened to one input."""

    name: str
    status: Status
    doc_id: str = ""
    directives: int = 0
    reason: str = ""
    notes: list[str] = field(default_factory=list)  # how it was read: OCR, encoding conversion, warnings

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IngestReport:
    """Per-file results of one ingest run."""

    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    def _count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def stored(self) -> int:
        return self._count("stored")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def failed(self) -> int:
        return self._count("failed")

    @property
    def directives(self) -> int:
        return sum(f.directives for f in self.files if f.status == "stored")

    def to_dict(self) -> dict[str, Any]:
        return {
            "stored": self.stored, "skipped": self.skipped, "failed": self.failed,
            "directives": self.directives, "seconds": round(self.seconds, 3),
            "files": [f.to_dict() for f in self.files],
        }


def collect_files(paths: Iterable[str | Path], follow_links: bool = False) -> list[Path]:
    """Files named directly, plus supported files found by walking directories (sorted, no duplicates)."""
    from nlp.collect import collect

    return collect(list(paths), follow_links).files


class Ingestor:
    """An open ingest session on one data directory (holds the index lock): `with Ingestor(...) as ing:`."""

    def __init__(
        self,
        data_dir: str | Path | None = None,
        embedder: str | Embedder | None = None,
        tagger: Tagger | None = None,
        index_kind: str | None = None,
        isolate: bool = True,
        time_budget: float | None = None,
    ) -> None:
        self.data_dir = resolve_data_dir(data_dir)
        self.embedder = resolve_embedder(self.data_dir, embedder)
        self.tagger = tagger
        self.index_kind = index_kind
        self.store: Store | None = None
        self.index: ANN | None = None
        self._lock_cm = None
        self._last_save = 0.0
        self._worker = None  # nlp.isolate.Worker: files are read and parsed in a child process
        self.isolate, self.time_budget = isolate, time_budget
        self.page_progress: Callable[[int, int], None] | None = None  # OCR pages of the current file

    def __enter__(self) -> Ingestor:
        self._lock_cm = index_lock(self.data_dir)
        self._lock_cm.__enter__()
        try:
            self.store = Store.open(self.data_dir)
            self.index = load_locked(self.store, self.data_dir, self.embedder, self.index_kind)
        except BaseException:
            self._release()
            raise
        self._last_save = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.store is not None and self.index is not None:
                sync(self.index, self.store, self.data_dir, self.embedder)
        finally:
            self._release()

    def _release(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._lock_cm is not None:
            self._lock_cm.__exit__(None, None, None)
            self._lock_cm = None

    # --- adding -------------------------------------------------------------------------------
    def add_file(self, path: str | Path) -> FileResult:
        """Read, parse and store one file; failures are reported, never raised.

        With `isolate` (the default) reading and parsing run in a worker process within the time
        budget (nlp.isolate), so a file that overruns it is reported and the batch goes on.
        """
        from nlp.isolate import FileFailed, Worker, WorkerUnavailable
        from nlp.readers import ReadError, read_document

        name = str(path)
        try:
            parsed = None
            if self.isolate:
                self._worker = self._worker or Worker(self.time_budget)
                try:
                    parsed = self._worker.parse(path, self.page_progress)
                except WorkerUnavailable:  # read in this process, without a time budget
                    self.isolate, self._worker = False, None
            if parsed is not None:
                read, notice = parsed.read, parsed.notice
            else:
                read, notice = read_document(path, self.page_progress), None  # add_text parses it
        except (ReadError, FileFailed) as exc:
            return FileResult(name, "failed", reason=str(exc))
        except OSError as exc:
            return FileResult(name, "failed", reason=f"{Path(path).name}: không đọc được tệp ({exc.strerror or exc})")
        if notice is not None:
            notice.source = read.source()
        result = self.add_text(read.text, name, normalised=True, notice=notice)
        result.notes = read.notes()
        return result

    def add_text(self, text: str, name: str, normalised: bool = False, notice: Notice | None = None) -> FileResult:
        """Parse (unless `notice` is given, parsed from `text`) and store one notice text (e.g. pasted in the UI)."""
        from nlp.parser import parse_notice

        assert self.store is not None and self.index is not None, "use `with Ingestor(...)`"
        text = text if normalised else normalize_text(text)
        if not text.strip():
            return FileResult(name, "failed", reason=f"{Path(name).name}: văn bản rỗng")
        doc_id = content_id(text)
        if self.store.has_document(doc_id):
            return FileResult(name, "skipped", doc_id, reason="đã có trong kho (cùng nội dung)")
        try:
            notice = parse_notice(text) if notice is None else notice
            notice.text = notice.text or text
            rows = notice.directives + notice.passages  # the order add_notice stores them in
            vectors = embed_directives(self.embedder, [d.text for d in rows])
            self._tag(notice, vectors[: len(notice.directives)])
            ids = self.store.add_notice(notice, doc_id, name)
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
            return FileResult(name, "failed", doc_id, reason=f"{Path(name).name}: lỗi khi xử lý ({type(exc).__name__}: {exc})")
        if not ids and rows:
            return FileResult(name, "skipped", doc_id, reason="đã có trong kho (cùng nội dung)")
        self.index.append(np.array(ids, dtype=np.int64), vectors)
        if time.monotonic() - self._last_save > SAVE_EVERY:
            sync(self.index, self.store, self.data_dir, self.embedder)
            self._last_save = time.monotonic()
        note = "" if notice.directives else "không tìm thấy chỉ đạo nào trong văn bản (vẫn tìm được theo nội dung)"
        return FileResult(name, "stored", doc_id, len(notice.directives), note)

    def _tag(self, notice: Notice, vectors: np.ndarray) -> None:
        if self.tagger is None or not notice.directives:
            return
        texts = [d.text for d in notice.directives]
        context = [context_text(d.heading, notice.title) for d in notice.directives]
        same = getattr(self.tagger, "embedder_id", None) == self.embedder.id
        preds = self.tagger.predict(texts, context=context, embeddings=vectors if same else None, top_terms=0)
        for d, p in zip(notice.directives, preds):
            d.labels = list(p.labels)
            d.scores = {k: float(v) for k, v in p.scores.items()}


def _progress(items: list[Path], enabled: bool, ing: Ingestor | None = None) -> Iterator[Path]:
    """Yield the items under a rich progress bar; OCR pages of the current file are shown beside it."""
    if not enabled or len(items) < 2:
        yield from items
        return
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("[bold]Nạp văn bản"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
               TextColumn("{task.fields[name]}"))
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("ingest", total=len(items), name="")
        for item in items:
            label = escape(item.name[-40:])
            bar.update(task, name=label)
            if ing is not None:
                ing.page_progress = lambda done, total, label=label: bar.update(
                    task, name=f"{label} (OCR trang {done}/{total})")
            yield item
            bar.advance(task)


def ingest_paths(
    paths: Iterable[str | Path],
    data_dir: str | Path | None = None,
    embedder: str | Embedder | None = None,
    tagger: Tagger | None = None,
    progress: bool = False,
    index_kind: str | None = None,
    follow_links: bool = False,
    time_budget: float | None = None,
) -> IngestReport:
    """Ingest files and directories (walked for supported suffixes); a report with one entry per file
    and one per path skipped by the walk (links, FIFOs, loops)."""
    from nlp.collect import collect

    start = time.perf_counter()
    report = IngestReport()
    found = collect(list(paths), follow_links)
    report.files += [FileResult(str(p), "skipped", reason=why) for p, why in found.skipped]
    files = found.files
    with Ingestor(data_dir, embedder, tagger, index_kind, time_budget=time_budget) as ing:
        for path in _progress(files, progress, ing):
            if not path.exists():
                report.files.append(FileResult(str(path), "failed", reason=f"{path.name}: không tồn tại"))
                continue
            report.files.append(ing.add_file(path))
    report.seconds = time.perf_counter() - start
    return report


def ingest_text(
    text: str,
    name: str,
    data_dir: str | Path | None = None,
    embedder: str | Embedder | None = None,
    tagger: Tagger | None = None,
) -> FileResult:
    """Store one notice given as text (the UI's "save notice")."""
    with Ingestor(data_dir, embedder, tagger) as ing:
        return ing.add_text(text, name)


def resolve_document(store: Store, ref: str) -> list[str]:
    """Document ids matching a full id, an id prefix or a stored file name."""
    if store.has_document(ref):
        return [ref]
    found = store.find_documents(ref) if len(ref) >= 4 else []
    if found:
        return found
    return store.documents_named(ref)


def delete_document(doc_id: str, data_dir: str | Path | None = None, embedder: str | Embedder | None = None) -> int:
    """Remove a document everywhere (store, keyword index, dense index); return its directive count.

    Raises KeyError when no document has this id.
    """
    data_dir = resolve_data_dir(data_dir)
    emb = resolve_embedder(data_dir, embedder)
    with index_lock(data_dir):
        with Store.open(data_dir) as store:
            removed = store.delete_document(doc_id)
            load_locked(store, data_dir, emb)  # reconciles: drops the document's vectors and saves
    return removed


def reindex(
    data_dir: str | Path | None = None,
    embedder: str | Embedder | None = None,
    index_kind: str | None = None,
    full: bool = False,
    tagger: Tagger | None = None,
) -> dict[str, Any]:
    """Rebuild the indexes from the store and repair any mismatch.

    Keyword index: recomputed from the directive texts. Dense index: rebuilt; vectors are re-used from
    the old index when the embedder is unchanged unless `full`. A different `embedder` switches the
    index to it (re-embedding everything). With a tagger, directives not corrected by users are re-tagged.
    """
    data_dir = resolve_data_dir(data_dir)
    if isinstance(embedder, Embedder):
        emb = embedder
    elif embedder is None:
        emb = resolve_embedder(data_dir, None)
    else:
        emb = load_embedder(embedder)
    start = time.perf_counter()
    with index_lock(data_dir):
        with Store.open(data_dir) as store:
            store.rebuild_keywords()
            index = load_locked(store, data_dir, emb, index_kind, fresh=True, reuse=not full)
            retagged = retag(store, index, emb, tagger) if tagger is not None else 0
            stats = store.stats()
    return {
        "directives": stats["directives"], "passages": stats["passages"], "documents": stats["documents"],
        "vectors": len(index),
        "embedder": emb.id, "index": index.kind, "retagged": retagged,
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
