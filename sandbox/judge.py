"""One face for the gate, whether it runs in this process or answers on its agent socket."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from gate.client import AsyncGateClient, GateUnavailable
from gate.errors import GateError
from gate.paths import socket_paths
from rules.action import Action, AgentRef, Decision, RuleInfo

if TYPE_CHECKING:
    from gate.pipeline import Gate
    from gate.rulebook import Rulebook

NO_CONSOLE = "no console to ask: start `warden` in another terminal, or add a rule allowing it"


class Judge(Protocol):
    """What the executor needs from a gate: decisions, results, and the settings in force."""

    async def submit(self, action: Action) -> Decision:
        """Decide an action (waits as long as the person takes)."""
        ...

    async def result(self, action_id: str, exit_code: int, duration_ms: float) -> None:
        """Report how an allowed action went."""
        ...

    async def toggles(self) -> dict[str, Any] | None:
        """The gate's session settings, or None when they cannot be read."""
        ...


class LocalJudge:
    """A gate in this process (a private headless gate, the demo's, a test's)."""

    def __init__(self, gate: Gate, client: str = "warden-exec") -> None:
        self.gate = gate
        self.client = client

    async def submit(self, action: Action) -> Decision:
        """Decide an action through the pipeline directly."""
        return await self.gate.submit(action, self.client)

    async def result(self, action_id: str, exit_code: int, duration_ms: float) -> None:
        """Log the outcome in the gate's audit log."""
        await self.gate.result(action_id, exit_code, duration_ms)

    async def toggles(self) -> dict[str, Any] | None:
        """The in-process gate's settings."""
        return self.gate.toggles().model_dump()


class RemoteJudge:
    """A running gate reached through its agent socket (and, for settings, its console socket)."""

    def __init__(self, client: AsyncGateClient) -> None:
        self.client = client

    async def submit(self, action: Action) -> Decision:
        """Submit over the agent socket and wait for the decision."""
        answer = await self.client.submit(action.model_dump(mode="json", exclude_none=True))
        return Decision.model_validate(answer)

    async def result(self, action_id: str, exit_code: int, duration_ms: float) -> None:
        """Report the outcome over the agent socket."""
        await self.client.result(action_id, exit_code, duration_ms)

    async def toggles(self) -> dict[str, Any] | None:
        """Ask the console socket beside the agent socket; None when it does not answer."""
        console = AsyncGateClient(socket_paths(self.client.path)[1], timeout=5)
        try:
            answer = await console.call("toggles", {})
        except GateError:
            return None
        finally:
            await console.close()
        return dict(answer) if isinstance(answer, dict) else None


class RulesJudge:
    """The rules alone, for when no gate answers: what they allow is allowed, the rest denied.

    Nothing is queued and nothing is logged (no gate, no audit log): an action the rules
    leave open is denied, saying to start the console. The config's network presets and agent
    profiles' hosts apply as they do in a gate.

    Args:
        rulebook: The rules in force; built from the config file when None.
    """

    def __init__(self, rulebook: Rulebook | None = None) -> None:
        if rulebook is None:
            from gate.config import load_config
            from gate.profiles import preset_layers, profile_layers
            from gate.rulebook import Rulebook
            from rules.paths import config_file

            settings = load_config()
            rulebook = Rulebook(
                guards_off=frozenset(settings.rules.guards_off),
                allow=preset_layers(settings),
                agent_allow=profile_layers(settings, str(config_file())),
            )
        self.rulebook = rulebook

    async def submit(self, action: Action) -> Decision:
        """Allow what the rules allow; deny what they block, and what they leave to a person."""
        verdict = self.rulebook.engine_for(action.cwd, action.agent.name).judge(action)
        ref = verdict.rule
        rule = RuleInfo(id=ref.id, file=ref.file, line=ref.line) if ref is not None else None
        if verdict.decision == "allow":
            return Decision(action_id=action.id, decision="allow", source="rules", rule=rule)
        why = next((p.why for p in verdict.parts if p.decision == verdict.decision), "")
        if verdict.decision == "block":
            message = why or "a rule blocks it"
        else:
            message = f"{NO_CONSOLE} ({why or 'no rule allows it'})"
        return Decision(
            action_id=action.id, decision="deny", source="rules", message=message, rule=rule
        )

    async def result(self, action_id: str, exit_code: int, duration_ms: float) -> None:
        """Nothing to report to: no gate runs."""

    async def toggles(self) -> dict[str, Any] | None:
        """No gate, no session settings."""
        return None


async def running_gate(agent: AgentRef) -> AsyncGateClient | None:
    """A client of the gate at `$WARDEN_SOCKET` (or the default socket) that answered `hello`.

    Returns:
        The connected client (close it when done), or None when no gate answers.
    """
    client = AsyncGateClient()
    try:
        await client.hello(agent.model_dump())
    except GateUnavailable:
        await client.close()
        return None
    return client


def judge_for(gate: Gate | AsyncGateClient | Judge) -> Judge:
    """The judge for an in-process gate, a client of a running gate, or a judge as it is."""
    if isinstance(gate, AsyncGateClient):
        return RemoteJudge(gate)
    from gate.pipeline import Gate

    if isinstance(gate, Gate):
        return LocalJudge(gate)
    return gate
