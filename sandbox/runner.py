"""Running one command as a `SandboxSpec` allows: confined by bubblewrap, or knowingly not."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sandbox.bridging import bridged
from sandbox.bwrap import Bwrap, locate
from sandbox.confined import run_confined
from sandbox.diagnose import explain
from sandbox.environ import sandbox_env
from sandbox.errors import SandboxSpecError, SandboxUnavailable
from sandbox.mounts import plan
from sandbox.process import MAX_OUTPUT, Io, execute
from sandbox.result import NOT_EXECUTABLE, NOT_FOUND, RunResult, to_result
from sandbox.spec import SandboxSpec


async def run(
    argv: Sequence[str],
    spec: SandboxSpec,
    *,
    capture: bool = True,
    stdin: bytes | None = None,
    max_output: int = MAX_OUTPUT,
    timeout_s: float | None = None,
    bwrap: Bwrap | None = None,
) -> RunResult:
    """Run `argv` as `spec` allows and wait for it.

    With network `proxy`, the command runs behind `sandbox/bridge.py`, which brings the proxy
    socket onto a loopback port and sets `HTTP(S)_PROXY`/`ALL_PROXY` for it.

    Args:
        argv: The program and its arguments (no shell involved).
        spec: How to confine it.
        capture: Capture bounded output (input is empty unless `stdin` is given); when False
            the command shares Warden's terminal.
        stdin: Bytes fed to the command's input; only with `capture`.
        max_output: Bytes kept of stdout and of stderr each; the rest is read and dropped.
        timeout_s: Seconds before the command (and everything it started) is killed.
        bwrap: The bubblewrap binary; found by `locate()` when None.

    Raises:
        SandboxUnavailable: bubblewrap could not start, or no proxy listens at the spec's
            proxy socket; nothing ran (never run unconfined).
        SandboxSpecError: the spec does not fit the filesystem, or the arguments disagree.
    """
    command = list(argv)
    if not command:
        raise SandboxSpecError("no command to run")
    if stdin is not None and not capture:
        raise SandboxSpecError("input can be given only when output is captured")
    io = Io(capture, stdin, max_output, timeout_s)
    if spec.mode == "danger-full-access":
        return await _unconfined(command, spec, io)
    binary = bwrap or locate()
    mounts = plan(spec)
    if spec.proxy_socket is not None:
        mounts, command = bridged(mounts, spec.proxy_socket, command)
    env = sandbox_env(os.environ, spec.env_passthrough, mounts.cwd) | dict(spec.env)
    return await run_confined(binary, mounts, command, env, io)


def run_sync(
    argv: Sequence[str],
    spec: SandboxSpec,
    *,
    capture: bool = True,
    stdin: bytes | None = None,
    max_output: int = MAX_OUTPUT,
    timeout_s: float | None = None,
    bwrap: Bwrap | None = None,
) -> RunResult:
    """`run` for code without a running event loop (it starts one); same arguments and errors."""
    return asyncio.run(
        run(
            argv,
            spec,
            capture=capture,
            stdin=stdin,
            max_output=max_output,
            timeout_s=timeout_s,
            bwrap=bwrap,
        )
    )


def check(bwrap: Bwrap | None = None) -> Bwrap:
    """Start a read-only sandbox running `true`; return the bwrap that did it.

    Raises:
        SandboxUnavailable: bubblewrap cannot start here; the message says why and the fix.
    """
    binary = bwrap or locate()
    result = run_sync(["true"], SandboxSpec(workspace=Path("/"), mode="read-only"), bwrap=binary)
    if result.exit_code != 0:
        stderr = result.stderr.decode(errors="replace")
        raise SandboxUnavailable(explain(stderr, binary), binary=binary.path, stderr=stderr)
    return binary


async def _unconfined(command: list[str], spec: SandboxSpec, io: Io) -> RunResult:
    cwd = _existing_folder(Path(spec.cwd or spec.workspace))
    env = sandbox_env(os.environ, spec.env_passthrough, cwd) | dict(spec.env)
    try:
        finished = await execute(command, env=env, cwd=cwd, io=io)
    except OSError as exc:
        message = f"warden: {command[0]}: {exc.strerror}\n"
        if not io.capture:
            sys.stderr.write(message)
        code = NOT_FOUND if isinstance(exc, FileNotFoundError) else NOT_EXECUTABLE
        return RunResult(code, b"", message.encode() if io.capture else b"", False, 0, False)
    return to_result(finished, confined=False)


def _existing_folder(path: Path) -> Path:
    if not path.is_dir():
        raise SandboxSpecError(f"the working directory {path} is not a folder")
    return path
