"""The scripted demo agent end to end: a real gate on real sockets, a scripted person, bwrap."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from gate.audit import AuditLog
from gate.cli_log import main as warden_log
from gate.grants import GrantStore
from gate.model import Toggles
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from gate.server import GateServer
from sandbox.demo_agent import DemoOptions, DemoStatus, run_demo_agent
from sandbox.demo_agent_scenario import ScenarioError, load_scenario
from sandbox.demo_agent_workspace import DemoSetupError, make_throwaway, remove_stale
from sandbox.errors import SandboxError
from sandbox.runner import check

# What the person says to each question, by host or path ending; anything else is a test error.
ANSWERS = {
    "pypi.org": "deny",
    "calc-demo.example.com": "allow",  # never resolves: the connection then fails, offline too
    "github.com": "deny",
    "/.ssh/id_rsa": "deny",
}
STORY_WITH_EXECUTOR = [
    "ls -la: allow by builtin",
    "  exit 0",
    "cat calc.py test_calc.py: allow by builtin",
    "  exit 0",
    "git log --oneline -5: allow by builtin",
    "  exit 0",
    "python -m unittest -v: allow by policy",
    "  failed",
    "write calc.py: allow by policy",
    "  exit 0",
    "python -m unittest -v: allow by policy",
    "  exit 0",
    "git commit -am 'Fix add(): return the sum, not the difference': allow by policy",
    "  exit 0",
    "python -m pip install --retries 0 --target vendor requests: allow by policy",
    "connect pypi.org:443: deny by user",
    "  failed",
    "curl -fsS https://calc-demo.example.com/latest.json: allow by policy",
    "connect calc-demo.example.com:443: allow by user",
    "  failed",
    "git push origin main: allow by policy",
    "connect github.com:443: deny by user",
    "  failed",
    "rm -rf ~: deny by builtin",
    "read ~demo/.ssh/id_rsa: deny by user",
    "write .git/hooks/pre-commit: deny by builtin",
    "git status --short: allow by builtin",
    "  exit 0",
]


def bwrap_trouble() -> str | None:
    try:
        check()
    except SandboxError as exc:
        return str(exc).splitlines()[0]
    return None


@pytest.fixture
def asked() -> list[dict[str, Any]]:
    """The actions the scripted person was asked about, as the console saw them."""
    return []


@pytest.fixture
async def gate(tmp_path: Path, asked: list[dict[str, Any]]) -> AsyncIterator[Gate]:
    """A real gate on its real agent and console sockets, and a person answering by ANSWERS."""
    gate = Gate(
        rulebook=Rulebook(),
        grants=GrantStore(tmp_path / "grants.json"),
        audit=AuditLog(tmp_path / "audit.jsonl"),
        toggles=Toggles(auto_review=False),
    )
    server = GateServer(gate)
    await server.start()
    person = asyncio.create_task(answer(gate, asked))
    yield gate
    person.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await person
    await server.close()


async def answer(gate: Gate, asked: list[dict[str, Any]]) -> None:
    events = gate.subscribe()
    while True:
        event = await events.get()
        if event["type"] != "queued":
            continue
        action = event["pending"]["action"]
        asked.append(action)
        target = action.get("host") or action.get("path") or action.get("command")
        decision = next(d for key, d in ANSWERS.items() if str(target).endswith(key))
        await gate.decide(action["id"], decision)


def snapshot(*folders: Path) -> dict[str, tuple[int, int, int]]:
    """Every file and folder under `folders`: mode, size and modification time."""
    seen = {}
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            for name in [*dirs, *files]:
                info = os.lstat(Path(root) / name)
                seen[str(Path(root) / name)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return seen


@pytest.fixture
def untouched(
    isolated_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Fail unless HOME and the working directory are exactly as they were."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "notes.txt").write_text("mine\n")
    (isolated_env / ".ssh").mkdir()
    (isolated_env / ".ssh" / "id_rsa").write_text("the real key\n")
    monkeypatch.chdir(cwd)
    before = snapshot(isolated_env, cwd)
    yield
    assert snapshot(isolated_env, cwd) == before


def story(audit: Path, root: str) -> list[str]:
    """The demo agent's audit records as lines, read back with `warden log --json`."""
    lines = []
    for record in read_log(audit):
        if record["event"] == "action.decided" and record["agent"] == "demo":
            summary = record["summary"].replace(f"{root}/home", "~demo")
            lines.append(f"{summary}: {record['decision']} by {record['source']}")
        elif record["event"] == "action.result":
            code = record["exit_code"]
            lines.append("  exit 0" if code == 0 else ("  failed" if code != 126 else "  126"))
    return lines


def read_log(audit: Path) -> list[dict[str, Any]]:
    capture = audit.with_name("log.out")
    with capture.open("w") as out, contextlib.redirect_stdout(out):
        assert warden_log(["--json", "--file", str(audit), "-n", "1000"]) == 0
    return [json.loads(line) for line in capture.read_text().splitlines()]


