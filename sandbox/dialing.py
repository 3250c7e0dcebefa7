"""A judge for long-lived servers: the running gate whenever one answers, else a private one.

`warden mcp` lives as long as its client's session, and the console may start after it, stop,
or restart meanwhile. So the gate is looked for again on each action while none answers, and
after a lost connection: actions go to the console's gate as soon as it runs, and to a private
headless gate (which denies what would need a person) while it does not.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gate.client import AsyncGateClient, GateUnavailable
from gate.config import ApprovalPolicy
from gate.paths import socket_paths
from rules.action import Action, AgentRef, Decision
from sandbox.judge import Judge, LocalJudge, RemoteJudge
from sandbox.spec import Mode

if TYPE_CHECKING:
    from gate.pipeline import Gate

PRIVATE = "a private headless gate (no console: what needs a person is denied)"


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class DialingJudge:
    """Judges by the gate at the agent socket when it answers, else by a private gate.

    Args:
        agent: Who asks (said in `hello` to each gate it reaches).
        policy: The private gate's approval policy (default: the config's).
        mode: The private gate's sandbox mode (default: the config's).
        say: Where to tell which gate decides, each time that changes (stderr by default).
    """

    def __init__(
        self,
        agent: AgentRef,
        policy: ApprovalPolicy | None = None,
        mode: Mode | None = None,
        say: Callable[[str], None] = _to_stderr,
    ) -> None:
        self.agent = agent
        self.policy = policy
        self.mode = mode
        self.say = say
        self.where = ""
        self._client: AsyncGateClient | None = None
        self._private: Gate | None = None
        self._lock = asyncio.Lock()

    async def current(self) -> Judge:
        """The gate to ask now: the running one if it answers, else the private one.

        Raises:
            ConfigError, RulesError, GateError: the private gate could not be built.
        """
        async with self._lock:
            if self._client is None:
                self._client = await self._dial()
            if self._client is not None:
                self._tell(str(self._client.path))
                return RemoteJudge(self._client)
            if self._private is None:
                from gate.pipeline import Gate

                self._private = Gate.from_settings(policy=self.policy, ask_person=False)
                if self.mode is not None:
                    await self._private.set_toggle("sandbox_mode", self.mode)
            self._tell(PRIVATE)
            return LocalJudge(self._private, self.agent.name)

    async def submit(self, action: Action) -> Decision:
        """Decide an action; a lost connection is dialled again (or the private gate used)."""
        decision: Decision = await self._retried(lambda judge: judge.submit(action))
        return decision

    async def result(self, action_id: str, exit_code: int, duration_ms: float) -> None:
        """Report how an allowed action went."""
        await self._retried(lambda judge: judge.result(action_id, exit_code, duration_ms))

    async def toggles(self) -> dict[str, Any] | None:
        """The settings of the gate that decides now."""
        return await (await self.current()).toggles()

    async def cancel(self, action_id: str) -> None:
        """Withdraw a pending action from whichever gate holds it (best effort)."""
        if self._client is not None:
            with contextlib.suppress(GateUnavailable):  # that gate is gone, and the question too
                await self._client.cancel(action_id)
        if self._private is not None:
            await self._private.cancel(action_id)

    async def close(self) -> None:
        """Hang up on the running gate and stop the private one."""
        if self._client is not None:
            await self._client.close()
        if self._private is not None:
            await self._private.close()

    async def _retried(self, call: Callable[[Judge], Any]) -> Any:
        judge = await self.current()
        try:
            return await call(judge)
        except GateUnavailable:
            if not isinstance(judge, RemoteJudge):
                raise
            async with self._lock:
                if self._client is judge.client:
                    await judge.client.close()
                    self._client = None
            return await call(await self.current())

    async def _dial(self) -> AsyncGateClient | None:
        client = AsyncGateClient(socket_paths()[0])
        try:
            await client.hello(self.agent.model_dump())
        except GateUnavailable:
            await client.close()
            return None
        return client

    def _tell(self, where: str) -> None:
        if where != self.where:
            self.where = where
            self.say(f"warden: actions of {self.agent.name} now go to {where}")
