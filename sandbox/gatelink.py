"""Reaching a gate: the one at `$WARDEN_SOCKET` when it answers, else a private headless one."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from gate.client import AsyncGateClient, GateUnavailable
from gate.config import ApprovalPolicy
from rules.action import AgentRef
from sandbox.judge import Judge, LocalJudge, RemoteJudge
from sandbox.proxy import NetworkProxy
from sandbox.spec import MODES, Mode, SandboxSpec

POLICIES: tuple[ApprovalPolicy, ...] = get_args(ApprovalPolicy)
PRIVATE_POLICY_HELP = "approval policy of the private gate used when no gate is running"


def add_gate_options(
    parser: argparse.ArgumentParser, policy_help: str = PRIVATE_POLICY_HELP
) -> None:
    """`--policy` and `--mode`, as every command that runs things through the gate takes them."""
    parser.add_argument("--policy", choices=POLICIES, help=policy_help)
    parser.add_argument(
        "--mode", choices=MODES, help="sandbox mode (default: the gate's; never looser than it)"
    )


NO_PERSON = (
    "no console is running to ask a person: start the console or `warden serve` in another "
    "terminal (agents and `warden exec` then use it), or add a rule"
)


@dataclass(frozen=True, slots=True)
class GateLink:
    """A gate to judge actions by, and whether it is a private one no person can reach.

    Attributes:
        judge: The gate, in this process or over its agent socket.
        private: True for a headless gate of this process: what needs a person is denied.
        where: Where the gate is, for people: its socket, or "a private headless gate".
    """

    judge: Judge
    private: bool
    where: str


@asynccontextmanager
async def gate_link(
    agent: AgentRef, policy: ApprovalPolicy | None = None, mode: Mode | None = None
) -> AsyncIterator[GateLink]:
    """Connect to the running gate, or start a private headless gate for as long as the block.

    A running gate keeps its own policy and sandbox mode: `policy` and `mode` only configure
    the private gate (`mode` becomes its sandbox mode, so the executor runs in it).

    Args:
        agent: Who is asking (said in `hello`, and the private gate's client name).
        policy: The private gate's approval policy (default: the config's).
        mode: The private gate's sandbox mode (default: the config's).

    Raises:
        ConfigError, RulesError, GateError: the private gate could not be built from the
            config, rules or requirements.
    """
    client = AsyncGateClient()
    try:
        await client.hello(agent.model_dump())
    except GateUnavailable:
        await client.close()
    else:
        try:
            yield GateLink(RemoteJudge(client), private=False, where=str(client.path))
        finally:
            await client.close()
        return
    from gate.pipeline import Gate

    # No console can answer a question here: anything that needs a person is denied at once.
    gate = Gate.from_settings(policy=policy, ask_person=False)
    try:
        if mode is not None:
            await gate.set_toggle("sandbox_mode", mode)
        yield GateLink(LocalJudge(gate, agent.name), private=True, where="a private headless gate")
    finally:
        await gate.close()


@asynccontextmanager
async def proxied_sandbox(
    judge: Judge,
    agent: AgentRef,
    workspace: Path,
    mode: Mode,
    roots: tuple[Path, ...] = (),
    trigger: str = "",
) -> AsyncIterator[SandboxSpec]:
    """A sandbox over `workspace`, its network through a proxy of its own, while the block runs.

    The proxy asks the same gate about each new host, on behalf of `agent`.

    Args:
        judge: The gate the proxy's network questions go to.
        agent: Whose connections they are.
        workspace: The project folder (and where commands start).
        mode: The sandbox mode.
        roots: More writable folders.
        trigger: The command line the sandbox runs, shown with each network question.
    """
    with tempfile.TemporaryDirectory(prefix="warden-proxy-") as folder:
        socket = Path(folder) / "proxy.sock"
        async with NetworkProxy(judge, socket, agent, str(workspace), trigger):
            yield SandboxSpec(
                workspace=workspace,
                mode=mode,
                writable_roots=roots,
                network="proxy",
                proxy_socket=socket,
                cwd=workspace,
            )
