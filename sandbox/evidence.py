"""Telling, from a failed command's error output, that the sandbox refused it (for on-failure)."""

from __future__ import annotations

import re
from pathlib import Path

from sandbox.spec import SandboxSpec

# What programs print for EROFS, EACCES and EPERM, and for a network the sandbox keeps away.
REFUSED = re.compile(
    r"Read-only file system|Permission denied|Operation not permitted"
    r"|Temporary failure in name resolution|Name or service not known|Could not resolve host"
    r"|Network is unreachable",
    re.IGNORECASE,
)
# An absolute path on the line: quoted, or between separators (`touch: cannot touch '/x': …`).
PATH = re.compile(r"""(?:^|[\s'"`(\u2018\u201c])(/[^\s'"`:,)\u2019\u201d]+)""")
MAX_LINES = 5


def refusals(stderr: bytes, spec: SandboxSpec) -> tuple[str, ...]:
    """The lines of `stderr` that show the sandbox refusing something (at most five).

    A line counts when it reports a refusal and names no path, or names one outside the
    writable roots or on a protected path. A refusal on an ordinary path inside a writable
    root is the file's own permissions, not the sandbox, so it does not count.

    Args:
        stderr: The command's error output.
        spec: The sandbox it ran in.
    """
    found: list[str] = []
    for line in stderr.decode(errors="replace").splitlines():
        if REFUSED.search(line) and _sandbox_caused(line, spec):
            found.append(line.strip())
    return tuple(found[:MAX_LINES])


def _sandbox_caused(line: str, spec: SandboxSpec) -> bool:
    paths = [Path(match) for match in PATH.findall(line)]
    if not paths or spec.mode == "read-only":
        return True
    roots = [spec.workspace, *spec.writable_roots]
    return any(_outside_or_protected(path, roots, spec.protected) for path in paths)


def _outside_or_protected(path: Path, roots: list[Path], protected: tuple[str, ...]) -> bool:
    for root in roots:
        if path.is_relative_to(root):
            inside = path.relative_to(root).as_posix()
            return any(inside == p.rstrip("/") or inside.startswith(p) for p in protected)
    return True
