"""A client for the gate's agent socket, sync and async, using the standard library only.

The hook shims and the sandbox import it, so it must stay light: no pydantic, no rules.

GateError
├── GateUnavailable     no gate answers: no socket, connection refused or closed, timeout
└── GateProtocolError   the gate answered with a JSON-RPC error (carries code, message, data)
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import os
import socket
import uuid
from contextlib import suppress
from types import TracebackType
from typing import Any

from gate.errors import GateError
from gate.paths import socket_paths

# Answers are small on the agent socket; this only bounds a misbehaving peer.
MAX_ANSWER = 16 << 20

__all__ = ["AsyncGateClient", "GateClient", "GateProtocolError", "GateUnavailable", "submit"]


class GateUnavailable(GateError):
    """No gate answers: the socket is missing, refuses, closed the connection, or timed out."""


class GateProtocolError(GateError):
    """The gate answered a request with a JSON-RPC error."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{message} (JSON-RPC error {code})")
        self.code = code
        self.message = message
        self.data = data


class GateClient:
    """A blocking connection to the agent socket, one call at a time.

    Closing the connection (or leaving the `with` block) cancels whatever it still waits for.

    Args:
        path: The agent socket; default `$WARDEN_SOCKET`, else the runtime dir's `gate.sock`.
        timeout: Seconds to wait for any one answer; None waits as long as the person takes.
    """

    def __init__(
        self, path: str | os.PathLike[str] | None = None, timeout: float | None = None
    ) -> None:
        self.path = socket_paths(path)[0]
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._sock: socket.socket | None = None
        self._file: io.BufferedRWPair | None = None

    def hello(self, agent: dict[str, Any]) -> dict[str, Any]:
        """Introduce the agent (`{"name", "session"}`); returns `{"gate_version": ...}`."""
        return dict(self.call("hello", {"agent": agent}))

    def submit(self, action: dict[str, Any]) -> dict[str, Any]:
        """Ask for a decision on an action (the flat JSON of DESIGN §2); waits for it.

        Returns:
            `{"action_id", "decision": "allow" | "deny", "message", "source", "rule",
            "reviewer", "timings"}`.
        """
        return dict(self.call("submit", {"action": action}))

    def cancel(self, action_id: str) -> bool:
        """Withdraw a pending action of this connection; True if it was still pending."""
        return bool(self.call("cancel", {"action_id": action_id})["cancelled"])

    def result(self, action_id: str, exit_code: int, duration_ms: float) -> None:
        """Report how an allowed action went, for the audit log."""
        self.call(
            "result", {"action_id": action_id, "exit_code": exit_code, "duration_ms": duration_ms}
        )

    def call(self, method: str, params: dict[str, Any]) -> Any:
        """Send one request and return its result.

        Raises:
            GateUnavailable: no gate, or it went away or did not answer within the timeout.
            GateProtocolError: the gate answered with an error.
        """
        request_id = next(self._ids)
        file = self._connect()
        try:
            file.write(_request(request_id, method, params))
            file.flush()
            while True:
                message = _decode(file.readline(MAX_ANSWER))
                if message is None:
                    raise GateUnavailable(f"the gate at {self.path} closed the connection")
                if message.get("id") == request_id:
                    return _result(message)
        except BaseException as exc:
            # Whatever went wrong, the stream is out of step: hang up (which cancels the action).
            self.close()
            if isinstance(exc, TimeoutError):
                raise GateUnavailable(f"no answer from the gate within {self.timeout} s") from exc
            if isinstance(exc, OSError):
                raise GateUnavailable(f"the gate at {self.path} went away: {exc}") from exc
            raise

    def close(self) -> None:
        """Hang up (the gate cancels anything this connection still waits for)."""
        if self._file is not None:
            self._file.close()
        if self._sock is not None:
            self._sock.close()
        self._file = self._sock = None

    def __enter__(self) -> GateClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _connect(self) -> io.BufferedRWPair:
        if self._file is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(str(self.path))
            except OSError as exc:
                sock.close()
                raise GateUnavailable(f"no gate at {self.path}: {exc.strerror or exc}") from exc
            self._sock, self._file = sock, sock.makefile("rwb")
        return self._file


