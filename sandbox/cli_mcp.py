"""`warden mcp`: serve the gated tools to any MCP client over stdio (one session per process)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid
from pathlib import Path

from gate.config import ApprovalPolicy, load_config
from gate.errors import GateError
from rules.action import AgentRef
from rules.errors import RulesError
from sandbox.cli_sandbox import Parser
from sandbox.dialing import DialingJudge
from sandbox.errors import SandboxError
from sandbox.gatelink import add_gate_options, proxied_sandbox
from sandbox.spec import Mode, gate_mode
from sandbox.tools import GatedTools

AGENT = "mcp"
WARDEN_FAILED = 125


def main(argv: list[str]) -> int:
    """Run `warden mcp [--policy P] [--mode M] [--workspace DIR]` until the client hangs up.

    Args:
        argv: The arguments after `warden mcp`.

    Returns:
        0 when the client closed the connection; 125 when Warden could not start (a broken
        config or rules file); 130 on Ctrl-C.
    """
    args = _parser().parse_args(argv)
    workspace = Path(args.workspace or Path.cwd()).expanduser().resolve()
    if not workspace.is_dir():
        print(f"warden mcp: the workspace {workspace} is not a folder", file=sys.stderr)
        return WARDEN_FAILED
    try:
        roots = tuple(Path(r).expanduser() for r in load_config().sandbox.writable_roots)
        asyncio.run(_serve(workspace, roots, args.policy, args.mode))
    except (GateError, RulesError, SandboxError) as exc:
        print(f"warden mcp: {exc}", file=sys.stderr)
        return WARDEN_FAILED
    except KeyboardInterrupt:
        return 130
    return 0


async def _serve(
    workspace: Path, roots: tuple[Path, ...], policy: ApprovalPolicy | None, mode: Mode | None
) -> None:
    from mcp.server.stdio import stdio_server

    from sandbox.mcp_server import build_server

    agent = AgentRef(name=AGENT, session=f"mcp-{os.getpid()}-{uuid.uuid4().hex[:6]}")
    # The console may start, stop or restart while the client's session lasts: the gate is
    # looked for again while none answers, and after a lost connection.
    judge = DialingJudge(agent, policy, mode)
    try:
        toggles = await judge.toggles() or {}  # also fails early on a broken config
        chosen: Mode = mode or gate_mode(toggles)
        # stderr is the client's log.
        print(f"warden mcp: sandbox {chosen}; workspace {workspace}", file=sys.stderr)
        async with proxied_sandbox(judge, agent, workspace, chosen, roots) as spec:
            server = build_server(GatedTools(judge, spec, agent), version=_version())
            async with stdio_server() as (read, write):
                await server.run(read, write, server.create_initialization_options())
    finally:
        await judge.close()


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="warden mcp",
        description="An MCP server (stdio) offering shell, read_file, write_file and fetch: "
        "each call is judged by the gate at $WARDEN_SOCKET (the console) when one answers, "
        "else by a private one, and runs in the sandbox.",
    )
    parser.add_argument(
        "--workspace", help="the project folder tools work in (default: the current folder)"
    )
    add_gate_options(parser)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("warden-console")
    except PackageNotFoundError:
        return ""
