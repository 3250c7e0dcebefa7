"""What a sandboxed (or, in `danger-full-access`, unconfined) command did."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.process import Finished

TIMED_OUT, NOT_EXECUTABLE, NOT_FOUND = 124, 126, 127


@dataclass(frozen=True, slots=True)
class RunResult:
    """What a command did.

    Attributes:
        exit_code: The command's own; 128+N when signal N killed it, 124 on timeout, 127 when
            it was not found (126 when not executable).
        stdout: Its output, at most `max_output` bytes (empty when not captured).
        stderr: Its error output, likewise.
        truncated: Whether either output was cut.
        duration_ms: Wall time, sandbox start-up included.
        confined: False only in `danger-full-access`.
        timed_out: Whether it was killed for running past the timeout.
    """

    exit_code: int
    stdout: bytes
    stderr: bytes
    truncated: bool
    duration_ms: int
    confined: bool
    timed_out: bool = False


def to_result(finished: Finished, *, confined: bool, exit_code: int | None = None) -> RunResult:
    """A finished process as a result, its exit code in shell terms unless `exit_code` is given."""
    code = finished.returncode if finished.returncode >= 0 else 128 - finished.returncode
    if finished.timed_out:
        code = TIMED_OUT
    return RunResult(
        exit_code=code if exit_code is None else exit_code,
        stdout=finished.stdout,
        stderr=finished.stderr,
        truncated=finished.truncated,
        duration_ms=finished.duration_ms,
        confined=confined,
        timed_out=finished.timed_out,
    )
