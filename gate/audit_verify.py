"""Reading the audit log back: verify its hash chain, list its records, follow new ones."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from gate.audit_files import (
    ZERO_HASH,
    default_path,
    last_record,
    line_hash,
    lines_backwards,
    log_files,
    parse_record,
    tail_start,
)


@dataclass
class VerifyReport:
    """What `verify()` found.

    Attributes:
        ok: every record is in the chain: seq goes up by one and each `prev` is the hash of the
            record before it.
        records: how many records were checked.
        files: the files walked, oldest first.
        problems: breaks in the chain, each naming `file:line`.
        torn_tail: the newest file ends with a torn line (a crash in the middle of a write); it
            is not part of the chain, so the log still verifies.
        warnings: lines that are not records but that the chain skips cleanly (torn writes from
            earlier crashes), each naming `file:line`.
        first_seq: the first record's seq: 1, or more once the oldest files were rotated away.
        last_seq: the last record's seq (0 for an empty log).
    """

    ok: bool
    records: int
    files: list[str]
    problems: list[str] = field(default_factory=list)
    torn_tail: bool = False
    warnings: list[str] = field(default_factory=list)
    first_seq: int = 0
    last_seq: int = 0


def verify(path: Path | None = None) -> VerifyReport:
    """Check the hash chain of the log at `path` across its rotated files, oldest to newest.

    Args:
        path: the log file; the default audit log when None.

    Returns:
        The report; `ok` is False when a record was changed, removed or inserted.
    """
    files = log_files(path or default_path())
    report = VerifyReport(ok=True, records=0, files=[str(file) for file in files])
    prev: tuple[int, str, str] | None = None  # seq, line hash, where of the last record
    skipped: list[str] = []  # lines since the last record that are not records
    ended = True  # whether the last line read ended with a newline
    for file in files:
        with file.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                where = f"{file}:{number}"
                ended = raw.endswith(b"\n")
                line = raw[:-1] if ended else raw
                record = parse_record(line) if ended else None
                if record is None:
                    skipped.append(where)
                    continue
                breaks = _breaks(record, where, prev)
                report.problems += breaks
                notes = [f"{w}: not a record" for w in skipped]
                if breaks:
                    report.problems += notes
                else:
                    report.warnings += [f"{n} (a torn write); the chain skips it" for n in notes]
                skipped = []
                prev = (record["seq"], line_hash(line), where)
                report.records += 1
                report.first_seq = report.first_seq or record["seq"]
    if skipped:
        report.torn_tail = not ended
        report.warnings += [f"{where}: not a record" for where in skipped[:-1]]
        kind = "torn last line (a crash in the middle of a write)" if not ended else "not a record"
        report.warnings.append(f"{skipped[-1]}: {kind}; not part of the chain")
    report.last_seq = prev[0] if prev else 0
    report.ok = not report.problems
    return report


def _breaks(record: dict[str, Any], where: str, prev: tuple[int, str, str] | None) -> list[str]:
    """How `record` fails to follow `prev` in the chain (nothing when it does)."""
    seq = record["seq"]
    if prev is None:  # the oldest record kept: the records before it were rotated away
        if seq == 1 and record["prev"] != ZERO_HASH:
            return [f"{where}: seq 1 does not start the chain (prev is not all zeros)"]
        return []
    prev_seq, prev_hash, prev_where = prev
    problems = []
    if seq != prev_seq + 1:
        problems.append(f"{where}: seq {seq} follows seq {prev_seq} ({prev_where})")
    if record["prev"] != prev_hash:
        problems.append(
            f"{where}: prev is not the hash of the record before it ({prev_where}, seq "
            f"{prev_seq}): a record was changed, removed or inserted"
        )
    return problems


def read_records(
    path: Path | None = None, follow: bool = False, after: int = 0, poll: float = 0.25
) -> Iterator[dict[str, Any]]:
    """Yield the log's records oldest first; lines that are not records are skipped.

    Args:
        path: the log file; the default audit log when None.
        follow: keep waiting for new records (through rotations) instead of stopping at the end.
        after: skip records whose seq is not above this (files wholly before it are not read).
        poll: seconds between looks for new records when following.

    Yields:
        Each record as a dict.
    """
    path = path or default_path()
    if not follow:
        yield from _stored(log_files(path), after)
        return
    while True:
        with _open_when_there(path, poll) as handle:
            # Listed after the open, the rotated files include every file rotated before it (and
            # perhaps the handle's own file, rotated since: the seq check drops the repeats).
            for record in _stored([file for file in log_files(path) if file != path], after):
                after = record["seq"]
                yield record
            for record in _tail(path, handle, poll):
                if record["seq"] > after:
                    after = record["seq"]
                    yield record


def _stored(files: list[Path], after: int) -> Iterator[dict[str, Any]]:
    """The records in `files` with a seq above `after`."""
    with contextlib.ExitStack() as stack:
        # All open at once, so a rotation while they are read renames none of them under us.
        handles = []
        for file in files:
            with contextlib.suppress(FileNotFoundError):  # rotated away since it was listed
                handles.append(stack.enter_context(file.open("rb")))
        for handle in handles:
            found = last_record(handle) if after else None
            if found is not None and found[0]["seq"] <= after:
                continue
            handle.seek(0)
            for raw in handle:
                record = parse_record(raw) if raw.endswith(b"\n") else None
                if record is not None and record["seq"] > after:
                    yield record


def _open_when_there(path: Path, poll: float) -> IO[bytes]:
    while True:
        try:
            return path.open("rb")
        except FileNotFoundError:
            time.sleep(poll)


def _tail(path: Path, handle: IO[bytes], poll: float) -> Iterator[dict[str, Any]]:
    """Records of an open file as they come, until it is rotated away from `path`."""
    buffer = b""
    while True:
        # Look for a rotation before reading: what was written before it is read now.
        replaced = _replaced(path, handle)
        chunk = handle.read()
        if chunk:
            *lines, buffer = (buffer + chunk).split(b"\n")
            for line in lines:
                record = parse_record(line)
                if record is not None:
                    yield record
        elif replaced:
            return
        else:
            time.sleep(poll)


def _replaced(path: Path, handle: IO[bytes]) -> bool:
    try:
        return os.stat(path).st_ino != os.fstat(handle.fileno()).st_ino
    except FileNotFoundError:
        return True


def last_records(path: Path | None = None, n: int = 50) -> list[dict[str, Any]]:
    """The last `n` records of the log, oldest first, read from the end of the newest files.

    Args:
        path: the log file; the default audit log when None.
        n: how many records at most.

    Returns:
        Up to `n` records.
    """
    found: list[dict[str, Any]] = []
    for file in reversed(log_files(path or default_path())):
        if len(found) >= n:
            break
        with file.open("rb") as handle:
            for line in lines_backwards(handle, tail_start(handle)):
                record = parse_record(line)
                if record is not None:
                    found.append(record)
                    if len(found) >= n:
                        break
    return found[::-1]