class AsyncGateClient:
    """An asyncio connection to the agent socket; calls may run concurrently.

    Args:
        path: The agent socket; default `$WARDEN_SOCKET`, else the runtime dir's `gate.sock`.
        timeout: Seconds to wait for any one answer; None waits as long as the person takes.
    """

    def __init__(
        self, path: str | os.PathLike[str] | None = None, timeout: float | None = None
    ) -> None:
        self.path = socket_paths(path)[0]
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._writer: asyncio.StreamWriter | None = None
        self._reading: asyncio.Task[None] | None = None
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._lock = asyncio.Lock()

    async def hello(self, agent: dict[str, Any]) -> dict[str, Any]:
        """Introduce the agent (`{"name", "session"}`); returns `{"gate_version": ...}`."""
        return dict(await self.call("hello", {"agent": agent}))

    async def submit(self, action: dict[str, Any]) -> dict[str, Any]:
        """Ask for a decision on an action (the flat JSON of DESIGN §2); waits for it.

        With a timeout, the action gets an id if it has none, so that one that times out can
        be withdrawn instead of being left in front of a person.
        """
        if self.timeout is None:
            return dict(await self.call("submit", {"action": action}))
        action = {**action, "id": action.get("id") or f"act-{uuid.uuid4().hex[:10]}"}
        try:
            return dict(await self.call("submit", {"action": action}))
        except GateUnavailable:
            with suppress(GateError):
                await self.call("cancel", {"action_id": action["id"]})
            raise

    async def cancel(self, action_id: str) -> bool:
        """Withdraw a pending action of this connection; True if it was still pending."""
        return bool((await self.call("cancel", {"action_id": action_id}))["cancelled"])

    async def result(self, action_id: str, exit_code: int, duration_ms: float) -> None:
        """Report how an allowed action went, for the audit log."""
        params = {"action_id": action_id, "exit_code": exit_code, "duration_ms": duration_ms}
        await self.call("result", params)

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """Send one request and wait for its result.

        Raises:
            GateUnavailable: no gate, or it went away or did not answer within the timeout.
            GateProtocolError: the gate answered with an error.
        """
        writer = await self._connect()
        request_id = next(self._ids)
        answer = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = answer
        try:
            if self._reading is None or self._reading.done():
                raise GateUnavailable(f"the gate at {self.path} closed the connection")
            async with self._lock:
                writer.write(_request(request_id, method, params))
                await writer.drain()
            return _result(await asyncio.wait_for(answer, self.timeout))
        except TimeoutError as exc:
            raise GateUnavailable(f"no answer from the gate within {self.timeout} s") from exc
        except OSError as exc:
            raise GateUnavailable(f"the gate at {self.path} went away: {exc}") from exc
        finally:
            self._waiting.pop(request_id, None)

    async def close(self) -> None:
        """Hang up (the gate cancels anything this connection still waits for)."""
        if self._reading is not None:
            self._reading.cancel()
            await asyncio.gather(self._reading, return_exceptions=True)
        if self._writer is not None:
            self._writer.close()
            with suppress(OSError):  # already gone: nothing left to close
                await self._writer.wait_closed()
        self._writer = self._reading = None

    async def __aenter__(self) -> AsyncGateClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _connect(self) -> asyncio.StreamWriter:
        async with self._lock:
            if self._writer is None:
                try:
                    reader, self._writer = await asyncio.open_unix_connection(
                        str(self.path), limit=MAX_ANSWER
                    )
                except OSError as exc:
                    detail = exc.strerror or exc
                    raise GateUnavailable(f"no gate at {self.path}: {detail}") from exc
                self._reading = asyncio.create_task(self._read(reader))
            return self._writer

    async def _read(self, reader: asyncio.StreamReader) -> None:
        gone: Exception = GateUnavailable(f"the gate at {self.path} closed the connection")
        try:
            while (message := _decode(await reader.readline())) is not None:
                answer = self._waiting.get(message.get("id", 0))
                if answer is not None and not answer.done():
                    answer.set_result(message)
        except (OSError, ValueError, GateError) as exc:  # ValueError: a line over the limit
            gone = GateUnavailable(f"the gate at {self.path} went away: {exc}")
        for answer in self._waiting.values():
            if not answer.done():
                answer.set_exception(gone)


def submit(
    action: dict[str, Any], path: str | os.PathLike[str] | None = None, timeout: float | None = None
) -> dict[str, Any]:
    """Submit one action over a fresh connection and return the decision.

    Args:
        action: The action, the flat JSON of DESIGN §2.
        path: The agent socket (default `$WARDEN_SOCKET`, else the runtime dir's `gate.sock`).
        timeout: Seconds to wait for the decision; None waits as long as the person takes.

    Raises:
        GateUnavailable: no gate answers.
        GateProtocolError: the gate refused the request (for example an invalid action).
    """
    with GateClient(path, timeout) as client:
        return client.submit(action)


def _request(request_id: int, method: str, params: dict[str, Any]) -> bytes:
    message = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def _decode(line: bytes) -> dict[str, Any] | None:
    """One message from the gate; None when the connection closed (no full line)."""
    if not line.endswith(b"\n"):
        return None
    try:
        message = json.loads(line)
    except ValueError as exc:
        raise GateProtocolError(-32700, f"the gate sent a line that is not JSON: {exc}") from exc
    if not isinstance(message, dict):
        raise GateProtocolError(-32600, "the gate sent a line that is not a JSON object")
    return message


def _result(message: dict[str, Any]) -> Any:
    error = message.get("error")
    if error is not None:
        raise GateProtocolError(error.get("code", 0), error.get("message", ""), error.get("data"))
    return message.get("result")
