"""The executor: asks the gate about an exec, read or write action, runs it confined, reports back.

Under the `on-failure` policy a command that the sandbox refused (its error output shows
EROFS/EACCES/EPERM on a path outside the writable roots, or a network it could not reach) leads
to an escalation, "rerun outside the sandbox?", and it is rerun unconfined only if allowed.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gate.client import AsyncGateClient
from rules.action import Action, Decision
from sandbox.errors import SandboxError, SandboxSpecError
from sandbox.evidence import refusals
from sandbox.judge import Judge, judge_for
from sandbox.process import MAX_OUTPUT
from sandbox.result import RunResult
from sandbox.runner import run
from sandbox.spec import LOOSENESS, Mode, SandboxSpec, gate_mode

if TYPE_CHECKING:
    from gate.pipeline import Gate

DENIED, WARDEN_FAILED = 126, 125
# Who may approve leaving the sandbox: a person, or the reviewer standing in for one (DESIGN §4).
# A rule that allows a command allows it in the sandbox; a session grant made for a confined run
# does not know it now covers an unconfined one.
APPROVERS = ("user", "reviewer")
# `write` actions run inside the sandbox too, so its writable roots decide what can be written.
WRITE_ARGV = ("/bin/sh", "-c", 'cat > "$1"', "warden-write")
# `read` actions too: inside, Warden's own directories are hidden and the mode's limits apply.
READ_ARGV = ("/bin/cat", "--")


@dataclass(frozen=True, slots=True)
class ExecOutcome:
    """What became of one action.

    Attributes:
        decision: The gate's answer.
        mode: The sandbox mode it ran in (never looser than the gate's).
        result: How the run went; None when it was denied.
        evidence: Error lines showing the sandbox refused it (on-failure only).
        escalation: The gate's answer to "rerun outside the sandbox?", when asked.
        rerun: How the unconfined rerun went: only when a person (or the reviewer) allowed it.
    """

    decision: Decision
    mode: Mode
    result: RunResult | None = None
    evidence: tuple[str, ...] = ()
    escalation: Decision | None = None
    rerun: RunResult | None = None

    @property
    def final(self) -> RunResult | None:
        """The run that counts: the rerun when there was one."""
        return self.rerun or self.result

    @property
    def exit_code(self) -> int:
        """The command's own exit code, or 126 when the gate denied it."""
        return DENIED if self.final is None else self.final.exit_code


async def execute(
    action: Action,
    spec: SandboxSpec,
    gate: Gate | AsyncGateClient | Judge,
    *,
    capture: bool = True,
    max_output: int = MAX_OUTPUT,
    timeout_s: float | None = None,
    content: str | None = None,
) -> ExecOutcome:
    """Submit `action`, run it as `spec` allows if the gate allows it, and report the result.

    Under `on-failure`, a run the sandbox refused is escalated with the evidence, and rerun
    unconfined only when a person or the reviewer approves (an allow rule or a session grant
    covers the command in the sandbox, not outside it).

    The mode is never looser than the gate's own sandbox mode (the gate judged the action for
    that mode). Escalation under `on-failure` needs the error output, so only with `capture`.

    Args:
        action: An `exec` (argv, or a command run by `/bin/sh -c`), a `read` (its file is
            printed by `cat`) or a `write` action.
        spec: The sandbox to run it in; its `cwd` defaults to the action's.
        gate: An in-process `Gate`, a client of a running gate, or any `Judge`.
        capture: Capture bounded output; when False the command shares this terminal.
        max_output: Bytes kept of stdout and of stderr each.
        timeout_s: Seconds before the command is killed.
        content: The whole content of a `write` action whose `content` was cut at 64 KiB;
            it must match the action's `content_sha256` (what the gate judged).

    Raises:
        GateError: the gate failed or went away (nothing ran unless it had allowed it).
        SandboxError: the sandbox could not start (nothing ran), or the action cannot run.
    """
    judge = judge_for(gate)
    argv, stdin = _command(action, content)
    toggles = await judge.toggles() or {}
    spec = _within(spec, action, gate_mode(toggles))
    decision = await judge.submit(action)
    if decision.decision != "allow":
        return ExecOutcome(decision, spec.mode)
    io: dict[str, Any] = {
        "capture": capture or stdin is not None,
        "stdin": stdin,
        "max_output": max_output,
        "timeout_s": timeout_s,
    }
    result = await _run_and_report(judge, decision, argv, spec, io)
    outcome = ExecOutcome(decision, spec.mode, result)
    if result.exit_code == 0 or not result.confined or not io["capture"]:
        return outcome
    if toggles.get("approval_policy") != "on-failure":
        return outcome
    evidence = refusals(result.stderr, spec)
    if not evidence:
        return outcome
    escalation = await judge.submit(_escalation(action, evidence))
    outcome = dataclasses.replace(outcome, evidence=evidence, escalation=escalation)
    if escalation.decision != "allow" or escalation.source not in APPROVERS:
        return outcome
    unconfined = dataclasses.replace(spec, mode="danger-full-access")
    rerun = await _run_and_report(judge, escalation, argv, unconfined, io)
    return dataclasses.replace(outcome, rerun=rerun)


def _command(action: Action, content: str | None) -> tuple[list[str], bytes | None]:
    if action.kind == "exec":
        argv = list(action.argv or ["/bin/sh", "-c", action.command or ""])
        return argv, None
    if action.kind == "write" and action.path is not None:
        return [*WRITE_ARGV, action.path], _whole(action, content)
    if action.kind == "read" and action.path is not None:
        return [*READ_ARGV, action.path], None
    raise SandboxSpecError(f"the executor runs exec, read and write actions, not {action.kind}")


def _whole(action: Action, content: str | None) -> bytes:
    """The bytes a write action writes: its content, or the whole one it was cut from."""
    if content is None:
        if action.content_size is not None or action.content is None:
            raise SandboxSpecError("a write needs its whole content (it was cut or is missing)")
        return action.content.encode()
    raw = content.encode()
    judged = action.content_sha256 or hashlib.sha256((action.content or "").encode()).hexdigest()
    if hashlib.sha256(raw).hexdigest() != judged:
        raise SandboxSpecError("the content to write is not the content the gate was shown")
    return raw


def _within(spec: SandboxSpec, action: Action, limit: Mode) -> SandboxSpec:
    """The spec with the action's cwd, its mode pulled back to the gate's when looser."""
    changes: dict[str, Any] = {}
    if spec.cwd is None and action.cwd:
        changes["cwd"] = Path(action.cwd)
    if LOOSENESS[spec.mode] > LOOSENESS[limit]:
        changes["mode"] = limit
    return dataclasses.replace(spec, **changes) if changes else spec


async def _run_and_report(
    judge: Judge, decision: Decision, argv: list[str], spec: SandboxSpec, io: dict[str, Any]
) -> RunResult:
    action_id = decision.action_id or ""
    try:
        result = await run(argv, spec, **io)
    except SandboxError:
        await judge.result(action_id, WARDEN_FAILED, 0)
        raise
    await judge.result(action_id, result.exit_code, result.duration_ms)
    return result


def _escalation(action: Action, evidence: tuple[str, ...]) -> Action:
    lines = "\n".join(f"  {line}" for line in evidence)
    return action.model_copy(
        update={
            "id": None,
            "escalate": True,
            "justification": f"the sandbox refused it; rerun outside the sandbox?\n{lines}",
        }
    )
