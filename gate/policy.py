"""The approval policy table of DESIGN §4: where an action goes after the rules have spoken."""

from __future__ import annotations

from typing import Literal

from gate.model import ApprovalPolicy, SandboxMode
from rules.action import Action
from rules.globs import expand
from rules.model import Verdict
from rules.signals import outside

Route = Literal["allow", "deny", "sandbox", "person", "review-or-deny"]
"""`allow`/`deny`: the rules decided. `sandbox`: run it confined, no one asked. `person`: the
reviewer, then a person. `review-or-deny`: the reviewer may approve; otherwise denied."""


def route(
    verdict: Verdict,
    action: Action,
    policy: ApprovalPolicy,
    sandbox_mode: SandboxMode = "workspace-write",
    writable_roots: tuple[str, ...] = (),
    unknown_hosts: Literal["ask", "block"] = "ask",
) -> Route:
    """Where an action goes, given the rules' verdict and the session's policy.

    `block` is final under every policy, and so is `allow` except for an escalation (a request
    to run outside the sandbox), which always needs a person. A real `ask` (a rule, a guard,
    an opaque command) goes to the reviewer and then a person, or is denied under `never`. An
    unmatched action depends on who runs it: Warden's sandbox can contain it, an agent's own
    process cannot (and neither can Warden under `danger-full-access`).
    """
    if verdict.decision == "block":
        return "deny"
    if action.escalate:
        # Leaving the sandbox: a person decides, even for a command the rules allow inside
        # it; `never` never asks, so it denies.
        return "deny" if policy == "never" else "person"
    if verdict.decision == "allow":
        return "allow"
    if action.kind == "network" and verdict.unmatched and unknown_hosts == "block":
        return "deny"
    to_person: Route = "review-or-deny" if policy == "never" else "person"
    if not verdict.unmatched or action.kind == "network":
        return to_person  # an unknown host is a question under every policy
    confined = action.executor == "warden" and sandbox_mode != "danger-full-access"
    if not confined or policy == "untrusted":
        return to_person
    if policy == "on-request" and _needs_person_in_sandbox(action, writable_roots):
        return "person"
    return "sandbox"


def _needs_person_in_sandbox(action: Action, writable_roots: tuple[str, ...]) -> bool:
    """Under `on-request`: writes outside the writable roots still ask."""
    if action.kind == "write" and action.path is not None:
        target = expand(action.path, action.cwd)
        roots = [action.cwd, *writable_roots] if action.cwd else list(writable_roots)
        return all(outside(target, root) for root in roots)
    return False
