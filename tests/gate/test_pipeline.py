"""The pipeline end to end (in-process): sources, grants, bulk, pause, timeout, reviewer, log."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from gate.audit import AuditLog
from gate.errors import GateError
from gate.grants import GrantStore
from gate.model import GrantSpec, ReviewResult, Toggles
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from rules.action import Action
from rules.loader import Requirements
from rules.model import Verdict
from rules.paths import user_rules_file


def act(command: str, executor: str = "agent", session: str = "s1", **extra: Any) -> Action:
    return Action.model_validate(
        {
            "kind": "exec",
            "command": command,
            "cwd": "/w",
            "executor": executor,
            "agent": {"name": "claude-code", "session": session},
            **extra,
        }
    )


class FakeReviewer:
    """The reviewer seam with canned answers (the real one is tested against an HTTP server)."""

    def __init__(self, result: ReviewResult | None = None, fail: bool = False) -> None:
        self.result = result or ReviewResult(outcome="approve", risk="low", rationale="fine")
        self.fail = fail
        self.seen: list[str] = []

    async def __call__(self, action: Action, verdict: Verdict) -> ReviewResult:
        self.seen.append(action.summary())
        if self.fail:
            raise RuntimeError("model down")
        return self.result


def make_gate(tmp_path: Path, **kwargs: Any) -> Gate:
    return Gate(
        rulebook=Rulebook(),
        grants=GrantStore(tmp_path / "grants.json"),
        audit=AuditLog(tmp_path / "audit.jsonl"),
        **kwargs,
    )


@pytest.fixture
async def gate(tmp_path: Path) -> AsyncIterator[Gate]:
    g = make_gate(tmp_path)
    yield g
    await g.close()


def records(tmp_path: Path) -> list[dict[str, Any]]:
    lines = (tmp_path / "audit.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


async def wait_pending(gate: Gate, count: int = 1) -> list[str]:
    for _ in range(400):
        if len(gate.pending) >= count:
            return list(gate.pending)
        await asyncio.sleep(0.005)
    raise AssertionError(f"expected {count} pending, have {len(gate.pending)}")


@pytest.mark.parametrize(
    ("command", "executor", "decision", "source"),
    [
        ("git status", "agent", "allow", "builtin"),
        ("rm -rf /", "warden", "deny", "builtin"),
        ("make test", "warden", "allow", "policy"),
    ],
)
async def test_decisions_without_a_person(
    gate: Gate, tmp_path: Path, command: str, executor: str, decision: str, source: str
) -> None:
    result = await gate.submit(act(command, executor), "c1")
    assert (result.decision, result.source) == (decision, source)
    logged = [r for r in records(tmp_path) if r["event"] == "action.decided"]
    assert [(r["action_id"], r["decision"], r["source"]) for r in logged] == [
        (result.action_id, decision, source)
    ]


async def test_person_decides_and_the_decision_is_logged_first(gate: Gate, tmp_path: Path) -> None:
    events = gate.subscribe()
    waiting = asyncio.create_task(gate.submit(act("make deploy"), "c1"))
    (action_id,) = await wait_pending(gate)
    assert (await events.get())["type"] == "queued"
    await gate.decide(action_id, "deny", message="not today")
    result = await waiting
    assert (result.decision, result.source, result.message) == ("deny", "user", "not today")
    kinds = [r["event"] for r in records(tmp_path)]
    assert kinds == ["action.queued", "action.decided"]


async def test_session_grant_covers_later_actions_of_that_session(gate: Gate) -> None:
    first = asyncio.create_task(gate.submit(act("git push origin main"), "c1"))
    (action_id,) = await wait_pending(gate)
    spec = GrantSpec(scope="prefix", value=["git", "push", "origin"])
    await gate.decide(action_id, "allow", grant=spec)
    assert (await first).source == "user"
    again = await gate.submit(act("git push origin feature"), "c1")
    assert (again.decision, again.source) == ("allow", "session")
    other_session = asyncio.create_task(gate.submit(act("git push origin x", session="s2"), "c2"))
    await wait_pending(gate)
    other_session.cancel()
    forced = asyncio.create_task(gate.submit(act("git push --force upstream"), "c1"))
    await wait_pending(gate)
    forced.cancel()


async def test_no_grant_lifts_a_block(gate: Gate) -> None:
    gate.grant_store.add(GrantSpec(scope="exact", value=["rm -rf /"]), "claude-code", "s1")
    result = await gate.submit(act("rm -rf /"), "c1")
    assert (result.decision, result.source) == ("deny", "builtin")


async def test_bulk_decision_answers_every_covered_pending_action(gate: Gate) -> None:
    tasks = [
        asyncio.create_task(gate.submit(act(f"git push origin b{i}"), f"c{i}")) for i in range(3)
    ]
    unrelated = asyncio.create_task(gate.submit(act("make deploy"), "c9"))
    ids = await wait_pending(gate, 4)
    spec = GrantSpec(scope="prefix", value=["git", "push", "origin"])
    answer = await gate.decide(ids[0], "allow", grant=spec, bulk=True)
    assert len(answer["decided"]) == 3
    assert [(await t).decision for t in tasks] == ["allow"] * 3
    assert not unrelated.done()
    unrelated.cancel()


async def test_pause_holds_an_agent_until_resumed(gate: Gate) -> None:
    await gate.pause("claude-code", "s1", True)
    held = asyncio.create_task(gate.submit(act("git status"), "c1"))
    await asyncio.sleep(0.05)
    assert not held.done()
    other = await gate.submit(act("git status", session="s2"), "c2")
    assert other.decision == "allow"
    await gate.pause("claude-code", "s1", False)
    assert (await held).decision == "allow"


async def test_ask_timeout_denies_with_source_timeout(tmp_path: Path) -> None:
    gate = make_gate(tmp_path, ask_timeout=0.05)
    result = await gate.submit(act("make deploy"), "c1")
    assert (result.decision, result.source) == ("deny", "timeout")
    assert not gate.pending
    await gate.close()


async def test_disconnect_cancels_pending_and_logs_it(gate: Gate, tmp_path: Path) -> None:
    waiting = asyncio.create_task(gate.submit(act("make deploy"), "c1"))
    await wait_pending(gate)
    await gate.client_gone("c1")
    with pytest.raises(GateError, match="cancelled"):
        await waiting
    kinds = [r["event"] for r in records(tmp_path)]
    assert kinds == ["action.queued", "action.cancelled"]


async def test_reviewer_approves_low_risk_on_its_own(tmp_path: Path) -> None:
    reviewer = FakeReviewer()
    gate = make_gate(tmp_path, reviewer=reviewer)
    result = await gate.submit(act("make deploy"), "c1")
    assert (result.decision, result.source) == ("allow", "reviewer")
    assert result.reviewer is not None
    assert result.reviewer["risk"] == "low"
    await gate.close()


async def test_reviewer_critical_is_denied_and_medium_waits_for_a_person(tmp_path: Path) -> None:
    critical = FakeReviewer(ReviewResult(outcome="escalate", risk="critical", rationale="wipes"))
    gate = make_gate(tmp_path, reviewer=critical)
    result = await gate.submit(act("make deploy"), "c1")
    assert (result.decision, result.source, result.message) == ("deny", "reviewer", "wipes")
    await gate.close()
    medium = FakeReviewer(ReviewResult(outcome="approve", risk="medium", rationale="hmm"))
    gate = make_gate(tmp_path, reviewer=medium)
    waiting = asyncio.create_task(gate.submit(act("make deploy"), "c1"))
    (action_id,) = await wait_pending(gate)
    await asyncio.sleep(0.02)
    assert gate.pending[action_id].review is not None
    assert not waiting.done()
    await gate.decide(action_id, "allow")
    assert (await waiting).source == "user"
    await gate.close()


async def test_a_failing_reviewer_escalates_never_approves(tmp_path: Path) -> None:
    gate = make_gate(tmp_path, reviewer=FakeReviewer(fail=True))
    waiting = asyncio.create_task(gate.submit(act("make deploy"), "c1"))
    (action_id,) = await wait_pending(gate)
    await asyncio.sleep(0.02)
    review = gate.pending[action_id].review
    assert review is not None
    assert review.error is not None
    assert not waiting.done()
    waiting.cancel()
    await gate.close()


async def test_policy_never_denies_what_would_reach_a_person(tmp_path: Path) -> None:
    gate = make_gate(tmp_path, toggles=Toggles(approval_policy="never"))
    result = await gate.submit(act("make deploy"), "c1")
    assert (result.decision, result.source) == ("deny", "policy")
    await gate.close()


async def test_requirements_restrict_toggles(tmp_path: Path) -> None:
    gate = make_gate(
        tmp_path,
        requirements=Requirements(allowed_approval_policies=("untrusted", "on-request")),
        toggles=Toggles(approval_policy="never"),
    )
    assert gate.toggles().approval_policy == "untrusted"
    with pytest.raises(GateError, match="requirements"):
        await gate.set_toggle("approval_policy", "never")
    changed = await gate.set_toggle("approval_policy", "on-request")
    assert changed.approval_policy == "on-request"
    assert any(r["event"] == "toggle.changed" for r in records(tmp_path))
    await gate.close()


async def test_approve_always_writes_a_rule_and_keeps_comments(gate: Gate) -> None:
    rules = user_rules_file()
    rules.parent.mkdir(parents=True, exist_ok=True)
    rules.write_text("# my rules\nversion = 1\n")
    waiting = asyncio.create_task(gate.submit(act("make deploy"), "c1"))
    (action_id,) = await wait_pending(gate)
    spec = GrantSpec(scope="prefix", value=["make", "deploy"])
    await gate.decide(action_id, "allow", grant=spec, always="user")
    assert (await waiting).decision == "allow"
    assert rules.read_text().startswith("# my rules\nversion = 1\n")
    later = await gate.submit(act("make deploy"), "c1")
    assert (later.decision, later.source) == ("allow", "rules")


async def test_approve_always_previews_the_rule_and_writes_nothing(gate: Gate) -> None:
    waiting = asyncio.create_task(gate.submit(act("make deploy"), "c1"))
    (action_id,) = await wait_pending(gate)
    spec = GrantSpec(scope="prefix", value=["make", "deploy"])
    preview = gate.always_preview(action_id, spec, "user")
    assert (preview.ok, preview.file) == (True, str(user_rules_file()))
    assert 'prefix = ["make", "deploy"]' in preview.rule_text
    assert not user_rules_file().exists()  # a dry run: nothing written
    # No project rules file here: the project target says so before anything is tried.
    project = gate.always_preview(action_id, spec, "project")
    assert not project.ok
    assert "project" in project.reason
    # The narrowest scope when none is named; a guard's hold is said before choosing.
    assert gate.always_preview(action_id, None, "user").ok
    guarded = asyncio.create_task(gate.submit(act("cat ~/.ssh/id_rsa"), "c1"))
    (_, guarded_id) = await wait_pending(gate, 2)
    held = gate.always_preview(guarded_id, None, "user")
    assert not held.ok
    assert held.reason.startswith("not written:")
    assert gate.pending[action_id]  # still waiting for the person
    waiting.cancel()
    guarded.cancel()


async def test_approve_always_refuses_what_a_guard_holds(gate: Gate) -> None:
    waiting = asyncio.create_task(gate.submit(act("cat ~/.ssh/id_rsa"), "c1"))
    (action_id,) = await wait_pending(gate)
    with pytest.raises(GateError):
        await gate.decide(
            action_id,
            "allow",
            grant=GrantSpec(scope="exact", value=["cat ~/.ssh/id_rsa"]),
            always="user",
        )
    waiting.cancel()


async def test_an_unwritable_audit_log_means_no_decision(tmp_path: Path) -> None:
    gate = make_gate(tmp_path)
    await gate.audit.close()
    (tmp_path / "audit.jsonl").chmod(0o400)
    with pytest.raises(GateError, match="audit"):
        await gate.submit(act("git status"), "c1")


async def test_escalations_need_a_person_even_when_rules_or_grants_allow(gate: Gate) -> None:
    gate.grant_store.add(GrantSpec(scope="exact", value=["make deploy"]), "claude-code", "s1")
    waiting = asyncio.create_task(gate.submit(act("git status", "warden", escalate=True), "c1"))
    (action_id,) = await wait_pending(gate)
    await gate.decide(action_id, "deny")
    assert (await waiting).source == "user"
    covered = asyncio.create_task(gate.submit(act("make deploy", "warden", escalate=True), "c1"))
    await wait_pending(gate)
    covered.cancel()


async def test_a_gate_no_one_can_reach_denies_instead_of_waiting(tmp_path: Path) -> None:
    gate = make_gate(tmp_path, ask_person=False)
    result = await gate.submit(act("make deploy"), "c1")
    assert (result.decision, result.source) == ("deny", "policy")
    assert "start Warden" in result.message
    await gate.close()


async def test_a_cancelled_waiter_is_logged_and_announced(gate: Gate, tmp_path: Path) -> None:
    events = gate.subscribe()
    waiting = asyncio.create_task(gate.submit(act("make deploy"), "c1"))
    assert (await asyncio.wait_for(events.get(), 5))["type"] == "queued"
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert (await asyncio.wait_for(events.get(), 5))["type"] == "cancelled"
    assert [r["event"] for r in records(tmp_path)] == ["action.queued", "action.cancelled"]
    assert not gate.pending


async def test_cancelled_while_its_queued_record_is_written(gate: Gate, tmp_path: Path) -> None:
    waiting = asyncio.create_task(gate.submit(act("make deploy"), "c1"))
    await wait_pending(gate)  # registered; the `action.queued` write may still be under way
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert not gate.pending
    assert [r["event"] for r in records(tmp_path)][-1] == "action.cancelled"
