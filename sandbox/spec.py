"""What a sandbox allows: its mode, writable roots, network, environment and hidden directories."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from gate.paths import socket_paths
from rules.paths import config_dir, runtime_dir, state_dir
from sandbox.errors import SandboxSpecError

Mode = Literal["read-only", "workspace-write", "danger-full-access"]
Network = Literal["off", "proxy"]
MODES: tuple[Mode, ...] = get_args(Mode)
NETWORKS: tuple[Network, ...] = get_args(Network)
# How much each mode lets through: MODES runs from the tightest to the loosest.
LOOSENESS: dict[str, int] = {mode: rank for rank, mode in enumerate(MODES)}
# Relative to each writable root; a trailing "/" marks a directory. Commits still work: only the
# parts of `.git` that run code (hooks, config) and Warden's project rules are kept read-only.
PROTECTED = (".git/hooks/", ".git/config", ".warden/")


def gate_mode(toggles: Mapping[str, object] | None) -> Mode:
    """The sandbox mode a gate's toggles name; `workspace-write` when they name none.

    Only a gate known to be unconfined lets things run unconfined.
    """
    named = (toggles or {}).get("sandbox_mode")
    return next((mode for mode in MODES if mode == named), "workspace-write")


def warden_dirs() -> tuple[Path, ...]:
    """Warden's own runtime, config and state directories, and the gate sockets' directory."""
    return (runtime_dir(), config_dir(), state_dir(), socket_paths()[0].parent)


def default_hidden() -> tuple[Path, ...]:
    """What no sandbox sees: Warden's directories and every runtime socket directory.

    `/run` and `$XDG_RUNTIME_DIR` hold sockets that would reach outside (the D-Bus buses, which can
    start programs through systemd; container engines; ssh and gpg agents). A read-only mount does
    not stop `connect()` on a Unix socket, so these are replaced by an empty read-only tmpfs.
    """
    xdg_runtime = os.environ.get("XDG_RUNTIME_DIR")
    extra = (Path(xdg_runtime),) if xdg_runtime else ()
    return (*warden_dirs(), Path("/run"), Path("/var/run"), *extra)


@dataclass(frozen=True, slots=True)
class SandboxSpec:
    """How one command is confined.

    Attributes:
        workspace: The project folder: writable in `workspace-write`, readable in every mode.
        mode: `read-only`, `workspace-write` or `danger-full-access` (no sandbox at all).
        writable_roots: More folders (or single files) bound read-write in `workspace-write`.
        network: `off` (own network namespace, loopback only) or `proxy` (through Warden's proxy).
        proxy_socket: The host-side Unix socket of the network proxy; required with `proxy`.
        env_passthrough: Environment variables passed in by name, even ones that look secret.
        protected: Paths relative to each writable root that stay read-only (`/` ends a folder).
        hidden: Folders replaced by an empty read-only tmpfs inside the sandbox.
        cwd: Where the command starts; the workspace when None.
        env: Variables set inside as given (`WARDEN_SOCKET` for `warden run`), after the rest.
        sockets: Unix sockets bound in, as (the socket on the host, its path inside); bound
            after the hidden folders, so a socket in one of them is reachable there alone.
    """

    workspace: Path
    mode: Mode = "workspace-write"
    writable_roots: tuple[Path, ...] = ()
    network: Network = "off"
    proxy_socket: Path | None = None
    env_passthrough: tuple[str, ...] = ()
    protected: tuple[str, ...] = PROTECTED
    hidden: tuple[Path, ...] = field(default_factory=default_hidden)
    cwd: Path | None = None
    env: tuple[tuple[str, str], ...] = ()
    sockets: tuple[tuple[Path, Path], ...] = ()

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise SandboxSpecError(f"unknown sandbox mode {self.mode!r}; choose from {MODES}")
        if self.network not in NETWORKS:
            raise SandboxSpecError(f"unknown network {self.network!r}; choose from {NETWORKS}")
        if (self.network == "proxy") != (self.proxy_socket is not None):
            raise SandboxSpecError("a proxy_socket is needed with network 'proxy', and only then")
        for rel in self.protected:
            if Path(rel).is_absolute() or ".." in Path(rel).parts or not rel.strip("/"):
                raise SandboxSpecError(f"protected path {rel!r} must be relative, inside the root")
        for _, inside in self.sockets:
            if not Path(inside).is_absolute():
                raise SandboxSpecError(f"a socket's path inside, {inside}, must be absolute")
