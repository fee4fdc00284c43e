"""Read and parse files in a child process, so one file that takes too long (or too much memory)
is stopped and reported while the batch goes on.

Python threads cannot be killed; a process can. One worker is started on first use and serves file
after file; when a file overruns its time budget the worker is killed and a fresh one is started for
the next file. The worker runs with an address-space limit, so a file that would need more memory
fails alone instead of taking the machine down.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nlp.readers import ReadResult
from nlp.records import Notice

START_TIMEOUT = 120.0  # seconds for a new worker to import the readers and the parser
TIME_BUDGET = float(os.environ.get("CCHC_FILE_TIMEOUT", "180"))  # seconds for read + parse of one file
MEMORY_LIMIT = int(os.environ.get("CCHC_WORKER_MEMORY_MB", "3072")) * 2**20  # address space of the worker


class FileFailed(Exception):
    """Reading or parsing failed; the message is Vietnamese and names the file."""


class WorkerUnavailable(Exception):
    """The worker process could not start (e.g. a script read from stdin cannot be re-imported)."""


@dataclass
class Parsed:
    """What the worker sends back for one file."""

    read: ReadResult
    notice: Notice


def _serve(conn, memory_limit: int) -> None:  # noqa: ANN001 - multiprocessing Connection
    """The worker's loop: receive a path, send back ("ok", Parsed) or ("error", message)."""
    import resource

    os.setpgid(0, 0)  # its own process group: a kill also stops the Tesseract it may be running
    if memory_limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    from nlp.parser import parse_notice
    from nlp.readers import ReadError, read_document

    conn.send(("ready", None))  # imports done: the parent starts each file's clock from here
    while True:
        try:
            path = conn.recv()
        except EOFError:  # the parent is gone (killed): nothing more to do
            return
        if path is None:
            return
        name = Path(path).name
        try:
            result = read_document(path, progress=lambda done, total: conn.send(("progress", (done, total))))
            conn.send(("ok", Parsed(result, parse_notice(result.text))))
        except ReadError as exc:
            conn.send(("error", str(exc)))
        except MemoryError:
            conn.send(("error", f"{name}: tệp cần quá nhiều bộ nhớ khi đọc (giới hạn {memory_limit // 2**20} MB), "
                                "bỏ qua"))
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
            conn.send(("error", f"{name}: lỗi khi xử lý ({type(exc).__name__}: {exc})"))


class Worker:
    """A reusable child process that reads and parses one file at a time within a time budget."""

    def __init__(self, budget: float | None = None, memory_limit: int | None = None) -> None:
        self.budget = TIME_BUDGET if budget is None else budget
        self.memory_limit = MEMORY_LIMIT if memory_limit is None else memory_limit
        self._ctx = mp.get_context("spawn")  # no fork of a process holding OpenMP threads and an index
        self._proc = None
        self._conn = None

    def _start(self) -> None:
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=_serve, args=(child, self.memory_limit), daemon=True)
        try:
            self._proc.start()
        except (RuntimeError, OSError) as exc:  # e.g. started while a script is still importing (spawn)
            self._proc = None
            parent.close()
            child.close()
            raise WorkerUnavailable(f"không khởi động được tiến trình đọc tệp ({exc.__class__.__name__})") from None
        child.close()
        self._conn = parent
        try:
            ready = parent.poll(START_TIMEOUT) and parent.recv()[0] == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._stop()
            raise WorkerUnavailable("không khởi động được tiến trình đọc tệp")

    def _stop(self) -> None:
        if self._proc is not None and self._proc.pid is not None:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self._proc.kill()
            self._proc.join()
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def parse(self, path: str | Path, progress: Callable[[int, int], None] | None = None) -> Parsed:
        """Read and parse `path`; raise FileFailed with a Vietnamese message on any failure."""
        if self._proc is None or not self._proc.is_alive():
            self._stop()
            self._start()
        name = Path(path).name
        self._conn.send(str(path))
        deadline = time.monotonic() + self.budget
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not self._conn.poll(left):
                self._stop()
                raise FileFailed(f"{name}: đọc và phân tích quá {self.budget:g} giây, dừng và bỏ qua tệp "
                                 "(đặt CCHC_FILE_TIMEOUT hoặc --time-budget để cho phép lâu hơn)")
            try:
                kind, payload = self._conn.recv()
            except (EOFError, OSError):
                code = self._proc.exitcode if self._proc is not None else None
                self._stop()
                raise FileFailed(f"{name}: tiến trình đọc tệp dừng bất thường (mã {code}); bỏ qua tệp") from None
            if kind == "progress":
                if progress is not None:
                    progress(*payload)
                continue
            if kind == "error":
                raise FileFailed(payload)
            return payload

    def close(self) -> None:
        """Ask the worker to exit; kill it if it does not."""
        if self._proc is not None and self._proc.is_alive():
            try:
                self._conn.send(None)
                self._proc.join(timeout=2)
            except (OSError, BrokenPipeError):
                pass
        self._stop()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
