"""The audit log: hash chain, verify, torn lines, rotation, group commit, locking, crash safety."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from gate.audit import AuditLog, last_records, read_records, verify
from gate.errors import AuditError, GateError
from rules.paths import state_dir

OPENAI = "sk-proj-abc123DEF456ghi789JKL012mno345"


def fill(path: Path, count: int, **log_args: Any) -> None:
    with AuditLog(path, **log_args) as log:
        for n in range(count):
            log.write_sync("action.decided", n=n, decision="allow", source="rules")


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "audit.jsonl"


def test_default_path_is_private_in_the_state_dir() -> None:
    with AuditLog() as log:
        log.write_sync("toggle.changed", name="auto_review", old=False, new=True)
    assert log.path == state_dir() / "audit.jsonl"
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(state_dir().stat().st_mode) == 0o700


def test_records_are_compact_sorted_and_chained(path: Path) -> None:
    with AuditLog(path) as log:
        first = log.write_sync("action.queued", action_id="act-1", agent="claude-code")
        second = log.write_sync("action.decided", action_id="act-1", decision="allow")
    one, _ = lines(path)
    assert json.loads(one) == first
    assert one == json.dumps(first, sort_keys=True, separators=(",", ":")).encode()
    assert (first["seq"], second["seq"]) == (1, 2)
    assert first["prev"] == "0" * 64
    assert second["prev"] == hashlib.sha256(one).hexdigest()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["ts"])


class Spec(BaseModel):
    scope: str
    value: list[str]


@dataclass
class Timing:
    ms: float


def test_fields_are_made_plain_json(path: Path) -> None:
    with AuditLog(path) as log:
        record = log.write_sync(
            "grant.added",
            grant=Spec(scope="prefix", value=["git", "push"]),
            timing=Timing(ms=float("nan")),
            where=path,
            tags=("a", "b"),
        )
    assert record["grant"] == {"scope": "prefix", "value": ["git", "push"]}
    assert record["timing"] == {"ms": "nan"}
    assert record["where"] == str(path)
    assert json.loads(lines(path)[0])["tags"] == ["a", "b"]


@pytest.mark.parametrize(
    ("event", "fields"),
    [("Action.decided", {}), ("decided", {}), ("action.decided ", {}), ("a.b", {"seq": 3})],
)
def test_bad_events_and_reserved_fields_are_refused(
    path: Path, event: str, fields: dict[str, Any]
) -> None:
    with AuditLog(path) as log, pytest.raises(ValueError, match="audit"):
        log.write_sync(event, **fields)
    assert not path.read_bytes()


def test_secrets_never_reach_the_file(path: Path) -> None:
    with AuditLog(path) as log:
        log.write_sync(
            "action.decided",
            summary=f"curl -H 'Authorization: Bearer {OPENAI}' https://x",
            action={"argv": ["mysql", "--password", "hunter2"], "env": {"API_KEY": "k-123"}},
            password="hunter2",
        )
    text = path.read_text()
    for secret in (OPENAI, "hunter2", "k-123"):
        assert secret not in text
    assert text.count("[REDACTED]") == 4


def test_an_intact_chain_verifies(path: Path) -> None:
    fill(path, 20)
    report = verify(path)
    assert report.ok
    assert (report.records, report.first_seq, report.last_seq) == (20, 1, 20)
    assert report.files == [str(path)]
    assert (report.problems, report.warnings, report.torn_tail) == ([], [], False)


def test_a_changed_record_is_named(path: Path) -> None:
    fill(path, 10)
    content = lines(path)
    content[4] = content[4].replace(b'"allow"', b'"deny"')
    path.write_bytes(b"\n".join(content) + b"\n")
    report = verify(path)
    assert not report.ok
    assert report.problems == [
        f"{path}:6: prev is not the hash of the record before it ({path}:5, seq 5): "
        "a record was changed, removed or inserted"
    ]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda c: c[:4] + c[5:], ["seq 6 follows seq 4", "prev is not the hash"]),
        (lambda c: [*c[:5], c[2], *c[5:]], ["seq 3 follows seq 5", "prev is not the hash"]),
        (lambda c: [*c[:4], b'{"garbage"', *c[5:]], ["not a record"]),
    ],
    ids=["removed", "inserted", "replaced by garbage"],
)
def test_removed_inserted_or_garbled_records_break_the_chain(
    path: Path, edit: Any, expected: list[str]
) -> None:
    fill(path, 10)
    path.write_bytes(b"\n".join(edit(lines(path))) + b"\n")
    report = verify(path)
    assert not report.ok
    for text in expected:
        assert any(text in problem for problem in report.problems), report.problems


def test_a_torn_last_line_is_skipped_and_the_chain_goes_on(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fill(path, 5)
    whole = path.read_bytes()
    path.write_bytes(whole[: whole.rindex(b"\n", 0, -1) + 1 + 30])  # record 5 cut after 30 bytes
    report = verify(path)
    assert report.ok
    assert report.torn_tail
    assert (report.records, report.last_seq) == (4, 4)
    assert report.warnings == [
        f"{path}:5: torn last line (a crash in the middle of a write); not part of the chain"
    ]

    with caplog.at_level(logging.WARNING, logger="gate.audit"), AuditLog(path) as log:
        again = log.write_sync("action.result", action_id="act-5", exit_code=0)
    assert "the last line is torn (30 bytes" in caplog.text
    assert again["seq"] == 5
    assert again["prev"] == hashlib.sha256(lines(path)[3]).hexdigest()
    assert len(lines(path)) == 6  # the torn bytes stay, on a line of their own

    report = verify(path)
    assert report.ok
    assert not report.torn_tail
    assert report.records == 5
    assert report.warnings == [f"{path}:5: not a record (a torn write); the chain skips it"]


def test_reopening_resumes_the_chain(path: Path) -> None:
    fill(path, 3)
    fill(path, 3)
    assert [r["seq"] for r in read_records(path)] == [1, 2, 3, 4, 5, 6]
    assert verify(path).ok


@pytest.mark.parametrize("keep", [0, 1, 3])
def test_rotation_keeps_the_chain_across_files(path: Path, keep: int) -> None:
    fill(path, 60, max_bytes=1500, keep=keep)
    rotated = sorted(p.name for p in path.parent.glob("audit.*.jsonl"))
    assert rotated == [f"audit.{n}.jsonl" for n in range(1, keep + 1)]
    fill(path, 5, max_bytes=1500, keep=keep)  # a reopened log chains on, even from audit.1
    report = verify(path)
    assert report.ok, report.problems
    assert report.last_seq == 65
    assert report.first_seq > 1
    assert report.records == 65 - report.first_seq + 1
    records = list(read_records(path))
    assert [r["seq"] for r in records] == list(range(report.first_seq, 66))


def test_rotation_files_dropped_from_the_middle_are_found(path: Path) -> None:
    fill(path, 60, max_bytes=1500, keep=3)
    (path.parent / "audit.2.jsonl").unlink()
    report = verify(path)
    assert not report.ok
    assert "follows seq" in report.problems[0]
    assert "audit.1.jsonl:1" in report.problems[0]


async def test_concurrent_writers_land_once_each_in_seq_order(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fsyncs = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: fsyncs.append(fd) or real_fsync(fd))

    async with AuditLog(path) as log:

        async def agent(name: int) -> list[int]:
            seqs = []
            for n in range(10):
                record = await log.write("action.decided", agent=f"agent-{name}", n=n)
                seqs.append(record["seq"])
            return seqs

        results = await asyncio.gather(*(agent(name) for name in range(20)))

    records = [json.loads(line) for line in lines(path)]
    assert [r["seq"] for r in records] == list(range(1, 201))
    assert sorted(seq for seqs in results for seq in seqs) == list(range(1, 201))
    assert sorted((r["agent"], r["n"]) for r in records) == sorted(
        (f"agent-{a}", n) for a in range(20) for n in range(10)
    )
    for seqs in results:  # each agent's writes are in its own order
        assert seqs == sorted(seqs)
    assert len(fsyncs) < 50  # group commit: far fewer fsyncs than records
    assert verify(path).ok


async def test_a_slow_disk_is_synced_from_a_thread_a_fast_one_on_the_loop(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    delays = iter([0.0, 0.01, 0.0, 0.0])  # the second sync is slow
    threads: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        threads.append(threading.get_ident())
        time.sleep(next(delays))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    loop_thread = threading.get_ident()
    async with AuditLog(path) as log:
        for n in range(4):
            await log.write("action.decided", n=n)
    # fast: on the loop; slow: on the loop (not known yet); after it, a thread; then fast again.
    assert [t == loop_thread for t in threads] == [True, True, False, True]
    assert verify(path).ok


async def test_a_cancelled_writer_still_leaves_its_record(path: Path) -> None:
    async with AuditLog(path) as log:
        task = asyncio.create_task(log.write("action.cancelled", action_id="act-1"))
        await asyncio.sleep(0)
        task.cancel()
        await log.write("action.cancelled", action_id="act-2")
    assert [r["action_id"] for r in read_records(path)] == ["act-1", "act-2"]


def test_a_second_writer_is_refused(path: Path) -> None:
    with AuditLog(path), pytest.raises(AuditError, match=f"in use by process {os.getpid()}"):
        AuditLog(path)
    with AuditLog(path) as log:  # released on close
        log.write_sync("toggle.changed", name="x", new=1)


async def test_a_closed_log_refuses_writes(path: Path) -> None:
    log = AuditLog(path)
    await log.close()
    with pytest.raises(AuditError, match="closed"):
        await log.write("toggle.changed", name="x", new=1)


async def test_a_failed_write_fails_every_waiter_and_the_log_stays_shut(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = AuditLog(path)

    def broken(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken)
    results = await asyncio.gather(
        *(log.write("action.decided", n=n) for n in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, AuditError) for r in results)
    assert isinstance(results[0], GateError)
    assert "No space left" in str(results[0])
    monkeypatch.undo()
    with pytest.raises(AuditError):
        await log.write("action.decided", n=6)
    await log.close()


def test_last_records_reads_back_across_files(path: Path) -> None:
    fill(path, 40, max_bytes=1500, keep=5)
    assert [r["n"] for r in last_records(path, 25)] == list(range(15, 40))
    assert last_records(path, 0) == []
    assert len(last_records(path, 1000)) == 40


def test_follow_sees_new_records_through_a_rotation(path: Path) -> None:
    with AuditLog(path, max_bytes=1500, keep=5) as log:
        log.write_sync("action.decided", n=0)
        follower = read_records(path, follow=True, poll=0.01)
        assert next(follower)["n"] == 0
        for n in range(1, 40):  # several rotations
            log.write_sync("action.decided", n=n)
        assert [next(follower)["n"] for _ in range(39)] == list(range(1, 40))
        follower.close()
    assert len(list(path.parent.glob("audit.*.jsonl"))) >= 2


CRASHING_WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from gate.audit import AuditLog

    async def main() -> None:
        log = AuditLog(Path(sys.argv[1]), max_bytes=64 * 1024, keep=1000)

        async def agent(name: int) -> None:
            n = 0
            while True:
                record = await log.write("action.decided", agent=f"a{name}", n=n, pad="x" * 200)
                print(record["seq"], flush=True)
                n += 1

        await asyncio.gather(*(agent(name) for name in range(8)))

    asyncio.run(main())
    """
)


def test_records_reported_before_a_sigkill_are_all_in_the_log(path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASHING_WRITER, str(path)], stdout=subprocess.PIPE
    )
    assert proc.stdout is not None
    printed = []
    for raw in proc.stdout:
        printed.append(int(raw))
        if len(printed) >= 1500:
            break
    proc.send_signal(signal.SIGKILL)
    rest, _ = proc.communicate()
    printed += [int(line) for line in rest.split(b"\n")[:-1]]  # the last may be cut: skip it
    assert proc.returncode == -signal.SIGKILL

    report = verify(path)
    assert report.ok, report.problems
    assert len(report.files) > 1  # it rotated on the way
    on_disk = {r["seq"] for r in read_records(path)}
    assert set(printed) <= on_disk
    assert report.last_seq >= max(printed)

    fill(path, 3)  # a restarted gate continues the chain
    assert verify(path).ok
