"""Attach the console to a gate: the one already running, else one started in this process."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gate.client import GateUnavailable
from gate.paths import socket_paths
from gate.pipeline import Gate
from gate.server import GateServer
from tui.console_client import ConsoleClient, EventHandler


@dataclass
class Attachment:
    """A live console connection and, when the console started the gate, its server."""

    client: ConsoleClient
    server: GateServer | None
    agent_socket: Path

    async def close(self) -> None:
        """Hang up; stop the gate only when this console started it."""
        await self.client.close()
        if self.server is not None:
            await self.server.close()


async def attach(
    on_event: EventHandler,
    on_closed: Callable[[], object],
    agent_socket: str | os.PathLike[str] | None = None,
    gate_factory: Callable[[], Gate] = Gate.from_settings,
) -> Attachment:
    """Connect to the console socket, starting a gate on the sockets if none answers.

    Raises:
        GateError: no gate answers and one cannot be started (for example a broken config).
    """
    agent_path, console_path = socket_paths(agent_socket)
    client = ConsoleClient(console_path, on_event, on_closed)
    try:
        await client.connect()
        return Attachment(client, None, agent_path)
    except GateUnavailable:
        pass
    server = GateServer(gate_factory(), agent_path)
    await server.start()
    try:
        await client.connect()
    except BaseException:
        await server.close()
        raise
    return Attachment(client, server, agent_path)
