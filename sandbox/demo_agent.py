"""The scripted demo agent: replays a scenario through the gate and the sandbox, in throwaway dirs.

It works in a small git repo inside a throwaway `HOME` (never the user's files, whatever the
person approves), submits each action as agent `demo` with executor `warden`, runs what is
allowed with the executor in `workspace-write` mode (its network through Warden's proxy), and
reports each result to the gate. When bubblewrap cannot start, the executor is off: every action
is still decided and logged, nothing runs, and the status says so.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gate.client import AsyncGateClient
from rules.action import Action, ActionContext, AgentRef, Decision, Turn
from sandbox.demo_agent_scenario import BUNDLED, Scenario, ScenarioError, Step, load_scenario
from sandbox.demo_agent_workspace import Throwaway, make_throwaway, remove_stale
from sandbox.errors import SandboxError
from sandbox.executor import execute
from sandbox.judge import Judge, RemoteJudge
from sandbox.proxy import NetworkProxy
from sandbox.runner import check
from sandbox.spec import SandboxSpec, default_hidden

AGENT_NAME = "demo"
TURNS_KEPT = 3
TIMEOUT_S = 120.0


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """How the demo runs.

    Attributes:
        keep: Keep the throwaway dirs at the end (they are removed otherwise).
        pace: Multiplies each step's pause (0: no pauses).
        scenario: The scenario file (the bundled one by default).
        world: Throwaway dirs made (and removed) by the caller; None: the agent makes its own.
        hidden: More folders no command of the demo sees (the person's own Warden dirs, when
            the demo runs a Warden of its own).
    """

    keep: bool = False
    pace: float = 1.0
    scenario: Path = BUNDLED
    world: Throwaway | None = None
    hidden: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class DemoStatus:
    """What the demo tells the person: where it works, whether anything runs, what it did last."""

    about: str
    step: str
    executor_on: bool
    finished: bool = False


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """What became of one step: the gate's decision and, when it ran, its exit code."""

    step: Step
    decision: Decision
    exit_code: int | None = None


Reporter = Callable[[DemoStatus], None]


async def run_demo_agent(
    agent_socket: str | os.PathLike[str] | None,
    options: DemoOptions,
    report: Reporter,
) -> list[StepOutcome]:
    """Set up the throwaway dirs, replay the scenario through the gate, then clean up.

    Args:
        agent_socket: The gate's agent socket (default: `$WARDEN_SOCKET`, else the default).
        options: Pace, scenario and whether to keep the throwaway dirs.
        report: Called with the new status whenever it changes.

    Returns:
        One outcome per step taken (fewer when the gate went away).

    Raises:
        GateError: no gate answers at the socket.
        ScenarioError: the scenario file is broken.
        DemoSetupError: the throwaway workspace could not be made.
    """
    scenario = load_scenario(options.scenario)
    world = options.world
    if world is None:
        await asyncio.to_thread(remove_stale)
        world = await asyncio.to_thread(make_throwaway)
    try:
        trouble = await asyncio.to_thread(_sandbox_trouble)
        agent = AgentRef(name=AGENT_NAME, session=secrets.token_hex(3))
        async with AsyncGateClient(agent_socket) as client:
            await client.hello(agent.model_dump())
            demo = _Demo(RemoteJudge(client), agent, world, scenario, options, report, trouble)
            return await demo.run()
    finally:
        if options.world is None and not options.keep:
            world.remove()


def _sandbox_trouble() -> str | None:
    """None when bubblewrap starts here; else why not, in one line."""
    try:
        check()
    except SandboxError as exc:
        lines = str(exc).splitlines()
        why = next((line[5:] for line in lines if line.startswith("why: ")), lines[0])
        return f"bubblewrap cannot start here: {why}"
    return None


class _StepJudge:
    """The gate, with the step's context attached to each network question, counting denials.

    (A program's retries of a refused connection do not ask again: the proxy remembers denials.)
    """

    def __init__(self, inner: Judge) -> None:
        self.inner = inner
        self.context = ActionContext()
        self.denied: dict[tuple[str | None, int | None], None] = {}  # in order, once each
        self.connections = self.connections_denied = 0

    def next_step(self, context: ActionContext, command: str) -> None:
        """A new step: its denials are counted afresh; its connections name its command."""
        turns = [*context.turns, Turn(role="command", text=command)]
        self.context = context.model_copy(update={"turns": turns})
        self.denied.clear()

    async def submit(self, action: Action) -> Decision:
        """Decide an action; a network one carries the step's context."""
        if action.kind != "network":
            return await self.inner.submit(action)
        decision = await self.inner.submit(action.model_copy(update={"context": self.context}))
        self.connections += 1
        if decision.decision != "allow":
            self.denied[(action.host, action.port)] = None
            self.connections_denied += 1
        return decision

    def denied_hosts(self) -> str:
        """This step's denied connections, as `; host:port denied` (empty when none)."""
        return "".join(f"; {host}:{port} denied" for host, port in self.denied)

    async def result(self, action_id: str, exit_code: int, duration_ms: float) -> None:
        """Report how an allowed action went."""
        await self.inner.result(action_id, exit_code, duration_ms)

    async def toggles(self) -> dict[str, Any] | None:
        """The gate's session settings."""
        return await self.inner.toggles()


