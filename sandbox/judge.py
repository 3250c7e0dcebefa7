"""One face for the gate, whether it runs in this process or answers on its agent socket."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from gate.client import AsyncGateClient
from gate.errors import GateError
from gate.paths import socket_paths
from rules.action import Action, Decision

if TYPE_CHECKING:
    from gate.pipeline import Gate


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


def judge_for(gate: Gate | AsyncGateClient | Judge) -> Judge:
    """The judge for an in-process gate, a client of a running gate, or a judge as it is."""
    if isinstance(gate, AsyncGateClient):
        return RemoteJudge(gate)
    from gate.pipeline import Gate

    if isinstance(gate, Gate):
        return LocalJudge(gate)
    return gate