def gone(path: str) -> bool:
    return not Path(path).exists()


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.mark.skipif(bool(bwrap_trouble()), reason=f"bubblewrap cannot start: {bwrap_trouble()}")
@pytest.mark.usefixtures("untouched")
async def test_the_demo_tells_its_story_and_commits_only_in_its_throwaway_repo(
    gate: Gate, tmp_path: Path, asked: list[dict[str, Any]]
) -> None:
    statuses: list[DemoStatus] = []
    outcomes = await run_demo_agent(None, DemoOptions(keep=True, pace=0), statuses.append)
    root = Path(statuses[-1].step.rpartition("kept in ")[2])
    try:
        assert statuses[-1].finished
        assert statuses[-1].executor_on
        assert "sandbox: bubblewrap, workspace-write" in statuses[-1].about
        assert str(root) in statuses[-1].about
        assert "3 denied; 3 connections asked about, 2 denied" in statuses[-1].step
        pip = next(s.step for s in statuses if "pip install" in s.step and "ran" in s.step)
        assert pip.endswith("ran in the sandbox: exit 1; pypi.org:443 denied")
        assert len(outcomes) == len(load_scenario().steps)
        assert story(tmp_path / "audit.jsonl", str(root)) == STORY_WITH_EXECUTOR
        workspace = root / "home" / "src" / "calc"
        assert git(workspace, "log", "--format=%s").splitlines() == [
            "Fix add(): return the sum, not the difference",
            "Add calc with add() and mul()",
        ]
        assert "return a + b" in git(workspace, "show", "HEAD:calc.py")
        assert not (workspace / ".git" / "hooks" / "pre-commit").exists()
        assert (root / "home" / ".ssh" / "id_rsa").exists()  # rm -rf ~ never ran
        assert not (workspace / "vendor").exists()  # pypi.org was denied
        # The person saw which command wanted pypi.org, and the step's task and words.
        (pypi,) = [a for a in asked if a.get("host") == "pypi.org"]
        turns = pypi["context"]["turns"]
        assert turns[-1]["role"] == "command"
        assert "pip install" in turns[-1]["text"]
        assert pypi["context"]["task"]
    finally:
        shutil.rmtree(root)


@pytest.mark.usefixtures("untouched")
async def test_without_bubblewrap_decisions_are_made_and_logged_but_nothing_runs(
    gate: Gate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARDEN_BWRAP", "/bin/false")  # a "bwrap" that never starts a sandbox
    statuses: list[DemoStatus] = []
    await run_demo_agent(None, DemoOptions(pace=0), statuses.append)
    first, last = statuses[0], statuses[-1]
    assert not first.executor_on
    assert "EXECUTOR OFF" in first.about
    assert "nothing runs" in first.about
    assert "not run: the executor is off" in statuses[1].step
    root = first.about.split("throwaway HOME, ")[1].split("/home ")[0]
    assert gone(root)  # removed at the end
    assert last.finished
    assert "throwaway dirs removed" in last.step
    records = read_log(tmp_path / "audit.jsonl")
    assert not [r for r in records if r["event"] == "action.result"]
    decided = [(r["summary"], r["decision"]) for r in records if r["event"] == "action.decided"]
    # The network questions the sandbox's proxy would have asked are still asked.
    assert ("connect pypi.org:443", "deny") in decided
    assert ("connect calc-demo.example.com:443", "allow") in decided
    assert ("rm -rf ~", "deny") in decided
    assert len(decided) == len(load_scenario().steps) + 3


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ('{"kind": "exec", "command": "ls"}', ':1: the first line must be {"task": "..."}'),
        ('{"task": "t"}\n{"kind": "exec"}', ":2: an exec step needs a command"),
        ('{"task": "t"}\n{"kind": "tool", "command": "x"}', ":2: kind must be one of"),
        ('{"task": "t"}\n{"kind": "write", "path": "a"}', ":2: a write step needs either"),
        ('{"task": "t"}\n{"kind": "exec", "command": "x", "pause": -1}', ":2: pause must be"),
        ('{"task": "t"}\n{"kind": "exec", "command": "x", "network": ["h"]}', "'host:port'"),
        ('{"task": "t"}\n{"kind": "exec", "command": "x", "cmd": 1}', "unknown field(s) cmd"),
        ('{"task": "t"}\nnot json', ":2: not JSON"),
        ('{"task": "t"}\n{"kind": "read", "path": "/etc/passwd"}', ":2: a path must stay"),
        ('{"task": "t"}\n{"kind": "read", "path": "~/../x"}', ":2: a path must stay"),
        ('{"task": "t"}', "at least one step"),
    ],
)
def test_a_broken_scenario_is_refused_naming_its_line(
    tmp_path: Path, lines: str, problem: str
) -> None:
    path = tmp_path / "scenario.jsonl"
    path.write_text(lines + "\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert problem in str(caught.value)


async def test_warden_demo_no_console_runs_the_agent_against_the_running_gate(
    gate: Gate, tmp_path: Path
) -> None:
    warden = Path(sys.executable).with_name("warden")
    process = await asyncio.create_subprocess_exec(
        str(warden),
        "demo",
        "--no-console",
        "--pace",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    lines = stdout.decode().splitlines()
    assert lines[0].startswith("agent `demo` in a throwaway HOME, ")
    assert "  step 11/14 · rm -rf ~ · denied (builtin): recursively deletes" in "\n".join(lines)
    assert lines[-1].startswith("  finished: 14 steps")
    decided = [r for r in read_log(tmp_path / "audit.jsonl") if r["event"] == "action.decided"]
    assert ("connect pypi.org:443", "user") in [(r["summary"], r["source"]) for r in decided]


def test_without_git_the_demo_says_so_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # forget the temp dir chosen before
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    with pytest.raises(DemoSetupError, match="git is not installed"):
        make_throwaway()
    assert not list(tmp_path.iterdir())


def test_a_later_demo_sweeps_what_a_killed_one_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    killed = subprocess.Popen(["true"])
    killed.wait()
    stale, running, other = (tmp_path / f"warden-demo-{n}" for n in ("a", "b", "c"))
    for folder, owner in ((stale, killed.pid), (running, os.getpid())):
        folder.mkdir()
        (folder / "owner.pid").write_text(f"{owner}\n")
    other.mkdir()  # no owner: not ours to judge
    assert remove_stale() == [stale]
    assert sorted(tmp_path.iterdir()) == [running, other]
