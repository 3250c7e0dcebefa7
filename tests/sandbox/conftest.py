"""Fixtures for sandbox tests: a scratch tree under /var/tmp with HOME and the XDG dirs inside."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_tree import VISIBLE_TMP, Tree, git


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
