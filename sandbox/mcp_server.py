"""`warden mcp`'s server: the gated tools over MCP (stdio), each call judged, then run confined.

A call the gate puts in front of a person stays pending until the person decides (no timeout
here); when the client asked for progress, a notification goes out every few seconds meanwhile,
which keeps clients that reset their timeout on progress waiting. A call the client cancels is
taken off the console's queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import mcp_types as types
from mcp.server import Server, ServerRequestContext

from gate.errors import GateError
from rules.errors import RulesError
from sandbox.errors import SandboxUnavailable
from sandbox.tool_specs import TOOL_SPECS
from sandbox.tools import GatedTools, ToolResult

NAME = "warden"
HEARTBEAT_S = 5.0
INSTRUCTIONS = (
    "Warden's gated tools: every call is judged by Warden's rules, its reviewer or the person "
    "at its console before it runs in a sandbox. A call may wait for that person; a denied "
    "call returns the reason."
)


def build_server(
    tools: GatedTools, version: str = "", heartbeat_s: float = HEARTBEAT_S
) -> Server[object]:
    """An MCP server offering `shell`, `read_file`, `write_file` and `fetch` through `tools`.

    Args:
        tools: The gated tools (gate, sandbox and agent session) the calls go to.
        version: Warden's version, for the client.
        heartbeat_s: Seconds between progress notifications while a call waits.
    """

    async def list_tools(
        ctx: ServerRequestContext[object], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name=spec.name,
                    description=spec.description,
                    input_schema=spec.schema,
                    annotations=types.ToolAnnotations(
                        read_only_hint=spec.read_only, open_world_hint=spec.name == "fetch"
                    ),
                )
                for spec in TOOL_SPECS
            ]
        )

    async def call_tool(
        ctx: ServerRequestContext[object], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        async with _heartbeat(ctx, heartbeat_s):
            try:
                result = await tools.call(params.name, params.arguments or {})
            except (GateError, RulesError, SandboxUnavailable) as exc:
                result = ToolResult(f"Warden failed, so nothing ran: {exc}", error=True)
        return types.CallToolResult(
            content=[types.TextContent(text=result.text)], is_error=result.error
        )

    return Server(
        NAME,
        version=version,
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


@contextlib.asynccontextmanager
async def _heartbeat(ctx: ServerRequestContext[object], every_s: float) -> AsyncIterator[None]:
    """Progress every few seconds while a call waits for the gate or runs (when asked for)."""

    async def beat() -> None:
        started = time.monotonic()
        beats = 0
        while True:
            await asyncio.sleep(every_s)
            beats += 1
            waited = round(time.monotonic() - started)
            message = f"waiting {waited} s: Warden's decision (maybe a person's) or the command"
            await ctx.session.report_progress(beats, None, message)

    task = asyncio.ensure_future(beat())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
