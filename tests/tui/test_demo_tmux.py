"""`warden demo` end to end in a real terminal: tmux, real keys, the audit log on disk."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sandbox.errors import SandboxError
from sandbox.runner import check

WARDEN = str(Path(sys.executable).with_name("warden"))
DEADLINE_S = 15.0

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (the test drives a real terminal)"
)


class Terminal:
    """One tmux session on a private tmux server."""

    def __init__(self, root: Path) -> None:
        self.server = ["tmux", "-L", f"warden-demo-test-{os.getpid()}", "-f", "/dev/null"]
        self.root = root

    def tmux(self, *args: str) -> str:
        done = subprocess.run([*self.server, *args], capture_output=True, text=True, check=False)
        return done.stdout

    def start(self, command: str) -> None:
        subprocess.run(
            [*self.server, "new", "-d", "-s", "demo", "-x", "120", "-y", "36", command],
            check=True,
        )

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "demo")

    def running(self) -> bool:
        return (
            subprocess.run([*self.server, "has-session", "-t", "demo"], check=False).returncode == 0
        )

    def wait(self, what: str, ready: Callable[[], bool]) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while not ready():
            if time.monotonic() > deadline:
                pytest.fail(f"never saw {what}; the screen:\n{self.screen()}")
            time.sleep(0.1)

    def wait_for(self, text: str) -> None:
        self.wait(repr(text), lambda: text in self.screen())

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "demo", *keys)

    def close(self) -> None:
        self.tmux("kill-server")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    terminal = Terminal(tmp_path)
    yield terminal
    terminal.close()


def bwrap_works() -> bool:
    try:
        check()
    except SandboxError:
        return False
    return True


def isolated(root: Path) -> dict[str, str]:
    """HOME, the XDG dirs, the socket and the temp dir, all under `root`."""
    env = {"HOME": str(root / "home"), "TMPDIR": str(root / "tmp"), "TERM": "xterm-256color"}
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        env[var] = str(root / var.lower())
    for folder in env.values():
        if folder.startswith(str(root)):
            Path(folder).mkdir(mode=0o700, exist_ok=True)
    env["WARDEN_SOCKET"] = str(root / "xdg_runtime_dir" / "gate.sock")
    env["WARDEN_REQUIREMENTS"] = str(root / "no-requirements.toml")
    env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
    return env


def test_warden_demo_in_tmux_approve_deny_quit(terminal: Terminal, tmp_path: Path) -> None:
    env = isolated(tmp_path)
    mine = tmp_path / "xdg_config_home" / "warden" / "rules.toml"
    mine.parent.mkdir()
    mine.write_text("# my own rules\nversion = 1\n")
    assignments = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
    # Textual draws on stderr, so nothing is redirected: the pane is the console.
    terminal.start(f"env -i {assignments} {shlex.quote(WARDEN)} demo --pace 0 --keep")
    terminal.wait_for("connect pypi.org:443")
    assert "agent `demo` in a throwaway HOME" in terminal.screen()
    assert ("executor on" if bwrap_works() else "EXECUTOR OFF") in terminal.screen()
    terminal.keys("n")  # no package downloads
    terminal.wait_for("connect calc-demo.example.com:443")
    terminal.keys("a")  # let it try, always (the name never resolves)
    terminal.wait_for("Writes to")
    terminal.keys("Enter")
    terminal.wait_for("connect github.com:443")
    terminal.keys("q")
    terminal.wait_for("quit anyway?")
    terminal.keys("y")
    terminal.wait("the console to exit", lambda: not terminal.running())
    # The demo ran a Warden of its own in its throwaway dirs (kept: --keep).
    [kept] = (tmp_path / "tmp").iterdir()
    records = [
        json.loads(line)
        for line in (kept / "state" / "warden" / "audit.jsonl").read_text().splitlines()
    ]
    decided = {
        r["summary"]: (r["decision"], r["source"])
        for r in records
        if r["event"] == "action.decided"
    }
    assert decided["connect pypi.org:443"] == ("deny", "user")
    assert decided["connect calc-demo.example.com:443"] == ("allow", "user")
    # Still waiting when the person quit: the console's own gate stopped and denied it.
    assert decided["connect github.com:443"] == ("deny", "error")
    assert decided["ls -la"] == ("allow", "builtin")
    assert decided["python -m unittest -v"] == ("allow", "policy")
    results = [r["exit_code"] for r in records if r["event"] == "action.result"]
    if bwrap_works():
        assert results[:4] == [0, 0, 0, 1]  # three reads, then the failing tests, really run
    else:
        assert not results  # the executor was off: nothing ran
    # "Always" wrote to the demo's copy of the rules; the person's own files are as they were.
    demo_rules = (kept / "config" / "warden" / "rules.toml").read_text()
    assert demo_rules.startswith("# my own rules\n")
    assert 'host = "calc-demo.example.com"' in demo_rules
    assert mine.read_text() == "# my own rules\nversion = 1\n"
    assert not (tmp_path / "xdg_state_home" / "warden").exists()
