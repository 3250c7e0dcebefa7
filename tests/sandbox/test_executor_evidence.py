"""Which error lines show that the sandbox refused a command (the on-failure evidence)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.evidence import refusals
from sandbox.spec import SandboxSpec

SPEC = SandboxSpec(workspace=Path("/w"), writable_roots=(Path("/cache"),), hidden=())


@pytest.mark.parametrize(
    "line",
    [
        "touch: cannot touch '/etc/x': Read-only file system",
        "sh: 1: cannot create /home/me/.bashrc: Read-only file system",
        "PermissionError: [Errno 13] Permission denied: '/usr/lib/x'",
        "cp: cannot create regular file '/w/.git/hooks/pre-commit': Read-only file system",
        "error: could not lock config file /w/.git/config: Read-only file system",
        "ping: socket: Operation not permitted",
        "curl: (6) Could not resolve host: example.com",
        "pip: Temporary failure in name resolution",
    ],
)
def test_sandbox_refusals_are_evidence(line: str) -> None:
    assert refusals(f"noise\n{line}\n".encode(), SPEC) == (line,)


@pytest.mark.parametrize(
    "stderr",
    [
        "touch: cannot touch '/w/locked': Permission denied",
        "open /cache/pip/x: Permission denied",
        "FAILED test_x.py::test_y - AssertionError",
        "",
    ],
)
def test_other_failures_are_not(stderr: str) -> None:
    assert refusals(stderr.encode(), SPEC) == ()


def test_in_read_only_mode_every_refusal_counts() -> None:
    spec = SandboxSpec(workspace=Path("/w"), mode="read-only", hidden=())
    line = "touch: cannot touch '/w/x': Read-only file system"
    assert refusals(line.encode(), spec) == (line,)


def test_at_most_five_lines() -> None:
    stderr = "\n".join(f"rm: cannot remove '/etc/{i}': Read-only file system" for i in range(9))
    assert len(refusals(stderr.encode(), SPEC)) == 5
