"""An asyncio JSON-RPC client for the gate's console socket: calls, and the `watch` stream."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from gate.client import GateUnavailable, encode_request, result_of

# A snapshot with many pending actions can be large: no fixed limit on the gate's lines.
MAX_LINE = 256 << 20

EventHandler = Callable[[dict[str, Any]], object]


class ConsoleClient:
    """One connection to the console socket; calls may run concurrently.

    Args:
        path: The console socket.
        on_event: Called with each `event` notification's params once `watch` ran.
        on_closed: Called once when the gate closes the connection.
    """

    def __init__(
        self, path: Path, on_event: EventHandler, on_closed: Callable[[], object] | None = None
    ) -> None:
        self.path = path
        self.on_event = on_event
        self.on_closed = on_closed
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._writer: asyncio.StreamWriter | None = None
        self._reading: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """Open the connection.

        Raises:
            GateUnavailable: nothing answers on the console socket.
        """
        try:
            reader, self._writer = await asyncio.open_unix_connection(
                str(self.path), limit=MAX_LINE
            )
        except OSError as exc:
            raise GateUnavailable(f"no gate at {self.path}: {exc.strerror or exc}") from exc
        self._reading = asyncio.create_task(self._read(reader))

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """Send one request and wait for its result.

        Raises:
            GateUnavailable: not connected, or the gate went away.
            GateProtocolError: the gate answered with an error.
        """
        if self._writer is None or self._reading is None or self._reading.done():
            raise GateUnavailable(f"not connected to the gate at {self.path}")
        request_id = next(self._ids)
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = answer
        try:
            self._writer.write(encode_request(request_id, method, params or {}))
            await self._writer.drain()
            reply = await answer
        except OSError as exc:
            raise GateUnavailable(f"the gate at {self.path} went away: {exc}") from exc
        finally:
            self._waiting.pop(request_id, None)
        return result_of(reply)

    async def close(self) -> None:
        """Hang up."""
        if self._reading is not None:
            self._reading.cancel()
            await asyncio.gather(self._reading, return_exceptions=True)
        if self._writer is not None:
            self._writer.close()
            with suppress(OSError):
                await self._writer.wait_closed()
        self._writer = self._reading = None

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while (line := await reader.readline()).endswith(b"\n"):
                message = json.loads(line)
                if message.get("method") == "event":
                    self.on_event(message["params"])
                elif (answer := self._waiting.get(message.get("id", 0))) and not answer.done():
                    answer.set_result(message)
        except (OSError, ValueError):
            pass  # a broken stream ends the connection like a close does
        gone = GateUnavailable(f"the gate at {self.path} closed the connection")
        for answer in self._waiting.values():
            if not answer.done():
                answer.set_exception(gone)
        if self.on_closed is not None:
            self.on_closed()
