"""Reading a proxy request's head: CONNECT for HTTPS, an absolute URI for plain HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

# Headers meant for the proxy itself, or about this hop only: never passed on.
HOP_HEADERS = frozenset({b"proxy-connection", b"proxy-authorization", b"connection", b"keep-alive"})


class BadRequest(ValueError):
    """The request is not one this proxy can carry (the message says why)."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where a request goes and what to send there first.

    Attributes:
        host: The host name or address, as the client gave it (no brackets around IPv6).
        port: The port.
        scheme: `https` for CONNECT, `http` for an absolute URI.
        tunnel: Whether this is a CONNECT tunnel (answer 200, then pass bytes through).
        head: For plain HTTP, the request head to send upstream (origin-form, one request).
    """

    host: str
    port: int
    scheme: str
    tunnel: bool
    head: bytes = b""


def parse_head(head: bytes) -> Target:
    """The target of a proxy request whose head (request line and headers) is `head`.

    Raises:
        BadRequest: not a CONNECT or absolute-URI `http://` request, or malformed.
    """
    lines = head.split(b"\r\n")
    try:
        method, target, version = lines[0].decode("ascii").split(" ")
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("malformed request line") from exc
    if method == "CONNECT":
        host, port = _host_port(target, None)
        return Target(host, port, "https", tunnel=True)
    url = urlsplit(target)
    if url.scheme != "http" or not url.netloc:
        raise BadRequest("only CONNECT (https) and absolute http:// URIs go through this proxy")
    host, port = _host_port(url.netloc.rpartition("@")[2], 80)
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    kept = [h for h in lines[1:] if h and h.split(b":", 1)[0].strip().lower() not in HOP_HEADERS]
    start = f"{method} {path} {version}".encode()
    head = b"\r\n".join([start, *kept, b"Connection: close", b"", b""])
    return Target(host, port, "http", tunnel=False, head=head)


def _host_port(netloc: str, default: int | None) -> tuple[str, int]:
    if netloc.startswith("["):
        host, _, rest = netloc[1:].partition("]")
        port_text = rest.removeprefix(":")
    else:
        host, colon, port_text = netloc.rpartition(":")
        if not colon:
            host, port_text = netloc, ""
    if not port_text and default is not None:
        return _checked(host, default)
    if not port_text.isdigit():
        raise BadRequest(f"no port in {netloc!r}")
    return _checked(host, int(port_text))


def _checked(host: str, port: int) -> tuple[str, int]:
    if not host or not 0 < port < 65536:
        raise BadRequest(f"bad host or port: {host!r}:{port}")
    return host, port
