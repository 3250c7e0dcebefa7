"""The network proxy with a real gate and a local HTTP server: allow, block, ask, tunnel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from local_web import NETWORK_RULES
from sandbox_tree import next_event

from gate.audit import AuditLog
from gate.grants import GrantStore
from gate.model import Toggles
from gate.pipeline import Gate
from gate.rulebook import Rulebook
from sandbox import proxy as proxy_module
from sandbox.proxy import NetworkProxy
from sandbox.proxy_http import BadRequest, parse_head


async def origin(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A tiny web server: echoes the request line it got, then closes."""
    head = await reader.readuntil(b"\r\n\r\n")
    body = head.split(b"\r\n")[0]
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    await writer.drain()
    writer.close()


@pytest.fixture
async def web() -> AsyncIterator[int]:
    server = await asyncio.start_server(origin, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()


@pytest.fixture
async def gate(tmp_path: Path) -> AsyncIterator[Gate]:
    (tmp_path / "rules.toml").write_text(NETWORK_RULES)
    gate = Gate(
        rulebook=Rulebook(extra=[tmp_path / "rules.toml"]),
        grants=GrantStore(tmp_path / "grants.json"),
        audit=AuditLog(tmp_path / "audit.jsonl"),
        toggles=Toggles(auto_review=False),
    )
    yield gate
    await gate.close()


@pytest.fixture
async def proxy(gate: Gate, tmp_path: Path) -> AsyncIterator[Path]:
    path = tmp_path / "proxy.sock"
    async with NetworkProxy(gate, path):
        yield path


async def fetch(proxy: Path, request: bytes) -> bytes:
    reader, writer = await asyncio.open_unix_connection(str(proxy))
    writer.write(request)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return answer


def get(host: str, port: int) -> bytes:
    return f"GET http://{host}:{port}/x?y=1 HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


async def test_allowed_host_is_reached_in_origin_form(proxy: Path, web: int) -> None:
    answer = await fetch(proxy, get("127.0.0.1", web))
    assert answer.startswith(b"HTTP/1.1 200 OK")
    assert answer.endswith(b"GET /x?y=1 HTTP/1.1")


async def test_blocked_host_gets_403_with_the_reason(proxy: Path) -> None:
    answer = await fetch(proxy, get("blocked.example", 80))
    assert answer.startswith(b"HTTP/1.1 403 Forbidden")
    assert b"not this one" in answer


async def test_connect_tunnels_bytes(proxy: Path, web: int) -> None:
    reader, writer = await asyncio.open_unix_connection(str(proxy))
    writer.write(f"CONNECT 127.0.0.1:{web} HTTP/1.1\r\n\r\n".encode())
    assert await reader.readuntil(b"\r\n\r\n") == b"HTTP/1.1 200 Connection established\r\n\r\n"
    writer.write(b"GET /tunnelled HTTP/1.1\r\n\r\n")
    assert (await asyncio.wait_for(reader.read(), 10)).endswith(b"GET /tunnelled HTTP/1.1")
    writer.close()


@pytest.mark.parametrize(("answer", "status"), [("allow", b"200 OK"), ("deny", b"403 Forbidden")])
async def test_unknown_host_waits_for_a_person(
    gate: Gate, proxy: Path, web: int, answer: str, status: bytes
) -> None:
    events = gate.subscribe()
    held = asyncio.create_task(fetch(proxy, get("localhost", web)))
    queued = (await next_event(events, "queued"))["pending"]["action"]
    assert (queued["kind"], queued["host"], queued["port"]) == ("network", "localhost", web)
    assert not held.done()
    await gate.decide(queued["id"], answer)
    assert status in (await held).split(b"\r\n")[0]


async def test_one_question_per_host(gate: Gate, proxy: Path, web: int) -> None:
    events = gate.subscribe()
    both = [asyncio.create_task(fetch(proxy, get("localhost", web))) for _ in range(2)]
    queued = (await next_event(events, "queued"))["pending"]["action"]
    await gate.decide(queued["id"], "allow")
    assert all(a.startswith(b"HTTP/1.1 200") for a in await asyncio.gather(*both))
    assert gate.pending == {}


async def test_a_denied_host_is_not_asked_about_again_for_a_while(
    gate: Gate, proxy: Path, web: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = gate.subscribe()
    first = asyncio.create_task(fetch(proxy, get("localhost", web)))
    queued = (await next_event(events, "queued"))["pending"]["action"]
    await gate.decide(queued["id"], "deny", message="not now")
    assert (await first).startswith(b"HTTP/1.1 403")
    # A client retrying (pip does, five times) gets the same answer without a new question.
    again = await fetch(proxy, get("localhost", web))
    assert again.startswith(b"HTTP/1.1 403")
    assert b"not now" in again
    assert gate.pending == {}
    # Once the while has passed, the person is asked again.
    monkeypatch.setattr(proxy_module, "DENIED_FOR_S", 0.0)
    later = asyncio.create_task(fetch(proxy, get("localhost", web)))
    queued = (await next_event(events, "queued"))["pending"]["action"]
    await gate.decide(queued["id"], "allow")
    assert (await later).startswith(b"HTTP/1.1 200")


async def test_malformed_request_is_400(proxy: Path) -> None:
    assert (await fetch(proxy, b"GET /relative HTTP/1.1\r\n\r\n")).startswith(b"HTTP/1.1 400")


@pytest.mark.parametrize(
    ("head", "where"),
    [
        (b"CONNECT example.com:443 HTTP/1.1\r\n\r\n", ("example.com", 443, "https")),
        (b"CONNECT [::1]:8443 HTTP/1.1\r\n\r\n", ("::1", 8443, "https")),
        (b"GET http://example.com/ HTTP/1.1\r\n\r\n", ("example.com", 80, "http")),
        (b"GET http://u@example.com:8080 HTTP/1.1\r\n\r\n", ("example.com", 8080, "http")),
    ],
)
def test_targets(head: bytes, where: tuple[str, int, str]) -> None:
    target = parse_head(head)
    assert (target.host, target.port, target.scheme) == where


def test_hop_headers_are_dropped() -> None:
    head = (
        b"GET http://h/p HTTP/1.1\r\nHost: h\r\nProxy-Authorization: x\r\nConnection: keep\r\n\r\n"
    )
    assert parse_head(head).head == b"GET /p HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize(
    "head",
    [
        b"nonsense\r\n\r\n",
        b"CONNECT example.com HTTP/1.1\r\n\r\n",
        b"GET https://h/ HTTP/1.1\r\n\r\n",
    ],
)
def test_bad_requests(head: bytes) -> None:
    with pytest.raises(BadRequest):
        parse_head(head)


async def test_closing_ends_held_connections(gate: Gate, tmp_path: Path) -> None:
    events = gate.subscribe()
    async with NetworkProxy(gate, tmp_path / "p.sock") as proxy:
        held = asyncio.create_task(fetch(proxy.socket_path, get("unknown.example", 80)))
        await next_event(events, "queued")
    assert await held == b""
    assert gate.pending == {}
    assert not (tmp_path / "p.sock").exists()
