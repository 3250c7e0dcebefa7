"""Every row of the DESIGN §4 policy table, for actions Warden runs and actions agents run."""

from __future__ import annotations

import pytest

from gate.policy import route
from rules.action import Action
from rules.model import PartVerdict, Verdict

POLICIES = ("untrusted", "on-request", "on-failure", "never")


def verdict(decision: str, source: str = "rules") -> Verdict:
    part = PartVerdict(text="x", decision=decision, source=source)  # type: ignore[arg-type]
    return Verdict(decision=decision, source=source, parts=[part], signals=[])  # type: ignore[arg-type]


ALLOW = verdict("allow")
BLOCK = verdict("block", "builtin")
ASK = verdict("ask", "rules")
OPAQUE = verdict("ask", "builtin")
UNMATCHED = verdict("ask", "fallback")


def exec_action(executor: str, **extra: object) -> Action:
    return Action.model_validate(
        {"kind": "exec", "command": "make", "cwd": "/w", "executor": executor, **extra}
    )


# (rules outcome, executor) → route under untrusted, on-request, on-failure, never
TABLE = [
    (ALLOW, "warden", ("allow", "allow", "allow", "allow")),
    (ALLOW, "agent", ("allow", "allow", "allow", "allow")),
    (BLOCK, "warden", ("deny", "deny", "deny", "deny")),
    (BLOCK, "agent", ("deny", "deny", "deny", "deny")),
    (ASK, "warden", ("person", "person", "person", "review-or-deny")),
    (ASK, "agent", ("person", "person", "person", "review-or-deny")),
    (OPAQUE, "warden", ("person", "person", "person", "review-or-deny")),
    (OPAQUE, "agent", ("person", "person", "person", "review-or-deny")),
    (UNMATCHED, "warden", ("person", "sandbox", "sandbox", "sandbox")),
    (UNMATCHED, "agent", ("person", "person", "person", "review-or-deny")),
]


@pytest.mark.parametrize(("outcome", "executor", "expected"), TABLE)
def test_policy_table(outcome: Verdict, executor: str, expected: tuple[str, ...]) -> None:
    got = tuple(route(outcome, exec_action(executor), p) for p in POLICIES)  # type: ignore[arg-type]
    assert got == expected


def test_escalation_out_of_the_sandbox_asks_a_person_except_under_never() -> None:
    action = exec_action("warden", escalate=True, justification="needs the network")
    for outcome in (UNMATCHED, ALLOW, ASK):
        got = tuple(route(outcome, action, p) for p in POLICIES)  # type: ignore[arg-type]
        assert got == ("person", "person", "person", "deny")
    assert route(BLOCK, action, "on-request") == "deny"


def test_on_request_asks_for_writes_outside_the_writable_roots() -> None:
    inside = Action(kind="write", path="src/x.py", cwd="/w", executor="warden")
    outside = Action(kind="write", path="/etc/hosts", cwd="/w", executor="warden")
    extra_root = Action(kind="write", path="/data/out.csv", cwd="/w", executor="warden")
    assert route(UNMATCHED, inside, "on-request") == "sandbox"
    assert route(UNMATCHED, outside, "on-request") == "person"
    assert route(UNMATCHED, extra_root, "on-request", writable_roots=("/data",)) == "sandbox"
    assert route(UNMATCHED, outside, "on-failure") == "sandbox"


def test_unknown_hosts_ask_or_are_blocked() -> None:
    action = Action(kind="network", host="example.org", port=443, executor="warden")
    assert route(UNMATCHED, action, "on-request") == "person"
    assert route(UNMATCHED, action, "on-request", unknown_hosts="block") == "deny"
    assert route(UNMATCHED, action, "on-failure") == "person"
    assert route(UNMATCHED, action, "never") == "review-or-deny"


def test_nothing_confines_warden_under_danger_full_access() -> None:
    action = exec_action("warden")
    assert route(UNMATCHED, action, "on-request", "danger-full-access") == "person"
    assert route(UNMATCHED, action, "never", "danger-full-access") == "review-or-deny"
