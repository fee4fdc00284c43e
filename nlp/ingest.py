"""Ingest notices: read -> parse -> embed -> tag -> store (one transaction per file) -> dense index.

SQLite: the store is committed first; the FAISS index is updated in memory and saved after the batch
(and at least every SAVE_EVERY seconds). The index lock is held for the whole batch so concurrent
writers queue; a crash at any point leaves a consistent database and an index that heals on the next
open. PostgreSQL: the notice and its pgvector rows commit in one transaction; writers run at once.
Each directive is embedded once: the tagger receives those vectors when it was trained with the
same embedder.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from nlp.config import data_dir as resolve_data_dir
from nlp.ann import ANN, embed_directives, open_index, resolve_embedder, save_index, writer_lock
from nlp.embed import Embedder
from nlp.normalize import normalize_text
from nlp.records import Notice, context_text
from nlp.store import Store, StoreError, content_id

if TYPE_CHECKING:  # the tagger (scikit-learn) is only imported by callers that tag
    from nlp.duplicates import Duplicate
    from nlp.tagger import Tagger


SAVE_EVERY = 60.0  # seconds between index saves during a long ingest
Status = Literal["stored", "skipped", "failed"]
OnDuplicate = Literal["skip", "replace", "keep"]


@dataclass
class FileResult:
    """What happened to one input."""

    name: str
    status: Status
    doc_id: str = ""
    directives: int = 0
    reason: str = ""
    notes: list[str] = field(default_factory=list)  # how it was read: OCR, encoding conversion, warnings
    duplicate_of: str = ""  # the stored notice this one duplicates (skipped or replaced)

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


@dataclass
class Prepared:
    """A notice parsed, embedded and tagged, ready to be written (what batch workers return)."""

    name: str
    doc_id: str
    notice: Notice
    vectors: np.ndarray  # of the directives, then the passages (the order the store keeps them in)


def prepare_text(
    text: str, name: str, embedder: Embedder, tagger: Tagger | None = None, normalised: bool = False,
    notice: Notice | None = None,
) -> Prepared | FileResult:
    """Parse (unless `notice`, parsed from `text`, is given), embed and tag one notice text (no store
    involved); failures are reported, never raised."""
    from nlp.parser import parse_notice

    text = text if normalised else normalize_text(text)
    if not text.strip():
        return FileResult(name, "failed", reason=f"{Path(name).name}: văn bản rỗng")
    doc_id = content_id(text)
    try:
        notice = parse_notice(text) if notice is None else notice
        notice.text = notice.text or text
        rows = notice.directives + notice.passages  # the order add_notice stores them in
        vectors = embed_directives(embedder, [d.text for d in rows])
        tag_notice(notice, vectors[: len(notice.directives)], embedder, tagger)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
        return FileResult(name, "failed", doc_id, reason=f"{Path(name).name}: lỗi khi xử lý ({type(exc).__name__}: {exc})")
    return Prepared(name, doc_id, notice, vectors)


def read_file(path: str | Path) -> str | FileResult:
    """The normalised text of a file, or a failed FileResult saying why it cannot be read."""
    from nlp.readers import ReadError, read_document

    name = str(path)
    if not Path(path).exists():
        return FileResult(name, "failed", reason=f"{Path(path).name}: không tồn tại")
    try:
        return read_document(path).text
    except ReadError as exc:
        return FileResult(name, "failed", reason=str(exc))
    except OSError as exc:
        return FileResult(name, "failed", reason=f"{Path(path).name}: không đọc được tệp ({exc.strerror or exc})")


def prepare_file(path: str | Path, embedder: Embedder, tagger: Tagger | None = None) -> Prepared | FileResult:
    """Read, parse, embed and tag one file."""
    text = read_file(path)
    return text if isinstance(text, FileResult) else prepare_text(text, str(path), embedder, tagger, normalised=True)


def tag_notice(notice: Notice, vectors: np.ndarray, embedder: Embedder, tagger: Tagger | None) -> None:
    """Set the labels and scores of a notice's directives (re-using their vectors when the tagger can)."""
    if tagger is None or not notice.directives:
        return
    texts = [d.text for d in notice.directives]
    context = [context_text(d.heading, notice.title) for d in notice.directives]
    same = getattr(tagger, "embedder_id", None) == embedder.id
    preds = tagger.predict(texts, context=context, embeddings=vectors if same else None, top_terms=0)
    for d, p in zip(notice.directives, preds):
        d.labels = list(p.labels)
        d.scores = {k: float(v) for k, v in p.scores.items()}


