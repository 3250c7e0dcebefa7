"""The audit log: append-only, hash-chained JSON lines, fsynced in groups, rotated by size."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import math
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from gate.audit_files import (
    ZERO_HASH,
    default_path,
    fsync_dir,
    last_record,
    line_hash,
    lock_log,
    log_files,
    open_append,
    rotated_files,
    rotated_path,
    tail_start,
    write_all,
)
from gate.audit_verify import VerifyReport, last_records, read_records, verify
from gate.errors import AuditError
from rules.redact import redact_value

__all__ = ["AuditLog", "VerifyReport", "last_records", "read_records", "verify"]

MiB = 1024 * 1024
EVENT = re.compile(r"[a-z]+\.[a-z_]+")
RESERVED = frozenset({"seq", "ts", "event", "prev"})
# A batch whose write and fsync took longer is followed by batches synced in a thread.
SLOW_SYNC_S = 0.002
log = logging.getLogger(__name__)


class AuditLog:
    """The gate's audit log: one writer process, records chained by hash, durable on return.

    Concurrent `write()` calls are committed in groups: each waits in a queue, one task writes
    the whole batch with a single write and a single fsync, then wakes every waiter. While the
    disk syncs fast, that task syncs on the event loop itself: handing a batch to a thread costs
    more than the sync, and the requests that arrive meanwhile form the next, larger batch. Once
    a sync is slow (`SLOW_SYNC_S`), batches go to a thread so the loop keeps serving. The file is
    locked (`flock`) while it is open, so a second gate cannot write the same log.
    """

    def __init__(
        self,
        path: Path | None = None,
        max_bytes: int = 16 * MiB,
        keep: int = 5,
        on_record: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        """Open (or create) the log and resume its chain from the last complete record.

        Args:
            path: the log file; `$XDG_STATE_HOME/warden/audit.jsonl` when None.
            max_bytes: rotate once the file reaches this size.
            keep: how many rotated files (`audit.1.jsonl` …) to keep.
            on_record: called with each record once it is on disk (an exporter such as
                `gate.otel.OtelSink`); its errors are logged, never raised.

        Raises:
            AuditError: the log is held by another process, or cannot be read or created.
        """
        self.path = path or default_path()
        self.max_bytes = max_bytes
        self.keep = keep
        self.on_record = on_record
        self._state = threading.Lock()  # the chain head and the queue of encoded lines
        self._io = threading.Lock()  # the file: one batch written at a time
        self._lines: list[bytes] = []
        self._waiters: deque[tuple[int, asyncio.Future[None]]] = deque()
        self._writer: asyncio.Task[None] | None = None
        self._failure: AuditError | None = None
        self._slow_disk = False  # the last sync took longer than SLOW_SYNC_S
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._lock = lock_log(self.path)
        except OSError as exc:
            raise AuditError(f"cannot open the audit log {self.path}: {exc}") from exc
        try:
            self._seq, self._prev, self._torn = _resume(self.path)
            self._fd = open_append(self.path)
        except OSError as exc:
            self._lock.close()
            raise AuditError(f"cannot open the audit log {self.path}: {exc}") from exc
        self._durable = self._seq

    async def write(self, event: str, **fields: Any) -> dict[str, Any]:
        """Append a record and return once it is on disk (written, flushed and fsynced).

        Args:
            event: `area.what`, such as `action.decided`.
            **fields: the record's fields (JSON-like values; pydantic models and dataclasses are
                converted); secrets in them are redacted.

        Returns:
            The record as written, with `seq`, `ts`, `event` and `prev`.

        Raises:
            AuditError: the log is closed or could not be written (then it stays unusable).
            ValueError: a bad event name, or a field named `seq`, `ts` or `prev`.
        """
        seq, record = self._append(event, fields)
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append((seq, waiter))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._commit_loop())
        await waiter
        self._export(record)
        return record

    def write_sync(self, event: str, **fields: Any) -> dict[str, Any]:
        """Append a record and return once it is on disk; for callers without an event loop.

        Arguments, return value and errors are those of `write()`.
        """
        seq, record = self._append(event, fields)
        self._commit()
        if self._durable < seq:  # a failed batch of an async writer that this call did not see
            raise self._failure or AuditError("the audit record was not written")
        self._export(record)
        return record

    async def close(self) -> None:
        """Wait for queued records to reach the disk, then close the file and release the lock."""
        # A write() may start a new commit task while the last one finishes: wait for them all.
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)
        self._close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- internals ---------------------------------------------------------------------------
    def _export(self, record: dict[str, Any]) -> None:
        if self.on_record is not None:
            try:
                self.on_record(record)
            except Exception:  # an exporter never stands between a decision and its agent
                log.warning("exporting audit record %d failed", record["seq"], exc_info=True)

    def _append(self, event: str, fields: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Give the record its place in the chain and queue its line; returns (seq, record)."""
        if not EVENT.fullmatch(event):
            raise ValueError(f"audit event {event!r} is not `area.what` in lower case")
        if RESERVED & fields.keys():
            raise ValueError(f"audit fields may not be named {sorted(RESERVED & fields.keys())}")
        body = redact_value(_plain(fields))
        with self._state:
            if self._failure is not None:
                raise self._failure
            ts = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            record = {**body, "seq": self._seq + 1, "ts": ts, "event": event, "prev": self._prev}
            line = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
            self._seq += 1
            self._prev = line_hash(line)
            self._lines.append(line + b"\n")
            return self._seq, record

    async def _commit_loop(self) -> None:
        """Commit batches until no writer waits; each batch is one write and one fsync."""
        while self._waiters:
            try:
                await asyncio.sleep(0)  # let requests already under way join this batch
                if self._slow_disk:
                    await asyncio.to_thread(self._commit)
                else:
                    self._commit()
            except AuditError:
                pass  # _wake hands the failure to the waiters
            except BaseException as exc:  # cancelled, or a bug: no waiter may hang forever
                with self._state:
                    self._failure = self._failure or AuditError(
                        f"the audit writer stopped: {exc!r}"
                    )
                self._wake()
                raise
            self._wake()

    def _wake(self) -> None:
        """Resolve the waiters whose records are on disk; after a failure, fail the rest."""
        while self._waiters:
            seq, waiter = self._waiters[0]
            if seq > self._durable and self._failure is None:
                return
            self._waiters.popleft()
            if waiter.done():  # its caller was cancelled; the record is written all the same
                continue
            if seq <= self._durable:
                waiter.set_result(None)
            else:
                waiter.set_exception(self._failure or AuditError("the audit record was lost"))

    def _commit(self) -> None:
        """Write every queued line, fsync, rotate if the file is full (runs in a thread)."""
        with self._io:
            with self._state:
                lines, self._lines = self._lines, []
                last = self._seq
                if self._failure is not None:
                    raise self._failure
            if not lines:
                return
            if self._torn:  # end the torn line, so the next record starts a line of its own
                lines.insert(0, b"\n")
            try:
                started = time.monotonic()
                write_all(self._fd, b"".join(lines))
                os.fsync(self._fd)
                self._slow_disk = time.monotonic() - started > SLOW_SYNC_S
                self._torn = False
                self._durable = last
                if os.fstat(self._fd).st_size >= self.max_bytes:
                    self._rotate()
            except OSError as exc:
                with self._state:
                    self._failure = AuditError(f"cannot write the audit log {self.path}: {exc}")
                raise self._failure from exc

    def _rotate(self) -> None:
        """`audit.jsonl` → `audit.1.jsonl`, older ones shift up; the chain goes on in a new file."""
        os.close(self._fd)
        self._fd = -1
        for number, older in reversed(rotated_files(self.path)):
            if number >= self.keep:
                older.unlink()
            else:
                older.rename(rotated_path(self.path, number + 1))
        if self.keep:
            self.path.rename(rotated_path(self.path, 1))
        else:
            self.path.unlink()
        self._fd = open_append(self.path)
        fsync_dir(self.path.parent)

    def _close(self) -> None:
        with self._io, self._state:
            if self._failure is None:
                self._failure = AuditError(f"the audit log {self.path} is closed")
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
            if not self._lock.closed:
                self._lock.close()  # closing the file releases the flock


def _resume(path: Path) -> tuple[int, str, bool]:
    """The chain head (last seq, hash of its line) and whether the current file has a torn tail."""
    torn = False
    if path.exists():
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            torn_bytes = size - tail_start(handle)
        if torn_bytes:
            torn = True
            log.warning(
                "%s: the last line is torn (%d bytes, a crash in the middle of a write); "
                "it is kept and skipped, and the chain resumes from the last complete record",
                path,
                torn_bytes,
            )
    for file in reversed(log_files(path)):
        with file.open("rb") as handle:
            found = last_record(handle)
        if found is not None:
            record, line, skipped = found
            if skipped:
                log.warning(
                    "%s: %d lines after seq %d are not records", file, skipped, record["seq"]
                )
            return record["seq"], line_hash(line), torn
    return 0, ZERO_HASH, torn


def _plain(value: Any) -> Any:
    """`value` as plain JSON types: models and dataclasses become dicts, the rest strings."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        return {key if type(key) is str else str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_plain(item) for item in items]
    if hasattr(value, "model_dump"):  # pydantic, without importing it
        return _plain(value.model_dump(mode="json"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    return str(value)
