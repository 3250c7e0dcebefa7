"""Running one process with bounded output capture, optional input and a timeout."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 64 * 1024
# Bytes kept of stdout and of stderr each: what the gate protocol carries without cutting.
MAX_OUTPUT = 64 * 1024


@dataclass(slots=True)
class _Buffer:
    limit: int
    data: bytearray = field(default_factory=bytearray)
    truncated: bool = False

    async def fill(self, stream: asyncio.StreamReader) -> None:
        # Keep reading past the limit: a child blocked on a full pipe would never finish.
        while chunk := await stream.read(CHUNK):
            room = self.limit - len(self.data)
            self.data += chunk[: max(room, 0)]
            self.truncated |= len(chunk) > room


@dataclass(frozen=True, slots=True)
class Io:
    """How a process meets the world: captured (bounded, with optional input) or on the terminal."""

    capture: bool = True
    stdin: bytes | None = None
    max_output: int = MAX_OUTPUT
    timeout_s: float | None = None


@dataclass(frozen=True, slots=True)
class Finished:
    """How a process ended; `returncode` is negative when a signal killed it."""

    returncode: int
    stdout: bytes
    stderr: bytes
    truncated: bool
    timed_out: bool
    duration_ms: int


async def execute(
    args: Sequence[str],
    *,
    env: dict[str, str],
    cwd: Path,
    io: Io,
    pass_fds: tuple[int, ...] = (),
) -> Finished:
    """Run `args` to completion; the process is killed on timeout or cancellation.

    Raises:
        OSError: the program could not be started (missing, not executable).
    """
    started = time.monotonic()
    pipe = asyncio.subprocess.PIPE if io.capture else None
    feed = asyncio.subprocess.PIPE if io.stdin is not None else asyncio.subprocess.DEVNULL
    proc = await asyncio.create_subprocess_exec(
        *args,
        env=env,
        cwd=cwd,
        stdin=feed if io.capture else None,
        stdout=pipe,
        stderr=pipe,
        pass_fds=pass_fds,
    )
    out, err = _Buffer(io.max_output), _Buffer(io.max_output)
    steps: list[Awaitable[object]] = [proc.wait()]
    if proc.stdout is not None and proc.stderr is not None:
        steps += [out.fill(proc.stdout), err.fill(proc.stderr)]
    if proc.stdin is not None and io.stdin is not None:
        steps.append(_feed(proc.stdin, io.stdin))
    timed_out = False
    try:
        async with asyncio.timeout(io.timeout_s):
            await asyncio.gather(*steps)
    except TimeoutError:
        timed_out = True
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    return Finished(
        returncode=await proc.wait(),
        stdout=bytes(out.data),
        stderr=bytes(err.data),
        truncated=out.truncated or err.truncated,
        timed_out=timed_out,
        duration_ms=round((time.monotonic() - started) * 1000),
    )


async def _feed(writer: asyncio.StreamWriter, data: bytes) -> None:
    # A child that exits without reading its input is not an error of ours.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        writer.write(data)
        await writer.drain()
        writer.close()
        await writer.wait_closed()
