"""The two-step decisions: ask the gate for scopes, let the person choose, then decide."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.always_modal import AlwaysModal
from tui.queue_state import summary_of
from tui.scope_modal import ScopeModal

if TYPE_CHECKING:
    from tui.app import WardenApp


async def approve_with_scope(
    app: WardenApp, pending: dict[str, Any], decision: str, bulk: bool
) -> None:
    """For the session (`s`) or in bulk (`Y`/`N`): a scope from the gate, then `decide`."""
    action_id = pending["action"]["id"]
    scopes = await app.gate_call("scopes", {"action_id": action_id})
    if not scopes or not scopes["scopes"]:
        app.notify("The gate offers no scope for this action.", severity="warning")
        return
    verb = "Approve" if decision == "allow" else "Deny"
    title = f"{verb} every pending action covered by:" if bulk else "Approve for this session:"
    note = (
        "The grant stays until the session ends or it is revoked."
        if decision == "allow"
        else "No grant is kept: only the actions waiting now are denied."
    )
    spec = await app.push_screen_wait(ScopeModal(title, scopes["scopes"], note))
    if spec is not None:
        params = {"action_id": action_id, "decision": decision, "grant": spec, "bulk": bulk}
        await app.gate_call("decide", params)


async def approve_always(app: WardenApp, pending: dict[str, Any]) -> None:
    """Always (`a`): a scope and a rules file; the gate writes the rule or says why not."""
    action_id = pending["action"]["id"]
    scopes = await app.gate_call("scopes", {"action_id": action_id})
    if not scopes or not scopes["scopes"]:
        app.notify("Nothing here can be approved always.", severity="warning")
        return
    summary = summary_of(pending["action"])

    async def preview(target: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        params = {"action_id": action_id, "grant": spec, "always": target}
        answer: dict[str, Any] | None = await app.gate_call("always_preview", params)
        return answer

    choice = await app.push_screen_wait(AlwaysModal(summary, scopes["scopes"], preview))
    if choice is not None:
        target, spec = choice
        params = {"action_id": action_id, "decision": "allow", "grant": spec, "always": target}
        await app.gate_call("decide", params)