class Ingestor:
    """An open ingest session on one store (holds the index writer lock): `with Ingestor(...) as ing:`."""

    def __init__(
        self,
        data_dir: str | Path | None = None,
        embedder: str | Embedder | None = None,
        tagger: Tagger | None = None,
        index_kind: str | None = None,
        database_url: str | None = None,
        isolate: bool = True,
        time_budget: float | None = None,
        on_duplicate: OnDuplicate = "skip",
    ) -> None:
        self.data_dir = resolve_data_dir(data_dir)
        self.database_url = database_url
        self._embedder_spec = embedder
        self.tagger = tagger
        self.index_kind = index_kind
        self.store: Store | None = None
        self.index: ANN | None = None
        self.embedder: Embedder | None = embedder if isinstance(embedder, Embedder) else None
        self._lock_cm: AbstractContextManager[bool] | None = None
        self._last_save = 0.0
        self._worker = None  # nlp.isolate.Worker: files are read and parsed in a child process
        self.isolate, self.time_budget = isolate, time_budget
        self.on_duplicate = on_duplicate  # a notice already stored in another form: skip, replace or keep both
        self.page_progress: Callable[[int, int], None] | None = None  # OCR pages of the current file

    def __enter__(self) -> Ingestor:
        try:
            self.store = Store.open(self.data_dir, self.database_url)
            self.embedder = resolve_embedder(self.data_dir, self._embedder_spec, self.store)
            self._lock_cm = writer_lock(self.store, self.data_dir)
            self._lock_cm.__enter__()
            self.index = open_index(self.store, self.data_dir, self.embedder, self.index_kind, locked=True)
        except BaseException:
            self._release()
            raise
        self._last_save = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.store is not None and self.index is not None and self.embedder is not None:
                save_index(self.index, self.store, self.data_dir, self.embedder)
        finally:
            self._release()

    def _release(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        if self._lock_cm is not None:
            self._lock_cm.__exit__(None, None, None)
            self._lock_cm = None
        if self.store is not None:
            self.store.close()
            self.store = None

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
        """Parse (unless `notice`, parsed from `text`, is given) and store one notice text (e.g. pasted in the UI)."""
        assert self.store is not None and self.embedder is not None, "use `with Ingestor(...)`"
        text = text if normalised else normalize_text(text)
        if text.strip() and self.store.has_document(content_id(text)):
            return FileResult(name, "skipped", content_id(text), reason="đã có trong kho (cùng nội dung)")
        prepared = prepare_text(text, name, self.embedder, self.tagger, normalised=True, notice=notice)
        return prepared if isinstance(prepared, FileResult) else self.write(prepared)

    def duplicate(self, notice: Notice) -> Duplicate | None:
        """The stored notice this one duplicates in another form (see nlp.duplicates), or None."""
        from nlp.duplicates import find_duplicate

        assert self.store is not None
        return find_duplicate(notice, self.store.duplicate_candidates(notice))

    def write(self, prepared: Prepared) -> FileResult:
        """Store a prepared notice and its vectors (one transaction with pgvector); skip a duplicate."""
        assert self.store is not None and self.index is not None and self.embedder is not None
        name, doc_id, notice = prepared.name, prepared.doc_id, prepared.notice
        duplicate = self.duplicate(notice) if self.on_duplicate != "keep" else None
        if duplicate is not None and self.on_duplicate == "skip":
            return FileResult(name, "skipped", doc_id, reason=f"{duplicate.message()}; dùng --replace để thay",
                              duplicate_of=duplicate.doc_id)
        if duplicate is not None:  # replace: the stored form goes, this one is stored
            self.store.delete_document(duplicate.doc_id)
        try:
            with self.store.transaction():
                ids = self.store.add_notice(notice, doc_id, name)
                if self.index.transactional:
                    self.index.append(np.array(ids, dtype=np.int64), prepared.vectors[: len(ids)])
        except (StoreError, ValueError) as exc:
            return FileResult(name, "failed", doc_id, reason=f"{Path(name).name}: không lưu được ({exc})")
        if not ids and (notice.directives or notice.passages):
            return FileResult(name, "skipped", doc_id, reason="đã có trong kho (cùng nội dung)")
        if not self.index.transactional:
            self.index.append(np.array(ids, dtype=np.int64), prepared.vectors)
            if time.monotonic() - self._last_save > SAVE_EVERY:
                save_index(self.index, self.store, self.data_dir, self.embedder)
                self._last_save = time.monotonic()
        note = "" if notice.directives else "không tìm thấy chỉ đạo nào trong văn bản (vẫn tìm được theo nội dung)"
        if duplicate is not None:
            note = f"thay cho văn bản trùng {duplicate.doc_id[:8]}" + (f"; {note}" if note else "")
        return FileResult(name, "stored", doc_id, len(notice.directives), note,
                          duplicate_of=duplicate.doc_id if duplicate else "")


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
    database_url: str | None = None,
    follow_links: bool = False,
    time_budget: float | None = None,
    on_duplicate: OnDuplicate = "skip",
) -> IngestReport:
    """Ingest files and directories (walked for supported suffixes); a report with one entry per file
    and one per path skipped by the walk (links, FIFOs, loops)."""
    from nlp.collect import collect

    start = time.perf_counter()
    report = IngestReport()
    found = collect(list(paths), follow_links)
    report.files += [FileResult(str(p), "skipped", reason=why) for p, why in found.skipped]
    with Ingestor(data_dir, embedder, tagger, index_kind, database_url, time_budget=time_budget,
                  on_duplicate=on_duplicate) as ing:
        for path in _progress(found.files, progress, ing):
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
    database_url: str | None = None,
    on_duplicate: OnDuplicate = "skip",
) -> FileResult:
    """Store one notice given as text (the UI's "save notice")."""
    with Ingestor(data_dir, embedder, tagger, database_url=database_url, on_duplicate=on_duplicate) as ing:
        return ing.add_text(text, name)
