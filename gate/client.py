"""A client for the gate's agent socket, using the standard library only.

The hook shims and the sandbox import it, so it must stay light: no pydantic, no rules, and no
asyncio until `AsyncGateClient` (in `gate.async_client`) is asked for.

GateError
├── GateUnavailable     no gate answers: no socket, connection refused or closed, timeout
│   ├── GateAbsent      nothing listens on the socket (the connection was never made)
│   └── GateTimeout     the gate did not answer within the timeout
└── GateProtocolError   the gate answered with a JSON-RPC error (carries code, message, data)
"""

from __future__ import annotations

import io
import itertools
import json
import os
import socket
from types import TracebackType
from typing import TYPE_CHECKING, Any

from gate.errors import GateError
from gate.paths import socket_paths

if TYPE_CHECKING:
    from gate.async_client import AsyncGateClient

# Answers are small on the agent socket; this only bounds a misbehaving peer.
MAX_ANSWER = 16 << 20

__all__ = [
    "AsyncGateClient",
    "GateAbsent",
    "GateClient",
    "GateProtocolError",
    "GateTimeout",
    "GateUnavailable",
    "submit",
]


def __getattr__(name: str) -> Any:
    """`AsyncGateClient` on first use (it needs asyncio; the hook shims import this module)."""
    if name == "AsyncGateClient":
        from gate.async_client import AsyncGateClient

        return AsyncGateClient
    raise AttributeError(f"module 'gate.client' has no attribute {name!r}")


class GateUnavailable(GateError):
    """No gate answers: the socket is missing, refuses, closed the connection, or timed out."""


class GateAbsent(GateUnavailable):
    """Nothing listens on the agent socket: no gate runs there."""


class GateTimeout(GateUnavailable):
    """The gate did not answer within the timeout (the request is withdrawn by hanging up)."""


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
            file.write(encode_request(request_id, method, params))
            file.flush()
            while True:
                message = decode_line(file.readline(MAX_ANSWER))
                if message is None:
                    raise GateUnavailable(f"the gate at {self.path} closed the connection")
                if message.get("id") == request_id:
                    return result_of(message)
        except BaseException as exc:
            # Whatever went wrong, the stream is out of step: hang up (which cancels the action).
            self.close()
            if isinstance(exc, TimeoutError):
                raise GateTimeout(f"no answer from the gate within {self.timeout} s") from exc
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
                raise GateAbsent(f"no gate at {self.path}: {exc.strerror or exc}") from exc
            self._sock, self._file = sock, sock.makefile("rwb")
        return self._file


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


def encode_request(request_id: int, method: str, params: dict[str, Any]) -> bytes:
    """One JSON-RPC request line."""
    message = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def decode_line(line: bytes) -> dict[str, Any] | None:
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


def result_of(message: dict[str, Any]) -> Any:
    """The result of an answer; its error raised as `GateProtocolError`."""
    error = message.get("error")
    if error is not None:
        raise GateProtocolError(error.get("code", 0), error.get("message", ""), error.get("data"))
    return message.get("result")
