"""The mount plan: what a sandbox may write, what stays read-only in that, what it cannot see."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from sandbox.errors import SandboxSpecError
from sandbox.gitdir import git_code_paths
from sandbox.spec import SandboxSpec

TMP = Path("/tmp")


@dataclass(frozen=True, slots=True)
class Plan:
    """Resolved absolute paths, in the order they are mounted over a read-only `/`.

    Attributes:
        readable: Bound read-only over the private /tmp (a read-only workspace there).
        writable: Bound read-write.
        pinned: Bound onto themselves so they cannot be renamed or removed (`.git`).
        protected: Bound read-only inside the writable roots.
        hidden: Covered by an empty read-only tmpfs.
        cwd: Where the command starts.
        sockets: Unix sockets bound in last, as (host path, path inside).
    """

    readable: tuple[Path, ...]
    writable: tuple[Path, ...]
    pinned: tuple[Path, ...]
    protected: tuple[Path, ...]
    hidden: tuple[Path, ...]
    cwd: Path
    sockets: tuple[tuple[Path, Path], ...] = ()


def plan(spec: SandboxSpec) -> Plan:
    """Resolve `spec` against the filesystem.

    Missing protected paths are created empty where they can be (see `_protect`), and missing
    hidden folders inside a writable root are created (mode 0700) so they can be covered.

    Raises:
        SandboxSpecError: a folder does not exist, a writable root lies inside a hidden folder,
            a protected path is a symbolic link, or the working directory is not visible inside.
    """
    workspace = _folder(spec.workspace, "workspace")
    writable: tuple[Path, ...] = ()
    if spec.mode == "workspace-write":
        roots = (workspace, *(_existing(r) for r in spec.writable_roots))
        writable = tuple(sorted(set(roots), key=lambda p: len(p.parts)))
    bound = writable or (workspace,)
    hidden = _hidden(spec.hidden, writable, bound)
    pinned, protected = _protect(spec.protected, writable, workspace)
    cwd = _folder(spec.cwd or spec.workspace, "working directory")
    if any(_under(cwd, h) for h in hidden) or (
        _under(cwd, TMP) and not any(_under(cwd, r) for r in bound)
    ):
        raise SandboxSpecError(f"the working directory {cwd} is not visible inside the sandbox")
    # Only what lives under /tmp needs binding over the private one: the rest of `/` is visible
    # anyway. That is a read-only workspace there, and Warden's own interpreter and code (the
    # network bridge runs on them) when Warden itself is installed under /tmp.
    readable = () if writable or not _under(workspace, TMP) else (workspace,)
    own = [p for p in _own_paths() if _under(p, TMP) and not any(_under(p, r) for r in bound)]
    readable = (*readable, *sorted(set(own)))
    sockets = tuple((_socket(host), Path(inside)) for host, inside in spec.sockets)
    return Plan(readable, writable, pinned, protected, hidden, cwd, sockets)


def _own_paths() -> list[Path]:
    """The interpreter running Warden and the folder holding Warden's packages."""
    package_root = Path(__file__).resolve().parent.parent
    interpreter = Path(os.path.realpath(sys.executable)).parent
    return [Path(sys.prefix), Path(sys.base_prefix), interpreter, package_root]


def _folder(path: Path, what: str) -> Path:
    try:
        resolved = Path(path).expanduser().resolve(strict=True)
    except OSError as exc:
        raise SandboxSpecError(f"the {what} {path} does not exist ({exc.strerror})") from exc
    if not resolved.is_dir():
        raise SandboxSpecError(f"the {what} {path} is not a folder")
    return resolved


def _existing(path: Path) -> Path:
    """A writable root: a folder, or a single file (an agent's `~/.claude.json`)."""
    try:
        return Path(path).expanduser().resolve(strict=True)
    except OSError as exc:
        raise SandboxSpecError(f"the writable root {path} does not exist ({exc.strerror})") from exc


def _socket(path: Path) -> Path:
    resolved = Path(path).resolve()
    if not resolved.is_socket():
        raise SandboxSpecError(f"{path} is not a Unix socket (is its server running?)")
    return resolved


def _under(path: Path, base: Path) -> bool:
    return path == base or base in path.parents


def _hidden(
    hidden: tuple[Path, ...], writable: tuple[Path, ...], bound: tuple[Path, ...]
) -> tuple[Path, ...]:
    result: list[Path] = []
    for folder in sorted({Path(os.path.realpath(h)) for h in hidden}, key=lambda p: len(p.parts)):
        for root in bound:
            if _under(root, folder):
                raise SandboxSpecError(f"{root} is inside {folder}, which sandboxes never see")
        if any(_under(folder, done) for done in result):
            continue
        inside = [root for root in writable if root in folder.parents]
        if inside:
            _make_private(folder, inside[0])
        elif not folder.exists() or (
            _under(folder, TMP) and not any(_under(folder, r) for r in bound)
        ):
            continue  # nothing there, or already out of sight under the private /tmp
        result.append(folder)
    return tuple(result)


def _make_private(folder: Path, root: Path) -> None:
    """Create `folder` and its missing parents below `root` with mode 0700 (Warden's own dirs)."""
    for missing in reversed([d for d in (folder, *folder.parents) if root in d.parents]):
        if not missing.exists():
            missing.mkdir(mode=0o700)


def _protect(
    rels: tuple[str, ...], writable: tuple[Path, ...], workspace: Path
) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """The pinned folders and the protected paths of every writable root.

    A missing protected path is created empty (a folder when it ends in `/`) so that it can be
    held read-only — otherwise the sandbox could create it. That happens when its parent exists:
    in the workspace always; in other writable roots only inside a folder already there (`.git/`),
    so no `.warden/` appears in, say, `~/.cache/pip`.
    """
    pinned: dict[Path, None] = {}
    protected: dict[Path, None] = {}
    for root in writable:
        for rel in rels:
            parts = Path(rel).parts
            path = root.joinpath(*parts)
            _refuse_links(root, parts)
            if not path.exists():
                if not path.parent.is_dir() or (root != workspace and path.parent == root):
                    continue
                path.mkdir() if rel.endswith("/") else path.touch()
            if len(parts) > 1 and (root / parts[0]).is_dir():
                pinned[root / parts[0]] = None
            protected[path] = None
        for path in git_code_paths(root):
            if any(_under(path, r) for r in writable):
                protected[path] = None
    return tuple(pinned), tuple(protected)


def _refuse_links(root: Path, parts: tuple[str, ...]) -> None:
    for depth in range(1, len(parts) + 1):
        path = root.joinpath(*parts[:depth])
        if path.is_symlink():
            raise SandboxSpecError(
                f"{path} is a symbolic link: Warden cannot keep it read-only, since the link "
                "itself could be replaced; make it a real folder or file (for hooks, `git config "
                "core.hooksPath DIR` instead of a linked .git/hooks)"
            )
