"""The audit log on disk: file names and rotation order, record parsing, line hashes, tails."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

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


def last_record(path: Path) -> tuple[dict[str, Any], bytes, int] | None:
    """The last complete record of one file, its line, and how many lines after it are not records.

    Returns None when the file holds no record at all.
    """
    with path.open("rb") as handle:
        for skipped, line in enumerate(lines_backwards(handle, tail_start(handle))):
            record = parse_record(line)
            if record is not None:
                return record, line, skipped
    return None
