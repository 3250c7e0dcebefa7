"""A local HTTP server that speaks the chat-completions protocol, for the reviewer's tests."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOLD_LIMIT_S = 5.0


def verdict_json(
    risk: str = "low",
    outcome: str = "approve",
    user_authorized: str = "high",
    rationale: str = "Runs the project's tests, as the task asks.",
) -> str:
    """A verdict as the model would answer it."""
    return json.dumps(
        {
            "rationale": rationale,
            "risk": risk,
            "user_authorized": user_authorized,
            "outcome": outcome,
        }
    )


@dataclass
class Reply:
    """One answer: a completion with `content` (and `tool_calls`), or `status` with an error, or
    `raw` bytes."""

    content: str | None = verdict_json()
    status: int = 200
    error: str = "server error"
    raw: bytes | None = None
    delay: float = 0.0
    tokens: int | None = 100
    refusal: str | None = None
    tool_calls: list[dict[str, Any]] | None = None


class ChatServer:
    """Serves `POST /v1/chat/completions` on 127.0.0.1 and records every request body.

    `replies` are used first, in order, then `default`. A request whose `response_format` type is
    in `unsupported` gets a 400 naming it, as real servers answer. With `hold` set, requests wait
    until that many have been in flight at once (so a test sees concurrency rather than timing it).
    """

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.raw_bodies: list[bytes] = []
        self.replies: list[Reply] = []
        self.default = Reply()
        self.unsupported: set[str] = set()
        self.models: list[str] | None = ["test-model"]  # `GET /v1/models`; None: 404
        self.hold = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.stopping = threading.Event()
        self.lock = threading.Condition()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.chat = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        """The base URL a client is given."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def formats(self) -> list[str | None]:
        """The `response_format` type of each request received (None when absent)."""
        return [(r.get("response_format") or {}).get("type") for r in self.requests]

    def close(self) -> None:
        """Stop serving; wakes requests that are still waiting or delayed."""
        self.stopping.set()
        with self.lock:
            self.lock.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()

    def handle(self, body: bytes) -> tuple[int, bytes]:
        """Answer one request body: the status and the response body."""
        request = json.loads(body)
        with self.lock:
            self.raw_bodies.append(body)
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.lock.notify_all()
            self.lock.wait_for(
                lambda: self.max_in_flight >= self.hold or self.stopping.is_set(), HOLD_LIMIT_S
            )
            reply = self.replies.pop(0) if self.replies else self.default
        try:
            fmt = (request.get("response_format") or {}).get("type")
            if fmt in self.unsupported:
                return 400, _error(
                    f"response_format type '{fmt}' is not supported", "response_format"
                )
            if reply.delay:
                self.stopping.wait(reply.delay)
            if reply.raw is not None:
                return reply.status, reply.raw
            if reply.status != 200:
                return reply.status, _error(reply.error, None)
            return 200, _completion(request, reply)
        finally:
            with self.lock:
                self.in_flight -= 1


def _error(message: str, param: str | None) -> bytes:
    error = {"message": message, "type": "invalid_request_error", "param": param, "code": None}
    return json.dumps({"error": error}).encode()


def _completion(request: dict[str, Any], reply: Reply) -> bytes:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": reply.content,
        "refusal": reply.refusal,
    }
    if reply.tool_calls:
        message["tool_calls"] = reply.tool_calls
    finish = "tool_calls" if reply.tool_calls else "stop"
    answer: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": request.get("model", ""),
        "choices": [{"index": 0, "finish_reason": finish, "message": message}],
    }
    if reply.tokens is not None:
        answer["usage"] = {
            "prompt_tokens": reply.tokens - 10,
            "completion_tokens": 10,
            "total_tokens": reply.tokens,
        }
    return json.dumps(answer).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and delayed
        # ACKs hold each response for 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        models = self.server.chat.models  # type: ignore[attr-defined]
        if self.path.rstrip("/") != "/v1/models" or models is None:
            self._send(404, b'{"error": {"message": "not found"}}')
            return
        listed = [{"id": m, "object": "model", "created": 0, "owned_by": "test"} for m in models]
        self._send(200, json.dumps({"object": "list", "data": listed}).encode())

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._send(*self.server.chat.handle(body))  # type: ignore[attr-defined]

    def _send(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except OSError:  # the client gave up (a timeout test): nothing to answer
            self.close_connection = True
