"""Ask the gate about an action, or the rules alone when no gate answers (stdlib on the way in).

The shims never fail open: anything here that goes wrong raises, and the shim exits 2.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal, NamedTuple

from gate.client import GateAbsent, GateClient, GateProtocolError, GateTimeout
from gate.errors import GateError

# Content and diffs over this are cut before sending (the gate would cut them anyway, and a
# protocol line is at most 1 MiB); the size and hash of the content are kept.
CONTENT_LIMIT = 64 * 1024
START_WARDEN = "start Warden: `warden`"
# The hook timeout `warden hooks install` writes, in seconds. The shim answers 30 s before it
# passes, because an agent that times a hook out may let the tool run.
HOOK_TIMEOUT = 600
WAIT = HOOK_TIMEOUT - 30


class Answer(NamedTuple):
    """What Warden says about one action.

    `ask` means no decision came within the wait limit: the agent's own prompt takes over
    where it has one, and the shim denies where it has none.
    """

    decision: Literal["allow", "deny", "ask"]
    message: str


def decide(action: dict[str, Any], wait: float, socket: str | None = None) -> Answer:
    """Submit an action to the gate and wait at most `wait` seconds for its decision.

    Args:
        action: The action, the flat JSON of DESIGN §2.
        wait: Seconds to wait for the decision; past it the action is withdrawn.
        socket: The agent socket; default `$WARDEN_SOCKET`, else the runtime dir's.

    Returns:
        The gate's decision; `ask` when the wait passed; the rules' own answer when no gate
        answers at all.

    Raises:
        Exception: the rules cannot judge the action either (the shim then blocks with exit 2).
    """
    try:
        with GateClient(socket, timeout=wait) as client:  # leaving it withdraws the action
            result = client.call("submit", {"action": action})
    except GateAbsent:
        return rules_only(action)
    except GateTimeout:
        return Answer("ask", f"Warden did not decide within {round(wait, 1):g} s")
    except GateProtocolError as exc:
        return Answer("deny", f"Warden refused the action: {exc.message}")
    except GateError as exc:
        return Answer("deny", f"Warden refused the action: {exc}")
    if not isinstance(result, dict):
        return Answer("deny", "Warden refused the action: the gate answered without a decision")
    decision = result.get("decision")
    if decision not in ("allow", "deny"):
        raise GateError(f"the gate answered {decision!r}, not allow or deny")
    return Answer(decision, str(result.get("message") or ""))


def rules_only(action: dict[str, Any]) -> Answer:
    """The rules' answer when no gate runs: allow what they allow, deny the rest.

    Imports the rules engine (pydantic, tree-sitter) only here, off the normal path.
    """
    from rules.action import Action
    from rules.engine import default_engine

    verdict = default_engine(action.get("cwd")).judge(Action.model_validate(action))
    if verdict.decision == "allow":
        return Answer("allow", "allowed by Warden's rules (Warden is not running)")
    why = next((p.why for p in verdict.parts if p.decision == verdict.decision and p.why), "")
    if verdict.decision == "block":
        return Answer("deny", f"blocked by Warden's rules: {why or 'a rule blocks it'}")
    return Answer("deny", f"Warden is not running and no rule allows this; {START_WARDEN}")


def bounded(fields: dict[str, Any], content: str | None, diff: str | None) -> dict[str, Any]:
    """Add content and diff to a write action, cut to the protocol's limit (size, hash kept)."""
    if content is not None:
        raw = content.encode()
        fields["content_size"] = len(raw)
        fields["content_sha256"] = hashlib.sha256(raw).hexdigest()
        fields["content"] = raw[:CONTENT_LIMIT].decode(errors="ignore")
    if diff:
        fields["diff"] = diff.encode()[:CONTENT_LIMIT].decode(errors="ignore")
    return fields
