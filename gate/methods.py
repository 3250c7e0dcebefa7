"""The methods of the two sockets: what agents may call, and what consoles may call."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gate.model import Event, GrantSpec
from gate.rpc import INVALID_REQUEST, Connection, Method, RpcError, Streamed
from rules.action import Action, AgentRef

if TYPE_CHECKING:
    from gate.pipeline import Gate


class Params(BaseModel):
    """Named parameters; unknown names are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class HelloParams(Params):
    """`hello`: who the agent is."""

    agent: AgentRef


class SubmitParams(Params):
    """`submit`: the action to decide (DESIGN §2)."""

    action: Action


class ActionParams(Params):
    """`cancel`, `scopes` and `review`: which action."""

    action_id: str


class ResultParams(Params):
    """`result`: how an allowed action went."""

    action_id: str
    exit_code: int
    duration_ms: float = Field(ge=0)


class DecideParams(Params):
    """`decide`: a person's answer to a pending action."""

    action_id: str
    decision: Literal["allow", "deny"]
    message: str = ""
    grant: GrantSpec | None = None
    always: Literal["user", "project"] | None = None
    bulk: bool = False


class AlwaysParams(Params):
    """`always_preview`: the pending action, the scope and the rules file to preview."""

    action_id: str
    grant: GrantSpec | None = None
    always: Literal["user", "project"] = "user"


class GrantsParams(Params):
    """`grants`: all of them, or one agent (session)'s."""

    agent: str | None = None
    session: str | None = None


class RevokeParams(Params):
    """`revoke`: which grant."""

    grant_id: str


class SetToggleParams(Params):
    """`set_toggle`: a session setting and its new value."""

    name: str
    value: Any


class PauseParams(Params):
    """`pause`: hold or release an agent, or one of its sessions."""

    agent: str
    session: str | None = None
    paused: bool = True


def agent_methods(gate: Gate) -> dict[str, Method[Any]]:
    """The agent socket's methods. None of them can approve anything."""

    async def hello(params: HelloParams, conn: Connection) -> dict[str, Any]:
        return gate.hello(conn.client, params.agent)

    async def submit(params: SubmitParams, conn: Connection) -> dict[str, Any]:
        decision = await gate.submit(params.action, conn.client)
        return decision.model_dump(mode="json")

    async def cancel(params: ActionParams, conn: Connection) -> dict[str, Any]:
        return {"cancelled": await gate.cancel(params.action_id, conn.client)}

    async def result(params: ResultParams, conn: Connection) -> dict[str, Any]:
        await gate.result(params.action_id, params.exit_code, params.duration_ms)
        return {}

    return {
        "hello": Method(HelloParams, hello),
        "submit": Method(SubmitParams, submit),
        "cancel": Method(ActionParams, cancel),
        "result": Method(ResultParams, result),
    }


def console_methods(gate: Gate) -> dict[str, Method[Any]]:
    """The console socket's methods: watch the queue, decide, re-review, grants and toggles."""

    async def watch(params: Params, conn: Connection) -> Streamed:
        if conn.streaming:
            raise RpcError(INVALID_REQUEST, "this connection is already watching")
        queue = gate.subscribe()  # before the snapshot, so no event falls between the two
        conn.on_close(lambda: gate.unsubscribe(queue))
        return Streamed(gate.snapshot(), _events(queue))

    async def decide(params: DecideParams, conn: Connection) -> dict[str, Any]:
        return await gate.decide(
            params.action_id,
            params.decision,
            params.message,
            grant=params.grant,
            always=params.always,
            bulk=params.bulk,
        )

    async def scopes(params: ActionParams, conn: Connection) -> dict[str, Any]:
        return {"scopes": [s.model_dump(mode="json") for s in gate.scopes(params.action_id)]}

    async def always_preview(params: AlwaysParams, conn: Connection) -> dict[str, Any]:
        planned = gate.always_preview(params.action_id, params.grant, params.always)
        return {
            "ok": planned.ok,
            "file": planned.file,
            "rule": planned.rule_text,
            "reason": planned.reason,
        }

    async def review(params: ActionParams, conn: Connection) -> dict[str, Any]:
        return await gate.review(params.action_id)

    async def grants(params: GrantsParams, conn: Connection) -> dict[str, Any]:
        found = gate.grants(params.agent, params.session)
        return {"grants": [g.model_dump(mode="json") for g in found]}

    async def revoke(params: RevokeParams, conn: Connection) -> dict[str, Any]:
        return {"revoked": await gate.revoke(params.grant_id)}

    async def toggles(params: Params, conn: Connection) -> dict[str, Any]:
        return gate.toggles().model_dump(mode="json")

    async def set_toggle(params: SetToggleParams, conn: Connection) -> dict[str, Any]:
        return (await gate.set_toggle(params.name, params.value)).model_dump(mode="json")

    async def pause(params: PauseParams, conn: Connection) -> dict[str, Any]:
        await gate.pause(params.agent, params.session, params.paused)
        return {}

    return {
        "watch": Method(Params, watch),
        "decide": Method(DecideParams, decide),
        "scopes": Method(ActionParams, scopes),
        "review": Method(ActionParams, review),
        "always_preview": Method(AlwaysParams, always_preview),
        "grants": Method(GrantsParams, grants),
        "revoke": Method(RevokeParams, revoke),
        "toggles": Method(Params, toggles),
        "set_toggle": Method(SetToggleParams, set_toggle),
        "pause": Method(PauseParams, pause),
    }


async def _events(queue: asyncio.Queue[Event]) -> AsyncIterator[tuple[str, Any]]:
    while True:
        yield "event", await queue.get()
