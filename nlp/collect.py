"""Find the files to ingest: files named directly, plus supported files found by walking folders.

Every path the walk passes over without reading (a dangling link, a link loop, a link that leads
outside the folder, a FIFO, a socket, a folder it may not open) is returned with its reason, so the
ingest report has a line for it. Links inside the folder are followed; links that lead outside it
only with `follow_links`.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from nlp.readers import SUPPORTED_SUFFIXES


@dataclass
class Collected:
    """Files to read, in order, and the paths skipped with a Vietnamese reason."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO, ống dẫn"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "tệp thiết bị"
    return "tệp đặc biệt"


def collect(paths: list[str | Path], follow_links: bool = False) -> Collected:
    """Walk `paths` (sorted, no duplicates, hidden entries left out)."""
    out = Collected()
    seen_files: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = Collected()
            _walk(p, p.resolve(), follow_links, found, seen_files, set())
            out.files += sorted(found.files)
            out.skipped += found.skipped
        elif p.absolute() not in seen_files:
            seen_files.add(p.absolute())
            out.files.append(p)  # named files are tried (and reported if they cannot be read)
    return out


def _walk(folder: Path, top: Path, follow: bool, out: Collected, seen_files: set[Path],
          seen_dirs: set[tuple[int, int]]) -> None:
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            st = current.stat()
            if (st.st_dev, st.st_ino) in seen_dirs:
                out.skipped.append((current, "vòng lặp thư mục (liên kết trỏ về thư mục đã duyệt)"))
                continue
            seen_dirs.add((st.st_dev, st.st_ino))
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except PermissionError:
            out.skipped.append((current, "không có quyền mở thư mục"))
            continue
        except OSError as exc:
            out.skipped.append((current, f"không mở được thư mục ({exc.strerror or exc})"))
            continue
        subdirs = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                if entry.is_symlink():
                    try:
                        target = path.resolve(strict=True)
                    except FileNotFoundError:
                        out.skipped.append((path, "liên kết hỏng (trỏ tới tệp không tồn tại)"))
                        continue
                    except RuntimeError:
                        out.skipped.append((path, "vòng lặp liên kết"))
                        continue
                    if not follow and not target.is_relative_to(top):
                        out.skipped.append((path, "liên kết trỏ ra ngoài thư mục được chọn, không theo "
                                                  "(dùng --follow-links để theo)"))
                        continue
                mode = path.stat().st_mode
            except OSError as exc:
                out.skipped.append((path, f"không đọc được thông tin tệp ({exc.strerror or exc})"))
                continue
            if stat.S_ISDIR(mode):
                subdirs.append(path)
            elif not stat.S_ISREG(mode):
                out.skipped.append((path, f"không phải tệp thông thường ({_kind(mode)})"))
            elif path.suffix.lower() in SUPPORTED_SUFFIXES:
                key = path.resolve()
                if key not in seen_files:
                    seen_files.add(key)
                    out.files.append(path)
        stack.extend(reversed(subdirs))
