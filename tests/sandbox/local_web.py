"""A web server on the host's 127.0.0.1 and a fetch script, for the proxy's tests."""

from __future__ import annotations

import asyncio

# The user's or an extra rules file: 127.0.0.1 allowed, one host blocked with a reason.
NETWORK_RULES = """version = 1
[[network]]
host = "127.0.0.1"
decision = "allow"
[[network]]
host = "blocked.example"
decision = "block"
reason = "not this one"
"""
# `python -c FETCH URL`: prints the body, or the HTTP status and body and exits 3.
FETCH = """
import sys, urllib.request, urllib.error
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=20).read().decode())
except urllib.error.HTTPError as exc:
    print(exc.code, exc.read().decode().strip())
    sys.exit(3)
"""


async def hello(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer any request with `hello`, then close."""
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
    await writer.drain()
    writer.close()
