"""Fixtures for every test: a private home and XDG dirs, no WARDEN_* or OPENAI_* settings."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.reviewer.chat_server import ChatServer

XDG_DIRS = {
    "XDG_CONFIG_HOME": "config",
    "XDG_STATE_HOME": "state",
    "XDG_RUNTIME_DIR": "runtime",
    "XDG_CACHE_HOME": "cache",
    "XDG_DATA_HOME": "data",
}
_SAVED_ENV = dict(os.environ)
_ROOT = Path(tempfile.mkdtemp(prefix="warden-tests-"))
# One home path for the whole run, emptied before each test: objects built while test modules
# are collected (a module-level engine with `~` globs compiled) must see the same `~` as tests.
HOME = _ROOT / "home"


def _isolate(root: Path, setenv: Callable[[str, str], None], delenv: Callable[[str], None]) -> None:
    """Point the XDG dirs into `root`, the requirements file at nothing, drop WARDEN_*/OPENAI_*."""
    for name in list(os.environ):
        if name.startswith(("WARDEN_", "OPENAI_")):
            delenv(name)
    for var, folder in XDG_DIRS.items():
        path = root / folder
        path.mkdir(mode=0o700, parents=True)
        setenv(var, str(path))
    setenv("WARDEN_REQUIREMENTS", str(root / "no-requirements.toml"))


def pytest_configure(config: pytest.Config) -> None:
    """Isolate before any test module is imported, so collection never reads the real files."""
    HOME.mkdir()
    os.environ["HOME"] = str(HOME)
    _isolate(_ROOT / "collection", os.environ.__setitem__, os.environ.__delitem__)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Put the environment back and remove the temporary tree."""
    os.environ.clear()
    os.environ.update(_SAVED_ENV)
    shutil.rmtree(_ROOT, ignore_errors=True)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give each test an empty home and fresh XDG dirs; return the home folder.

    The real ~/.config, ~/.local/state and /etc/warden are never read or written, and
    no WARDEN_* or OPENAI_* variable of the developer's shell leaks into a test.
    """
    shutil.rmtree(HOME)
    HOME.mkdir()
    monkeypatch.setenv("HOME", str(HOME))
    _isolate(tmp_path_factory.mktemp("env"), monkeypatch.setenv, monkeypatch.delenv)
    return HOME


@pytest.fixture
def chat() -> Iterator[ChatServer]:
    """A chat-completions server on 127.0.0.1 that approves with low risk unless told otherwise."""
    server = ChatServer()
    try:
        yield server
    finally:
        server.close()
