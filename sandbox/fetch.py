"""One HTTP GET made by Warden itself once the gate allowed the host: bounded, no redirects."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from http.client import HTTPException, HTTPResponse
from typing import Any

from sandbox.errors import SandboxError

FETCH_LIMIT = 1 << 20
FETCH_TIMEOUT_S = 30.0
USER_AGENT = "warden-fetch/1"


class FetchError(SandboxError):
    """The request got no HTTP answer (connection refused, DNS, TLS, timeout); says why."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """An HTTP answer.

    Attributes:
        status: The HTTP status code.
        reason: Its reason phrase.
        content_type: The `Content-Type` header ("" when absent).
        charset: The charset it names, if any.
        body: At most `limit` bytes of the body.
        truncated: Whether the body was longer.
        location: The `Location` header of a redirect, if any.
    """

    status: int
    reason: str
    content_type: str
    charset: str | None
    body: bytes
    truncated: bool
    location: str | None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # Each hop is judged by the gate, so redirects come back to the caller instead.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# No proxy from the environment: the gate already decided this host, and Warden connects itself.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def http_get(url: str, limit: int = FETCH_LIMIT, timeout_s: float = FETCH_TIMEOUT_S) -> Fetched:
    """GET `url` (blocking) and return the answer, its body cut at `limit` bytes.

    Error statuses (4xx, 5xx) and redirects are answers too.

    Raises:
        FetchError: no HTTP answer came.
    """
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        response = _OPENER.open(request, timeout=timeout_s)
    except urllib.error.HTTPError as exc:
        response = exc
    except (urllib.error.URLError, HTTPException, OSError, ValueError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise FetchError(f"{url}: {reason}") from exc
    try:
        with response:
            body = response.read(limit + 1)
    except (HTTPException, OSError) as exc:
        raise FetchError(f"{url}: the answer broke off: {exc}") from exc
    return _fetched(response, body[:limit], truncated=len(body) > limit)


def _fetched(
    response: HTTPResponse | urllib.error.HTTPError, body: bytes, truncated: bool
) -> Fetched:
    headers: Message = response.headers
    return Fetched(
        status=response.status or 0,
        reason=str(response.reason or ""),
        content_type=headers.get("Content-Type", ""),
        charset=headers.get_content_charset(),
        body=body,
        truncated=truncated,
        location=headers.get("Location"),
    )
