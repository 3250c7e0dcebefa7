"""Wiring a confined command to Warden's network proxy: its socket visible, the bridge around."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from sandbox import bridge
from sandbox.errors import SandboxSpecError, SandboxUnavailable
from sandbox.mounts import TMP, Plan


def bridged(mounts: Plan, proxy_socket: Path, command: list[str]) -> tuple[Plan, list[str]]:
    """The mounts and command that run `command` with its network through the proxy.

    The command runs under `sandbox/bridge.py`, which listens on a loopback port inside the
    sandbox's own network namespace and passes each connection to the proxy's Unix socket. The
    socket is visible through the read-only root, or bound in when it lies under `/tmp`.

    Raises:
        SandboxUnavailable: no proxy listens at the socket; nothing ran.
        SandboxSpecError: the socket lies in a folder the sandbox hides.
    """
    socket_path = proxy_socket.resolve()
    if not socket_path.is_socket():
        raise SandboxUnavailable(
            f"network 'proxy' is not available yet: no proxy listens at {socket_path}, so "
            "nothing ran (start a sandbox.proxy.NetworkProxy there first, as `warden sandbox "
            "exec --network proxy` does)"
        )
    if any(socket_path.is_relative_to(hidden) for hidden in mounts.hidden):
        raise SandboxSpecError(
            f"the proxy socket {socket_path} lies in a folder the sandbox hides; "
            "put it in a folder of its own (tempfile.mkdtemp())"
        )
    if socket_path.is_relative_to(TMP):
        mounts = dataclasses.replace(mounts, readable=(*mounts.readable, socket_path))
    wrapper = [sys.executable, "-I", str(Path(bridge.__file__)), str(socket_path), "--"]
    return mounts, [*wrapper, *command]
