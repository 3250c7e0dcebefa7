"""Fixtures for sandbox tests: a scratch tree under /var/tmp with HOME and the XDG dirs inside."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from local_web import hello
from sandbox_tree import VISIBLE_TMP, Tree, git

from gate.audit import AuditLog
from gate.grants import GrantStore
from gate.model import Toggles
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from gate.server import GateServer


@pytest.fixture
def tree(monkeypatch: pytest.MonkeyPatch) -> Iterator[Tree]:
    """A fresh tree under /var/tmp, with HOME and Warden's runtime, state and config dirs in it."""
    root = Path(tempfile.mkdtemp(prefix="warden-sandbox-test-", dir=VISIBLE_TMP)).resolve()
    for name in ("workspace", "outside", "home"):
        (root / name).mkdir()
    (root / "outside" / "target").write_text("original\n")
    monkeypatch.setenv("HOME", str(root / "home"))
    for var, folder in (
        ("XDG_RUNTIME_DIR", "runtime"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CONFIG_HOME", "config"),
    ):
        (root / folder).mkdir(mode=0o700)
        monkeypatch.setenv(var, str(root / folder))
    yield Tree(root, root / "workspace", root / "outside")
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def repo(tree: Tree) -> Path:
    """The workspace as a git repository with one commit, made on the host."""
    git(tree.workspace, "init", "-q")
    (tree.workspace / "README").write_text("hello\n")
    git(tree.workspace, "add", "README")
    git(tree.workspace, "commit", "-qm", "first")
    return tree.workspace


@pytest.fixture
async def web() -> AsyncIterator[int]:
    """A web server on 127.0.0.1 that says `hello`; yields its port."""
    server = await asyncio.start_server(hello, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()


@pytest.fixture
async def served(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Gate]:
    """A gate serving at `$WARDEN_SOCKET` (policy untrusted), its log and grants in the tree."""
    socket = tree.root / "runtime" / "gate" / "gate.sock"
    monkeypatch.setenv("WARDEN_SOCKET", str(socket))
    gate = Gate(
        rulebook=Rulebook(),
        grants=GrantStore(tree.root / "grants.json"),
        audit=AuditLog(tree.root / "audit.jsonl"),
        toggles=Toggles(auto_review=False, approval_policy="untrusted"),
    )
    server = GateServer(gate, agent_socket=socket)
    await server.start()
    yield gate
    await server.close()
