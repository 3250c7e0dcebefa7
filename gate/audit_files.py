"""The audit log on disk: file names, rotation order, parsing, hashes, tails, locking, fsync."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, TextIO

from gate.errors import AuditError
from rules.paths import state_dir

ZERO_HASH = "0" * 64
_CHUNK = 64 * 1024


def default_path() -> Path:
    """`$XDG_STATE_HOME/warden/audit.jsonl` (default `~/.local/state/warden/audit.jsonl`)."""
    return state_dir() / "audit.jsonl"


def rotated_path(path: Path, number: int) -> Path:
    """The `number`-th rotated file beside `path`: `audit.jsonl` → `audit.1.jsonl`."""
    return path.with_name(f"{path.stem}.{number}{path.suffix}")


def rotated_files(path: Path) -> list[tuple[int, Path]]:
    """The rotated files beside `path` with their numbers, newest (`audit.1.jsonl`) first."""
    pattern = re.compile(rf"{re.escape(path.stem)}\.([0-9]+){re.escape(path.suffix)}")
    numbered = []
    if path.parent.is_dir():
        for entry in path.parent.iterdir():
            match = pattern.fullmatch(entry.name)
            if match:
                numbered.append((int(match.group(1)), entry))
    return sorted(numbered)


def log_files(path: Path) -> list[Path]:
    """The existing files of the log at `path`, oldest first: `audit.5.jsonl` … `audit.jsonl`.

    Gaps in the numbering (a crash in the middle of a rotation) are tolerated.
    """
    files = [entry for _, entry in reversed(rotated_files(path))]
    return [*files, path] if path.exists() else files


def line_hash(line: bytes) -> str:
    """The hash the next record carries as `prev`: sha256 of the line's bytes, newline excluded."""
    return hashlib.sha256(line).hexdigest()


def parse_record(line: bytes) -> dict[str, Any] | None:
    """The record on `line`, or None when it is not one (a torn write, garbage)."""
    try:
        record = json.loads(line)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError both are
        return None
    if not isinstance(record, dict):
        return None
    fields = (record.get("seq"), record.get("prev"), record.get("event"), record.get("ts"))
    if type(fields[0]) is not int or not all(isinstance(f, str) for f in fields[1:]):
        return None
    return record


def tail_start(handle: IO[bytes]) -> int:
    """The offset just after the file's last newline: bytes beyond it are a torn last line."""
    pos = handle.seek(0, os.SEEK_END)
    while pos > 0:
        step = min(_CHUNK, pos)
        pos -= step
        handle.seek(pos)
        cut = handle.read(step).rfind(b"\n")
        if cut >= 0:
            return pos + cut + 1
    return 0


def lines_backwards(handle: IO[bytes], end: int) -> Iterator[bytes]:
    """The lines before offset `end` (just after a newline), last first, without newlines."""
    pos, buffer = end, b""
    while True:
        stop = len(buffer)  # buffer[:stop] ends with a newline, or is empty
        while (cut := buffer.rfind(b"\n", 0, stop - 1)) >= 0:
            yield buffer[cut + 1 : stop - 1]
            stop = cut + 1
        buffer = buffer[:stop]
        if pos == 0:
            if buffer:
                yield buffer[:-1]
            return
        step = min(_CHUNK, pos)
        pos -= step
        handle.seek(pos)
        buffer = handle.read(step) + buffer


def last_record(handle: IO[bytes]) -> tuple[dict[str, Any], bytes, int] | None:
    """The last complete record of an open file: (record, its line, lines after it not records).

    Returns None when the file holds no record at all.
    """
    for skipped, line in enumerate(lines_backwards(handle, tail_start(handle))):
        record = parse_record(line)
        if record is not None:
            return record, line, skipped
    return None


def lock_log(path: Path) -> TextIO:
    """Hold an exclusive lock on `<path>.lock` for as long as the log is open."""
    lock_file = path.with_name(path.name + ".lock")
    handle = os.fdopen(os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600), "r+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        pid = handle.read().strip()
        handle.close()
        holder = f"process {pid}" if pid else "another process"
        raise AuditError(
            f"the audit log {path} is in use by {holder}: only one gate may write it"
        ) from None
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def open_append(path: Path) -> int:
    """Open `path` for appending (created with mode 0600); returns the descriptor."""
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)


def write_all(fd: int, data: bytes) -> None:
    """Write all of `data`, however many `write` calls it takes."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def fsync_dir(folder: Path) -> None:
    """Make renames and new files in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
