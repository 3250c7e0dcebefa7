"""JSON-RPC 2.0 over a stream, one JSON object per line: framing, errors, concurrent dispatch."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from gate.errors import GateError

log = logging.getLogger(__name__)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
GATE_ERROR = -32000
MAX_LINE = 1 << 20
"""The longest line a client may send, in bytes, not counting its newline."""

RequestId = str | int | None
P = TypeVar("P", bound=BaseModel)


class RpcError(Exception):
    """A JSON-RPC error to send back: its code, message, optional data, and the request's id."""

    def __init__(
        self, code: int, message: str, data: Any = None, request_id: RequestId = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data
        self.request_id = request_id

    def to_json(self) -> dict[str, Any]:
        """The `error` member of a response."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


@dataclass(frozen=True)
class Method(Generic[P]):
    """A method a connection serves: the model its params must fit and the coroutine to run."""

    params: type[P]
    run: Callable[[P, Connection], Awaitable[Any]]


@dataclass
class Streamed:
    """A result followed by notifications: each `(method, params)` is sent after the response."""

    result: Any
    notifications: AsyncIterator[tuple[str, Any]]


@dataclass(frozen=True)
class Request:
    """A well-formed request or notification (no `id`)."""

    id: RequestId
    notification: bool
    method: str
    params: dict[str, Any]


class Connection:
    """One client: reads requests line by line and runs each in its own task.

    Responses and notifications are written whole, one at a time, under a lock; a request that
    waits (a submit) never holds up the others on the same connection.
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        client: str,
        methods: Mapping[str, Method[Any]],
    ) -> None:
        self.client = client
        self.streaming = False
        self._reader = reader
        self._writer = writer
        self._methods = methods
        self._lock = asyncio.Lock()
        self._requests: set[asyncio.Task[None]] = set()
        self._streams: set[asyncio.Task[None]] = set()
        self._closers: list[Callable[[], None]] = []
        self._closed = False

    def on_close(self, callback: Callable[[], None]) -> None:
        """Run `callback` when the connection closes (for example to end a subscription)."""
        self._closers.append(callback)

    async def serve(self) -> None:
        """Read and dispatch requests until the client leaves or sends too long a line."""
        while True:
            try:
                line = await self._reader.readline()
            except ValueError:  # the reader's limit: the rest of the stream cannot be resynced
                message = f"line longer than {MAX_LINE} bytes; closing the connection"
                await self._send(_error(None, RpcError(INVALID_REQUEST, message)))
                return
            except ConnectionError:
                return
            if not line:
                return
            if line.strip():
                self._spawn(self._requests, self._handle(line))

    async def close(self, grace: float = 0.0) -> None:
        """Give running requests `grace` seconds to answer, then stop everything and hang up."""
        if self._closed:
            return
        self._closed = True
        if grace and self._requests:
            await asyncio.wait(self._requests, timeout=grace)
        tasks = [*self._requests, *self._streams]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for callback in self._closers:
            callback()
        self._writer.close()
        with suppress(ConnectionError):
            await self._writer.wait_closed()

    async def _handle(self, line: bytes) -> None:
        request: Request | None = None
        stream: AsyncIterator[tuple[str, Any]] | None = None
        try:
            request = parse_request(line)
            result = await self._call(request)
            if isinstance(result, Streamed):
                self.streaming = True
                result, stream = result.result, result.notifications
            payload = _encode({"jsonrpc": "2.0", "id": request.id, "result": result})
        except RpcError as exc:
            if request is None or not request.notification:
                await self._send(_error(request.id if request else exc.request_id, exc))
            return
        if not request.notification:
            await self._write(payload)
        if stream is not None:  # only now: the result comes before the first notification
            self._spawn(self._streams, self._stream(stream))

    async def _call(self, request: Request) -> Any:
        method = self._methods.get(request.method)
        if method is None:
            raise RpcError(METHOD_NOT_FOUND, f"method not found: {request.method}")
        try:
            params = method.params.model_validate(request.params)
        except ValidationError as exc:
            raise invalid_params(exc) from exc
        try:
            return await method.run(params, self)
        except GateError as exc:
            raise RpcError(GATE_ERROR, str(exc)) from exc
        except RpcError:
            raise
        except Exception as exc:  # one request failing must not take the gate down
            log.exception("%s from %s failed", request.method, self.client)
            raise RpcError(INTERNAL_ERROR, f"internal error: {type(exc).__name__}") from exc

    async def _stream(self, notifications: AsyncIterator[tuple[str, Any]]) -> None:
        async for method, params in notifications:
            try:
                payload = _encode({"jsonrpc": "2.0", "method": method, "params": params})
            except RpcError:
                log.exception("dropped an unencodable %s notification", method)
                continue
            await self._write(payload)

    async def _send(self, message: dict[str, Any]) -> None:
        await self._write(_encode(message))

    async def _write(self, payload: bytes) -> None:
        async with self._lock:
            if self._writer.is_closing():
                return
            self._writer.write(payload)
            with suppress(ConnectionError):  # the reader sees the hang-up and cleans up
                await self._writer.drain()

    def _spawn(self, tasks: set[asyncio.Task[None]], coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        tasks.add(task)
        task.add_done_callback(tasks.discard)


def parse_request(line: bytes) -> Request:
    """Check one line against JSON-RPC 2.0.

    Raises:
        RpcError: PARSE_ERROR for invalid JSON, INVALID_REQUEST for a JSON value that is not
            a request, INVALID_PARAMS for params that are not an object.
    """
    try:
        message = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise RpcError(PARSE_ERROR, f"parse error: {exc}") from exc
    if isinstance(message, list):
        raise RpcError(INVALID_REQUEST, "batch requests are not supported")
    if not isinstance(message, dict):
        raise RpcError(INVALID_REQUEST, "a request must be a JSON object")
    request_id = message.get("id")
    if isinstance(request_id, bool) or not isinstance(request_id, str | int | None):
        raise RpcError(INVALID_REQUEST, "id must be a string, an integer or null")
    method = message.get("method")
    if message.get("jsonrpc") != "2.0" or not isinstance(method, str):
        raise RpcError(
            INVALID_REQUEST, 'a request needs "jsonrpc": "2.0" and a method name', None, request_id
        )
    params = message.get("params")
    if params is not None and not isinstance(params, dict):
        raise RpcError(
            INVALID_PARAMS, "params must be an object (named parameters)", None, request_id
        )
    return Request(request_id, "id" not in message, method, params or {})


def invalid_params(exc: ValidationError) -> RpcError:
    """An INVALID_PARAMS error summarizing what pydantic found, each problem with its location."""
    problems = [
        {"loc": ".".join(str(part) for part in error["loc"]) or "params", "msg": error["msg"]}
        for error in exc.errors(include_url=False, include_input=False)
    ]
    summary = "; ".join(f"{p['loc']}: {p['msg']}" for p in problems[:5])
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return RpcError(INVALID_PARAMS, f"invalid params: {summary}{more}", problems)


def _error(request_id: RequestId, error: RpcError) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": error.to_json()}


def _encode(message: dict[str, Any]) -> bytes:
    try:
        return json.dumps(message, separators=(",", ":")).encode() + b"\n"
    except (TypeError, ValueError) as exc:
        log.exception("cannot encode a message as JSON")
        raise RpcError(INTERNAL_ERROR, "internal error: the answer is not JSON") from exc
