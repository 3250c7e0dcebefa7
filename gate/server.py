"""The gate's Unix socket server: the agent socket and the console socket, JSON-RPC 2.0."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import stat
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from gate.errors import GateError
from gate.methods import agent_methods, console_methods
from gate.paths import MAX_SOCKET_PATH, ensure_socket_dir, socket_paths
from gate.rpc import MAX_LINE, Connection, Method

if TYPE_CHECKING:
    from gate.pipeline import Gate

log = logging.getLogger(__name__)
# How long requests still running at shutdown get to send their answers (the gate has
# already denied what was waiting, so this is only the time to write them out).
SHUTDOWN_GRACE = 2.0


class GateServer:
    """Serves a gate on the agent socket and the console socket; owns the gate's life cycle.

    Args:
        gate: The approval pipeline to serve.
        agent_socket: The agent socket's path (default: `$WARDEN_SOCKET`, else the runtime
            dir); `console.sock` goes beside it.
    """

    def __init__(self, gate: Gate, agent_socket: str | os.PathLike[str] | None = None) -> None:
        self.gate = gate
        self.agent_path, self.console_path = socket_paths(agent_socket)
        self._servers: list[tuple[asyncio.Server, Path]] = []
        self._connections: set[Connection] = set()
        self._handlers: set[asyncio.Task[Any]] = set()
        self._clients = 0
        self._closing = False

    async def start(self) -> None:
        """Check the socket directory, clear stale sockets, start the gate, then listen.

        If anything fails, the gate is closed again and nothing is left listening.

        Raises:
            GateError: the directory is not private, a path is unusable, or a gate is already
                running there.
        """
        try:
            for path in (self.agent_path, self.console_path):
                if len(os.fsencode(path)) > MAX_SOCKET_PATH:
                    raise GateError(f"socket path longer than {MAX_SOCKET_PATH} bytes: {path}")
            ensure_socket_dir(self.agent_path.parent)
            for path in (self.agent_path, self.console_path):
                _clear_stale(path)
            await self.gate.start()
            await self._listen(self.agent_path, "agent", agent_methods(self.gate))
            await self._listen(self.console_path, "console", console_methods(self.gate))
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Stop listening, close the gate (it denies what waits), answer, remove the sockets."""
        if self._closing:
            return
        self._closing = True
        for server, _ in self._servers:
            server.close()
        await self.gate.close()
        await asyncio.gather(*(c.close(SHUTDOWN_GRACE) for c in list(self._connections)))
        await asyncio.gather(*self._handlers, return_exceptions=True)
        for server, path in self._servers:
            await server.wait_closed()
            path.unlink(missing_ok=True)  # only the sockets this server made

    async def __aenter__(self) -> GateServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _listen(self, path: Path, side: str, methods: Mapping[str, Method[Any]]) -> None:
        try:
            server = await asyncio.start_unix_server(
                partial(self._serve, side, methods), path=str(path), limit=MAX_LINE
            )
        except OSError as exc:
            raise GateError(f"cannot listen on {path}: {exc}") from exc
        self._servers.append((server, path))
        os.chmod(path, 0o600)

    async def _serve(
        self,
        side: str,
        methods: Mapping[str, Method[Any]],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self._clients += 1
        conn = Connection(reader, writer, f"{side}-{self._clients}", methods)
        if self._closing:
            await conn.close()
            return
        handler = asyncio.current_task()
        if handler is not None:
            self._handlers.add(handler)
            handler.add_done_callback(self._handlers.discard)
        self._connections.add(conn)
        try:
            await conn.serve()
        finally:
            self._connections.discard(conn)
            if not self._closing:  # at shutdown the gate has already answered everyone
                await self.gate.client_gone(conn.client)
            await conn.close()


def _clear_stale(path: Path) -> None:
    """Remove a socket file nothing answers on; refuse when a gate does, or it is not a socket."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise GateError(f"{path} exists and is not a socket; move it away or choose another path")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except (ConnectionRefusedError, FileNotFoundError):
            log.info("removing the stale socket %s", path)
            path.unlink(missing_ok=True)
            return
        except OSError as exc:
            raise GateError(f"cannot tell whether a gate is running at {path}: {exc}") from exc
    raise GateError(f"a gate is already running at {path}")
