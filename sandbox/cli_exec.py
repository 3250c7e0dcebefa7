"""`warden exec`: ask the gate about one command, then run it confined, in this terminal."""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import sys
from pathlib import Path

from gate.config import ApprovalPolicy, load_config
from gate.errors import GateError
from rules.action import Action, AgentRef
from rules.errors import RulesError
from sandbox.cli_sandbox import Parser
from sandbox.errors import SandboxError
from sandbox.executor import DENIED, WARDEN_FAILED, ExecOutcome, execute
from sandbox.gatelink import NO_PERSON, add_gate_options, gate_link, proxied_sandbox
from sandbox.judge import Judge
from sandbox.spec import Mode, gate_mode

AGENT = "warden-exec"
# Under on-failure the error output is the evidence, so it is captured, then shown.
CAPTURED_OUTPUT = 16 << 20


def main(argv: list[str]) -> int:
    """Run `warden exec [--policy P] [--mode M] -- CMD...`.

    Args:
        argv: The arguments after `warden exec`.

    Returns:
        The command's exit code; 126 when the gate denied it; 125 when Warden itself failed
        (no working bubblewrap, a broken config, a gate error).
    """
    args = _parser().parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print("warden exec: no command given (warden exec -- CMD ARGS…)", file=sys.stderr)
        return WARDEN_FAILED
    try:
        roots = tuple(Path(r).expanduser() for r in load_config().sandbox.writable_roots)
        return asyncio.run(_exec(command, roots, args.policy, args.mode))
    except (GateError, RulesError, SandboxError) as exc:
        print(f"warden exec: {exc}", file=sys.stderr)
        return WARDEN_FAILED
    except KeyboardInterrupt:
        return 130


async def _exec(
    command: list[str], roots: tuple[Path, ...], policy: ApprovalPolicy | None, mode: Mode | None
) -> int:
    cwd = Path.cwd()
    action = Action(
        kind="exec",
        argv=command,
        cwd=str(cwd),
        executor="warden",
        agent=AgentRef(name=AGENT, session=f"exec-{os.getpid()}"),
    )
    async with gate_link(action.agent, policy, mode) as link:
        asked = None if link.private else policy
        return await _run(link.judge, action, cwd, roots, mode, asked, private=link.private)


async def _run(
    judge: Judge,
    action: Action,
    cwd: Path,
    roots: tuple[Path, ...],
    mode: Mode | None,
    asked_policy: ApprovalPolicy | None,
    *,
    private: bool = False,
) -> int:
    toggles = await judge.toggles() or {}
    policy = toggles.get("approval_policy")
    if asked_policy is not None:
        applies = f" ({policy})" if policy else ""
        print(
            f"warden exec: a gate is running; its own approval policy{applies} applies, "
            f"not --policy {asked_policy}",
            file=sys.stderr,
        )
    chosen = mode or gate_mode(toggles)
    capture = policy == "on-failure"
    # The network goes through a proxy of this run's own, whose questions go to the same gate.
    trigger = shlex.join(action.argv or [])
    async with proxied_sandbox(judge, action.agent, cwd, chosen, roots, trigger) as spec:
        outcome = await execute(action, spec, judge, capture=capture, max_output=CAPTURED_OUTPUT)
    if outcome.mode != chosen:
        print(
            f"warden exec: ran in {outcome.mode}, the gate's sandbox mode, not {chosen}",
            file=sys.stderr,
        )
    return _report(outcome, private)


def _report(outcome: ExecOutcome, private: bool) -> int:
    for run in (outcome.result, outcome.rerun):
        if run is not None:
            sys.stdout.buffer.write(run.stdout)
            sys.stdout.buffer.flush()
            sys.stderr.buffer.write(run.stderr)
            sys.stderr.buffer.flush()
    decision = outcome.decision
    if decision.decision != "allow":
        why = decision.message or "no reason given"
        hint = f"\n  {NO_PERSON}" if private and decision.source == "policy" else ""
        print(f"warden exec: denied ({decision.source}): {why}{hint}", file=sys.stderr)
        return DENIED
    escalation = outcome.escalation
    if escalation is not None:
        if outcome.rerun is not None:
            verdict = "allowed"
        elif escalation.decision == "allow":
            verdict = f"not approved by a person (allowed by {escalation.source})"
        else:
            verdict = f"denied ({escalation.source}): {escalation.message or 'no reason given'}"
        print(f"warden exec: rerun outside the sandbox {verdict}", file=sys.stderr)
    return outcome.exit_code


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="warden exec",
        description="Ask the gate about one command, then run it confined in this terminal. "
        "Exits with the command's exit code; 126 when denied; 125 when Warden failed.",
    )
    add_gate_options(
        parser,
        "the approval policy of the private gate used when no gate is running "
        "(a running gate's own policy always applies)",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="-- CMD ...")
    return parser
