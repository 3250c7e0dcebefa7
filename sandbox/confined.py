"""Running a command under bubblewrap; telling a failed command from a sandbox that never began."""

from __future__ import annotations

import contextlib
import os
import re
import shutil

from sandbox.bwrap import Bwrap, bwrap_args
from sandbox.diagnose import INSTALL, explain
from sandbox.errors import SandboxUnavailable
from sandbox.mounts import Plan
from sandbox.process import Finished, Io, execute
from sandbox.result import NOT_EXECUTABLE, NOT_FOUND, RunResult, to_result

EXECVP = re.compile(r"^bwrap: execvp .*: (.*)$", re.MULTILINE)


async def run_confined(
    binary: Bwrap, mounts: Plan, command: list[str], env: dict[str, str], io: Io
) -> RunResult:
    """Run `command` in the sandbox `mounts` describes.

    Raises:
        SandboxUnavailable: bwrap could not be run or could not build the sandbox; the message
            explains why and how to fix it.
    """
    finished, started = await _bwrap(binary, mounts, command, env, io)
    if started or finished.returncode < 0 or finished.timed_out:
        return to_result(finished, confined=True)
    if io.capture:
        stderr = finished.stderr.decode(errors="replace")
        failed_exec = EXECVP.search(stderr)
        if failed_exec:
            code = NOT_FOUND if "No such file" in failed_exec.group(1) else NOT_EXECUTABLE
            return to_result(finished, confined=True, exit_code=code)
    else:
        # bwrap's words went to the terminal: start the same sandbox with `true` to tell a
        # command that could not be executed from a sandbox that could not be built.
        probe, probe_started = await _bwrap(binary, mounts, ["true"], env, Io())
        if probe_started:
            return to_result(finished, confined=True, exit_code=_exec_failure(command[0], env))
        stderr = probe.stderr.decode(errors="replace")
    raise SandboxUnavailable(explain(stderr, binary), binary=binary.path, stderr=stderr)


async def _bwrap(
    binary: Bwrap, mounts: Plan, command: list[str], env: dict[str, str], io: Io
) -> tuple[Finished, bool]:
    """Run under bwrap; also say whether the command started (bwrap then reports its exit)."""
    status_read, status_write = os.pipe()
    try:
        args = bwrap_args(binary, mounts, command, status_write)
        finished = await execute(args, env=env, cwd=mounts.cwd, io=io, pass_fds=(status_write,))
    except OSError as exc:
        raise SandboxUnavailable(
            f"bubblewrap could not be run, so nothing ran.\n  bwrap: {binary.describe()}\n"
            f"  error: {exc.strerror}\n"
            f"fix: point $WARDEN_BWRAP at an executable bwrap, or {INSTALL}",
            binary=binary.path,
        ) from exc
    finally:
        os.close(status_write)
        status = _drain(status_read)
    return finished, b'"exit-code"' in status


def _drain(fd: int) -> bytes:
    """Read what bwrap wrote (it has exited, so this never waits) and close the descriptor."""
    os.set_blocking(fd, False)
    chunks = []
    with contextlib.suppress(BlockingIOError), open(fd, "rb", closefd=True) as status:
        while chunk := status.read(4096):
            chunks.append(chunk)
    return b"".join(chunks)


def _exec_failure(program: str, env: dict[str, str]) -> int:
    """126 when `program` exists but is not executable, else 127 (missing or not visible inside)."""
    found = shutil.which(program, mode=os.F_OK, path=env.get("PATH"))
    return NOT_EXECUTABLE if found and not os.access(found, os.X_OK) else NOT_FOUND
