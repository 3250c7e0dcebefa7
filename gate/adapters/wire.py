"""One blocking `submit` on the agent socket, for the shims' start-up budget (stdlib, no asyncio).

`gate.client` would do, but it imports asyncio for its async client, a third of the 80 ms
a shim may take from process start to answer (DESIGN §10).
"""

from __future__ import annotations

import json
import socket
from typing import Any

from gate.paths import socket_paths

MAX_ANSWER = 16 << 20


class NoGate(Exception):
    """Nothing listens on the agent socket."""


class GateSilent(Exception):
    """The gate did not decide within the wait."""


class GateRefused(Exception):
    """The gate answered with an error, closed the connection, or said something unreadable."""


def submit(action: dict[str, Any], wait: float, path: str | None = None) -> dict[str, Any]:
    """Submit one action and wait at most `wait` seconds for the decision.

    Hanging up at the end, answered or not, withdraws the action from the gate.

    Raises:
        NoGate: no gate at the socket.
        GateSilent: no decision within `wait`.
        GateRefused: an error answer, a closed connection or a garbled line.
    """
    request = {"jsonrpc": "2.0", "id": 1, "method": "submit", "params": {"action": action}}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(wait)
        try:
            sock.connect(str(socket_paths(path)[0]))
        except OSError as exc:
            raise NoGate(f"no gate at {socket_paths(path)[0]}: {exc.strerror or exc}") from exc
        try:
            sock.sendall(json.dumps(request).encode() + b"\n")
            line = sock.makefile("rb").readline(MAX_ANSWER)
        except TimeoutError as exc:
            raise GateSilent(f"Warden did not decide within {round(wait, 1):g} s") from exc
        except OSError as exc:
            raise GateRefused(f"the gate went away: {exc}") from exc
    try:
        answer = json.loads(line)
    except ValueError as exc:
        raise GateRefused("the gate closed the connection or sent a line that is not JSON") from exc
    if not isinstance(answer, dict):
        raise GateRefused("the gate sent a line that is not a JSON object")
    if not isinstance(answer.get("result"), dict):
        error = answer.get("error")
        message = error.get("message") if isinstance(error, dict) else None
        raise GateRefused(str(message or "the gate answered without a decision"))
    return dict(answer["result"])