class _Demo:
    """One replay of a scenario."""

    def __init__(
        self,
        judge: Judge,
        agent: AgentRef,
        world: Throwaway,
        scenario: Scenario,
        options: DemoOptions,
        report: Reporter,
        trouble: str | None,
    ) -> None:
        self.judge = _StepJudge(judge)
        self.agent = agent
        self.world = world
        self.scenario = scenario
        self.options = options
        self.report = report
        self.turns: list[Turn] = []
        repo = world.workspace.relative_to(world.home)
        where = f"agent `demo` in a throwaway HOME, {world.home} (repo ~/{repo})"
        if trouble is None:
            about = f"{where} · sandbox: bubblewrap, workspace-write"
        else:
            about = (
                f"{where} · EXECUTOR OFF: decisions are made and logged, nothing runs · "
                f"{trouble} (`warden sandbox check` says how to fix it)"
            )
        self.status = DemoStatus(about, "setting up…", trouble is None)

    def say(self, step: str, finished: bool = False) -> None:
        """Tell the person what happens now."""
        self.status = replace(self.status, step=step, finished=finished)
        self.report(self.status)

    async def run(self) -> list[StepOutcome]:
        """Take every step, pausing before each (a gate that goes away ends it: GateError)."""
        outcomes: list[StepOutcome] = []
        folder = self.world.root / "run"
        folder.mkdir(mode=0o700)
        socket = folder / "proxy.sock"
        async with NetworkProxy(self.judge, socket, self.agent, str(self.world.workspace)):
            spec = self._spec(socket)
            for number, step in enumerate(self.scenario.steps, 1):
                await asyncio.sleep(step.pause * self.options.pace)
                outcomes.append(await self._take(number, step, spec))
        denied = sum(o.decision.decision != "allow" for o in outcomes)
        if self.options.keep:
            where = f"kept in {self.world.root}"
        elif self.options.world is None:
            where = "throwaway dirs removed"
        else:
            where = "throwaway dirs removed when the console quits"
        self.say(
            f"finished: {len(outcomes)} steps, {denied} denied; {self.judge.connections} "
            f"connections asked about, {self.judge.connections_denied} denied · {where}",
            finished=True,
        )
        return outcomes

    def _spec(self, socket: Path) -> SandboxSpec:
        home = self.world.home
        # The interpreter running Warden comes first, so `python` and `pip` work without the
        # user's shims (pyenv's need the real HOME).
        path = os.pathsep.join((str(Path(sys.executable).parent), os.environ.get("PATH", "")))
        return SandboxSpec(
            workspace=self.world.workspace,
            mode="workspace-write",
            writable_roots=(home,),
            network="proxy",
            proxy_socket=socket,
            hidden=(*default_hidden(), *self.options.hidden),
            # No __pycache__: a fix of the same size made within a second of the last test run
            # would otherwise be hidden by the stale bytecode (and litter `git status`).
            env=(("HOME", str(home)), ("PATH", path), ("PYTHONDONTWRITEBYTECODE", "1")),
        )

    async def _take(self, number: int, step: Step, spec: SandboxSpec) -> StepOutcome:
        label = f"step {number}/{len(self.scenario.steps)}"
        try:
            action = self._action(step)
        except (OSError, ScenarioError) as exc:  # an edit whose text is gone: skip, say why
            self.say(f"{label} · skipped: {exc}")
            return StepOutcome(step, Decision(decision="deny", source="error", message=str(exc)))
        self.judge.next_step(action.context, action.summary())
        label = f"{label} · {action.summary()}"
        self.say(f"{label} · asking the gate…")
        if not self.status.executor_on:
            decision = await self.judge.submit(action)
            if decision.decision == "allow":
                for host, port in step.network:  # what the proxy would have asked
                    await self.judge.submit(self._network(host, port))
            hosts = self.judge.denied_hosts()
            self.say(f"{label} · {_decided(decision)}; not run: the executor is off{hosts}")
            return StepOutcome(step, decision)
        try:
            outcome = await execute(action, spec, self.judge, timeout_s=TIMEOUT_S)
        except SandboxError as exc:
            self.say(f"{label} · could not run: {exc}")
            return StepOutcome(step, Decision(decision="deny", source="error", message=str(exc)))
        final = outcome.final
        if final is None:
            self.say(f"{label} · {_decided(outcome.decision)}")
            return StepOutcome(step, outcome.decision)
        how = "timed out" if final.timed_out else f"exit {final.exit_code}"
        hosts = self.judge.denied_hosts()
        self.say(f"{label} · {_decided(outcome.decision)}; ran in the sandbox: {how}{hosts}")
        return StepOutcome(step, outcome.decision, final.exit_code)

    def _action(self, step: Step) -> Action:
        self.turns = [*self.turns, Turn(role="assistant", text=step.say)][-TURNS_KEPT:]
        fields: dict[str, Any] = {"command": step.command}
        if step.kind != "exec":
            target = step.target(self.world.home, self.world.workspace)
            # As the scenario says it: relative to the project (its cwd), or absolute.
            inside = target.is_relative_to(self.world.workspace)
            fields = {"path": str(target.relative_to(self.world.workspace) if inside else target)}
            if step.kind == "write":
                content, diff = step.new_content(target)
                fields |= {"content": content, "diff": diff}
        return Action(
            kind=step.kind,
            agent=self.agent,
            cwd=str(self.world.workspace),
            executor="warden",
            context=ActionContext(task=self.scenario.task, turns=list(self.turns)),
            **fields,
        )

    def _network(self, host: str, port: int) -> Action:
        return Action(
            kind="network",
            host=host,
            port=port,
            scheme="https" if port == 443 else "http",
            agent=self.agent,
            cwd=str(self.world.workspace),
            executor="warden",
        )


def _decided(decision: Decision) -> str:
    if decision.decision == "allow":
        return f"allowed ({decision.source})"
    return f"denied ({decision.source}): {decision.message or 'no reason given'}"
