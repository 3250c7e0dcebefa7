"""The executor with a real in-process gate and real bubblewrap: decide, run, report, escalate."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sandbox_tree import Tree, next_event

from gate.audit import AuditLog
from gate.grants import GrantStore
from gate.model import Event, Toggles
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from rules.action import Action, AgentRef
from sandbox.executor import execute
from sandbox.spec import SandboxSpec, gate_mode


def make_gate(root: Path, policy: str = "on-request", mode: str = "workspace-write") -> Gate:
    return Gate(
        rulebook=Rulebook(),
        grants=GrantStore(root / "grants.json"),
        audit=AuditLog(root / "audit.jsonl"),
        toggles=Toggles(auto_review=False, approval_policy=policy, sandbox_mode=mode),
    )


def exec_action(argv: list[str], cwd: Path) -> Action:
    return Action(
        kind="exec", argv=argv, cwd=str(cwd), executor="warden", agent=AgentRef(name="test")
    )


def audit(root: Path, event: str) -> list[dict[str, Any]]:
    records = [json.loads(line) for line in (root / "audit.jsonl").read_text().splitlines()]
    return [r for r in records if r["event"] == event]


async def test_allowed_command_runs_confined_and_its_result_is_logged(tree: Tree) -> None:
    gate = make_gate(tree.root)
    action = exec_action(["sh", "-c", "echo out; echo err >&2; exit 3"], tree.workspace)
    outcome = await execute(action, SandboxSpec(workspace=tree.workspace), gate)
    await gate.close()
    assert outcome.decision.decision == "allow"
    assert outcome.result is not None
    assert (outcome.exit_code, outcome.result.confined) == (3, True)
    assert (outcome.result.stdout, outcome.result.stderr) == (b"out\n", b"err\n")
    [result] = audit(tree.root, "action.result")
    assert (result["action_id"], result["exit_code"]) == (outcome.decision.action_id, 3)


async def test_output_is_bounded(tree: Tree) -> None:
    gate = make_gate(tree.root)
    action = exec_action(["head", "-c", "100000", "/dev/zero"], tree.workspace)
    outcome = await execute(action, SandboxSpec(workspace=tree.workspace), gate, max_output=1000)
    await gate.close()
    assert outcome.result is not None
    assert (len(outcome.result.stdout), outcome.result.truncated) == (1000, True)


async def test_denied_action_does_not_run(tree: Tree) -> None:
    gate = make_gate(tree.root)
    action = exec_action(["mkfs.ext4", str(tree.outside / "disk")], tree.workspace)
    outcome = await execute(action, SandboxSpec(workspace=tree.workspace), gate)
    await gate.close()
    assert (outcome.decision.decision, outcome.result, outcome.exit_code) == ("deny", None, 126)
    assert audit(tree.root, "action.result") == []


async def test_a_write_action_runs_inside_the_sandbox(tree: Tree) -> None:
    gate = make_gate(tree.root, policy="never")
    spec = SandboxSpec(workspace=tree.workspace)
    inside = Action(
        kind="write",
        path="notes.txt",
        content="hello\n",
        cwd=str(tree.workspace),
        executor="warden",
    )
    outside = inside.model_copy(update={"path": str(tree.outside / "target")})
    wrote, refused = await execute(inside, spec, gate), await execute(outside, spec, gate)
    await gate.close()
    assert (wrote.exit_code, (tree.workspace / "notes.txt").read_text()) == (0, "hello\n")
    assert refused.exit_code != 0
    assert (tree.outside / "target").read_text() == "original\n"


async def test_mode_is_never_looser_than_the_gates(tree: Tree) -> None:
    gate = make_gate(tree.root, policy="never", mode="workspace-write")
    target = tree.outside / "new"
    spec = SandboxSpec(workspace=tree.workspace, mode="danger-full-access")
    outcome = await execute(exec_action(["touch", str(target)], tree.workspace), spec, gate)
    await gate.close()
    assert (outcome.mode, outcome.exit_code, target.exists()) == ("workspace-write", 1, False)


async def escalate(tree: Tree, answer: str) -> tuple[Any, Event]:
    gate = make_gate(tree.root, policy="on-failure")
    events = gate.subscribe()
    target = tree.outside / "new"
    action = exec_action(["touch", str(target)], tree.workspace)
    running = asyncio.create_task(execute(action, SandboxSpec(workspace=tree.workspace), gate))
    queued = (await next_event(events, "queued"))["pending"]["action"]
    await gate.decide(queued["id"], answer)
    outcome = await running
    await gate.close()
    return outcome, queued


async def test_on_failure_escalation_approved_reruns_outside(tree: Tree) -> None:
    outcome, asked = await escalate(tree, "allow")
    assert asked["escalate"] is True
    assert "rerun outside the sandbox?" in asked["justification"]
    assert "Read-only file system" in asked["justification"]
    assert outcome.result.exit_code == 1
    assert outcome.result.confined
    assert outcome.rerun.confined is False
    assert (outcome.exit_code, (tree.outside / "new").exists()) == (0, True)
    assert [r["exit_code"] for r in audit(tree.root, "action.result")] == [1, 0]


async def test_on_failure_escalation_denied_keeps_the_failure(tree: Tree) -> None:
    outcome, _ = await escalate(tree, "deny")
    assert outcome.escalation.decision == "deny"
    assert (outcome.rerun, outcome.exit_code, (tree.outside / "new").exists()) == (None, 1, False)
    assert "Read-only file system" in outcome.evidence[0]


async def test_no_escalation_for_a_plain_failure_or_another_policy(tree: Tree) -> None:
    gate = make_gate(tree.root, policy="on-failure")
    spec = SandboxSpec(workspace=tree.workspace)
    plain = await execute(exec_action(["sh", "-c", "exit 2"], tree.workspace), spec, gate)
    await gate.set_toggle("approval_policy", "never")
    refused = exec_action(["touch", str(tree.outside / "new")], tree.workspace)
    never = await execute(refused, spec, gate)
    await gate.close()
    assert (plain.exit_code, plain.escalation, plain.evidence) == (2, None, ())
    assert (never.exit_code, never.escalation) == (1, None)


async def test_an_allow_rule_does_not_approve_leaving_the_sandbox(tree: Tree) -> None:
    rules = tree.root / "rules.toml"
    rules.write_text(
        'version = 1\n[[command]]\nid = "t.touch"\nprefix = [["touch"]]\n'
        'decision = "allow"\nreason = "test"\n'
    )
    gate = make_gate(tree.root, policy="on-failure")
    gate.rulebook = Rulebook(extra=[rules])
    events = gate.subscribe()
    target = tree.outside / "new"
    action = exec_action(["touch", str(target)], tree.workspace)
    running = asyncio.create_task(execute(action, SandboxSpec(workspace=tree.workspace), gate))
    queued = (await next_event(events, "queued"))["pending"]["action"]
    assert queued["escalate"] is True  # the rule allowed it inside; leaving needs a person
    await gate.decide(queued["id"], "deny")
    outcome = await running
    await gate.close()
    assert outcome.escalation is not None
    assert (outcome.escalation.decision, outcome.escalation.source) == ("deny", "user")
    assert (outcome.rerun, outcome.exit_code, target.exists()) == (None, 1, False)


@pytest.mark.parametrize(
    ("toggles", "mode"),
    [
        ({"sandbox_mode": "read-only"}, "read-only"),
        ({"sandbox_mode": "danger-full-access"}, "danger-full-access"),
        ({"sandbox_mode": "unheard-of"}, "workspace-write"),
        ({}, "workspace-write"),
        (None, "workspace-write"),
    ],
)
def test_only_a_gate_known_to_be_unconfined_lets_things_run_unconfined(
    toggles: dict[str, object] | None, mode: str
) -> None:
    assert gate_mode(toggles) == mode
