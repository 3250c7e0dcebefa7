"""`warden log`: the last records, JSON lines, following, verifying, and the exit codes."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import pytest

from gate.audit import AuditLog
from gate.cli_log import main
from tui.cli import main as warden


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "audit.jsonl"
    with AuditLog(path) as log:
        log.write_sync(
            "action.queued", action_id="act-1", agent="claude-code", summary="git status"
        )
        log.write_sync(
            "action.decided",
            action_id="act-1",
            agent="claude-code",
            summary="git status",
            decision="allow",
            source="rules",
        )
        log.write_sync(
            "action.decided",
            action_id="act-2",
            agent="codex",
            summary="curl https://x",
            decision="deny",
            source="user",
            message="no network today",
        )
        log.write_sync("action.result", action_id="act-1", exit_code=0, duration_ms=12)
        log.write_sync(
            "grant.added", grant={"scope": "prefix", "value": ["git", "push"], "agent": "codex"}
        )
        log.write_sync("toggle.changed", name="auto_review", old=False, new=True)
        log.write_sync("rules.changed", file="/u/rules.toml", line=7, rule="allow git push")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_shows_the_last_records_readably(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--file", str(path))
    assert code == 0
    shown = [line[10:] for line in out.splitlines()]  # after the `HH:MM:SS  ` column
    assert shown == [
        "action.queued                      claude-code  git status",
        "action.decided   allow  rules      claude-code  git status",
        "action.decided   deny   user       codex  curl https://x  (no network today)",
        "action.result    exit 0  12 ms  act-1",
        "grant.added      prefix git push  codex",
        "toggle.changed   auto_review: false -> true",
        "rules.changed    /u/rules.toml:7  allow git push",
    ]


def test_json_prints_the_stored_lines(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--file", str(path), "--json", "-n", "2")
    assert code == 0
    assert out.encode().splitlines() == path.read_bytes().splitlines()[-2:]
    assert [json.loads(line)["seq"] for line in out.splitlines()] == [6, 7]


def test_the_dispatcher_runs_it(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert warden(["log", "--file", str(path), "-n", "1"]) == 0
    assert "rules.changed" in capsys.readouterr().out


def test_verify_an_intact_log(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--file", str(path), "--verify")
    assert code == 0
    assert out.splitlines()[0] == "7 records (seq 1-7) in 1 file(s):"
    assert out.splitlines()[-1] == "chain intact"


def test_verify_json_report(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--file", str(path), "--verify", "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["ok"], report["records"], report["torn_tail"]) == (True, 7, False)


def test_verify_a_tampered_log_fails(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path.write_bytes(path.read_bytes().replace(b'"deny"', b'"allow"'))
    code, out, _ = run(capsys, "--file", str(path), "--verify")
    assert code == 1
    assert f"problem: {path}:4: prev is not the hash of the record before it ({path}:3" in out
    assert out.splitlines()[-1] == "chain BROKEN: 1 problem(s)"


def test_verify_a_torn_tail_warns_but_passes(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path.write_bytes(path.read_bytes()[:-20])
    code, out, _ = run(capsys, "--file", str(path), "--verify")
    assert code == 0
    assert f"warning: {path}:7: torn last line" in out
    assert out.splitlines()[-1] == "chain intact (its torn last line is not part of it)"


def test_a_missing_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.jsonl"
    code, out, err = run(capsys, "--file", str(missing))
    assert (code, out) == (0, "")
    assert f"no audit log at {missing}" in err
    code, _, err = run(capsys, "--file", str(missing), "--verify")
    assert code == 1
    assert "no audit log" in err


def test_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "-n", "many")
    assert code == 2
    assert "invalid int value" in err


def pump(stream: IO[str] | None, lines: queue.Queue[str]) -> None:
    """Move lines from a pipe to a queue, so the test can wait for each with a timeout."""
    for line in stream or []:
        lines.put(line)


FOLLOW = "import sys; from gate.cli_log import main; sys.exit(main(sys.argv[1:]))"


def test_follow_prints_new_records_through_rotations(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    with AuditLog(path, max_bytes=1000, keep=10) as log:
        log.write_sync("action.result", action_id="act-0", exit_code=0)
        follower = subprocess.Popen(
            [sys.executable, "-c", FOLLOW, "--follow", "--json", "--file", str(path)],
            stdout=subprocess.PIPE,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=pump, args=(follower.stdout, lines), daemon=True).start()
        try:
            assert json.loads(lines.get(timeout=10))["action_id"] == "act-0"
            for n in range(1, 30):
                log.write_sync("action.result", action_id=f"act-{n}", exit_code=0)
            seen = [json.loads(lines.get(timeout=10))["action_id"] for _ in range(29)]
        finally:
            follower.kill()
            follower.communicate()
    assert seen == [f"act-{n}" for n in range(1, 30)]
    assert (tmp_path / "audit.3.jsonl").exists()
