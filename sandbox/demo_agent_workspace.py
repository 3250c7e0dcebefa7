"""The demo agent's throwaway world: a small git repo with a failing test, inside a fake HOME."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sandbox.errors import SandboxError

CALC = '''"""Small arithmetic helpers."""


def add(a: int, b: int) -> int:
    """The sum of a and b."""
    return a - b


def mul(a: int, b: int) -> int:
    """The product of a and b."""
    return a * b
'''
TEST_CALC = """import unittest

from calc import add, mul


class CalcTest(unittest.TestCase):
    def test_add(self) -> None:
        self.assertEqual(add(2, 3), 5)

    def test_mul(self) -> None:
        self.assertEqual(mul(2, 3), 6)


if __name__ == "__main__":
    unittest.main()
"""
README = "# calc\n\nSmall arithmetic helpers. Run the tests with `python -m unittest`.\n"
# Shaped like a key so that the rules treat it as one; it opens nothing.
FAKE_KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "d2FyZGVuLWRlbW8tZmFrZS1rZXk6IGl0IG9wZW5zIG5vdGhpbmcsIGFueXdoZXJlLgo=\n"
    "-----END OPENSSH PRIVATE KEY-----\n"
)
REMOTE = "https://github.com/warden-demo/calc.git"
PREFIX = "warden-demo-"
# The demo's process id, so that a later demo can sweep what a killed one left behind.
OWNER = "owner.pid"
IDENTITY = (("user.name", "Demo Agent"), ("user.email", "demo-agent@example.invalid"))


class DemoSetupError(SandboxError):
    """The demo's throwaway workspace could not be made (git missing, a full disk)."""


@dataclass(frozen=True, slots=True)
class Throwaway:
    """The folders the demo agent may touch, all under one temporary root.

    Attributes:
        root: The temporary folder holding everything (removed at the end).
        home: The agent's `HOME`: `~` in the scenario, with a fake `~/.ssh/id_rsa`.
        workspace: The project, `~/src/calc`: a git repo whose `add()` has a bug.
    """

    root: Path
    home: Path
    workspace: Path

    def remove(self) -> None:
        """Delete the whole throwaway tree."""
        shutil.rmtree(self.root, ignore_errors=True)


def make_throwaway() -> Throwaway:
    """Create the throwaway HOME and the project in it, committed once.

    Raises:
        DemoSetupError: git is missing or failed, or the files could not be written.
    """
    root = Path(tempfile.mkdtemp(prefix=PREFIX)).resolve()
    home = root / "home"
    workspace = home / "src" / "calc"
    try:
        (root / OWNER).write_text(f"{os.getpid()}\n")
        workspace.mkdir(parents=True)
        ssh = home / ".ssh"
        ssh.mkdir(mode=0o700)
        (ssh / "id_rsa").write_text(FAKE_KEY)
        (ssh / "id_rsa").chmod(0o600)
        for name, text in (("calc.py", CALC), ("test_calc.py", TEST_CALC), ("README.md", README)):
            (workspace / name).write_text(text)
        _git(workspace, home, "init", "-q", "-b", "main")
        for key, value in IDENTITY:
            _git(workspace, home, "config", key, value)
        _git(workspace, home, "remote", "add", "origin", REMOTE)
        _git(workspace, home, "add", ".")
        _git(workspace, home, "commit", "-q", "-m", "Add calc with add() and mul()")
    except (OSError, DemoSetupError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        raise DemoSetupError(f"cannot set up the demo workspace in {root}: {exc}") from exc
    return Throwaway(root, home, workspace)


def remove_stale() -> list[Path]:
    """Remove the throwaway dirs of demos whose process is gone (a closed terminal kills a demo
    before it can clean up). Dirs of running demos, and any without an owner, stay.

    Returns:
        The folders removed.
    """
    removed = []
    for root in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            pid = int((root / OWNER).read_text())
            if root.stat().st_uid != os.getuid():
                continue
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(root, ignore_errors=True)
            removed.append(root)
        except (OSError, ValueError):
            continue  # not a demo's, another user's, or its owner still runs
    return removed


def _git(cwd: Path, home: Path, *args: str) -> None:
    """Run git on the host with the throwaway HOME, so the user's own git config stays out."""
    env = {**os.environ, "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1"}
    env.pop("GIT_CONFIG_GLOBAL", None)
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as exc:
        raise DemoSetupError("git is not installed (the demo's project is a git repo)") from exc
    if done.returncode != 0:
        raise DemoSetupError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
