"""Single writable files and Unix sockets bound into a sandbox (what `warden run` builds on)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_tree import Tree

from sandbox.errors import SandboxSpecError
from sandbox.spec import SandboxSpec

WRITE = """
import sys
for path in sys.argv[1:]:
    try:
        open(path, "a").write("+")
        print("written")
    except OSError as exc:
        print(exc.strerror)
"""


def test_a_single_file_can_be_a_writable_root(tree: Tree) -> None:
    settings = tree.outside / "settings.json"
    settings.write_text("{}")
    result = tree.run(
        ["python3", "-c", WRITE, str(settings), str(tree.outside / "target")],
        writable_roots=(settings,),
    )
    assert result.stdout.decode().split("\n")[:2] == ["written", "Read-only file system"]
    assert settings.read_text() == "{}+"
    assert (tree.outside / "target").read_text() == "original\n"


@pytest.fixture
def listening(tree: Tree) -> Iterator[Path]:
    """A Unix socket in Warden's runtime dir (hidden in every sandbox), accepting connections."""
    folder = tree.root / "runtime" / "warden"
    folder.mkdir(mode=0o700, parents=True)
    path = folder / "gate.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        server.listen(8)
        yield path


def test_a_socket_in_a_hidden_folder_is_reachable_only_where_bound(
    tree: Tree, listening: Path
) -> None:
    probe = (
        "import socket, sys\n"
        "for path in sys.argv[1:]:\n"
        "    s = socket.socket(socket.AF_UNIX)\n"
        "    try:\n"
        "        s.connect(path); print('connected')\n"
        "    except OSError as exc:\n"
        "        print(type(exc).__name__)\n"
    )
    inside = Path("/tmp/gate-here.sock")
    result = tree.run(
        ["python3", "-c", probe, str(inside), str(listening)], sockets=((listening, inside),)
    )
    assert result.stdout.decode().split() == ["connected", "FileNotFoundError"]


def test_a_socket_must_be_a_socket_and_its_inside_path_absolute(tree: Tree) -> None:
    with pytest.raises(SandboxSpecError, match="must be absolute"):
        SandboxSpec(workspace=tree.workspace, sockets=((tree.root, Path("gate.sock")),))
    with pytest.raises(SandboxSpecError, match="is not a Unix socket"):
        tree.run(["true"], sockets=((tree.outside / "target", Path("/tmp/x.sock")),))
