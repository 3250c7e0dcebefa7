"""The console's connection to the gate's console socket: calls, and the `watch` stream."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from gate.async_client import AsyncConnection

EventHandler = Callable[[dict[str, Any]], object]


class ConsoleClient(AsyncConnection):
    """One connection to the console socket; calls may run concurrently.

    Args:
        path: The console socket.
        on_event: Called with each `event` notification's params once `watch` ran.
        on_closed: Called once when the gate closes the connection.
    """

    LINE_LIMIT = 256 << 20  # a snapshot with many pending actions can be large

    def __init__(
        self, path: Path, on_event: EventHandler, on_closed: Callable[[], object] | None = None
    ) -> None:
        super().__init__(path)
        self.on_event = on_event
        self.on_closed = on_closed

    async def connect(self) -> None:
        """Open the connection.

        Raises:
            GateUnavailable: nothing answers on the console socket.
        """
        await self._connect()

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """Send one request and wait for its result (`params` default: none)."""
        return await super().call(method, params or {})

    def notified(self, message: dict[str, Any]) -> None:
        if message.get("method") == "event":
            self.on_event(message["params"])

    def closed(self) -> None:
        if self.on_closed is not None:
            self.on_closed()
