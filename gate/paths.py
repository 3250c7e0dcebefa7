"""Where the gate's sockets live and the private directory that holds them (stdlib only)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from gate.errors import GateError

AGENT_SOCKET = "gate.sock"
CONSOLE_SOCKET = "console.sock"
# sun_path is 108 bytes on Linux, one of them the terminating NUL.
MAX_SOCKET_PATH = 107


def socket_paths(agent_socket: str | os.PathLike[str] | None = None) -> tuple[Path, Path]:
    """The agent socket and the console socket beside it.

    Args:
        agent_socket: The agent socket's path; when None, `$WARDEN_SOCKET`, else
            `${XDG_RUNTIME_DIR:-/tmp/warden-$UID}/warden/gate.sock`.

    Returns:
        `(gate.sock, console.sock)`; the console socket is always in the agent socket's directory.
    """
    chosen = agent_socket or os.environ.get("WARDEN_SOCKET")
    agent = Path(chosen) if chosen else _runtime_dir() / AGENT_SOCKET
    return agent, agent.parent / CONSOLE_SOCKET


def ensure_socket_dir(directory: Path) -> None:
    """Create the sockets' directory with mode 0700, or check that an existing one is private.

    Raises:
        GateError: the directory (or the `/tmp/warden-$UID` fallback above it) is not a
            directory of the current user that only this user can enter.
    """
    missing = [d for d in (directory, *directory.parents) if not d.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass  # created meanwhile by someone else: the check below judges it
        except OSError as exc:
            raise GateError(f"cannot create the socket directory {folder}: {exc}") from exc
    _check_private(directory)
    # Under /tmp anyone could have made the fallback first; its owner could swap our directory.
    fallback = _fallback_base()
    if fallback in directory.parents:
        _check_private(fallback)


def _runtime_dir() -> Path:
    base = os.environ.get("XDG_RUNTIME_DIR")
    return (Path(base) if base else _fallback_base()) / "warden"


def _fallback_base() -> Path:
    return Path(f"/tmp/warden-{os.getuid()}")


def _check_private(directory: Path) -> None:
    info = directory.lstat()
    if not stat.S_ISDIR(info.st_mode):
        raise GateError(
            f"{directory} should be the gate's private directory but is not a directory"
        )
    if info.st_uid != os.getuid():
        raise GateError(
            f"{directory} belongs to uid {info.st_uid}, not to you (uid {os.getuid()}); "
            "remove it or choose another socket path"
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise GateError(
            f"{directory} is open to other users (mode {mode:04o}); "
            f"run `chmod 700 {directory}` or choose another socket path"
        )
