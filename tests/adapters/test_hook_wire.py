"""The shims' submit against a misbehaving peer: every odd answer denies or errs."""

from __future__ import annotations

import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gate.adapters.decide import Answer, decide
from gate.errors import GateError

ACTION = {"kind": "exec", "command": "git status", "cwd": "/w"}


@pytest.fixture
def peer() -> Iterator[tuple[Path, list[bytes]]]:
    """A Unix socket that reads one line and answers with the next reply given (b"" = hang up)."""
    folder = Path(tempfile.mkdtemp(prefix="wp-", dir="/tmp"))
    path = folder / "gate.sock"
    replies: list[bytes] = []
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.makefile("rb").readline()
                reply = replies.pop(0)
                if reply == b"wait":
                    conn.recv(1)  # until the shim hangs up
                else:
                    conn.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path, replies
    server.shutdown(socket.SHUT_RDWR)
    server.close()
    thread.join(5)
    path.unlink()
    folder.rmdir()


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (b'{"jsonrpc":"2.0","id":1,"result":{"decision":"allow","message":""}}\n', "allow"),
        (b'{"jsonrpc":"2.0","id":1,"result":{"decision":"deny","message":"no"}}\n', "deny"),
        (b'{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"cancelled"}}\n', "deny"),
        (b"", "deny"),
        (b"not json\n", "deny"),
        (b"[1]\n", "deny"),
        (b'{"jsonrpc":"2.0","id":1,"result":"allow"}\n', "deny"),
    ],
)
def test_answers(peer: tuple[Path, list[bytes]], reply: bytes, expected: str) -> None:
    path, replies = peer
    replies.append(reply)
    assert decide(ACTION, 5, str(path)).decision == expected


def test_an_error_answer_is_a_denial_that_says_so(peer: tuple[Path, list[bytes]]) -> None:
    path, replies = peer
    replies.append(b'{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"cancelled"}}\n')
    assert decide(ACTION, 5, str(path)) == Answer("deny", "Warden refused the action: cancelled")


def test_a_decision_that_is_neither_allow_nor_deny_is_an_error(
    peer: tuple[Path, list[bytes]],
) -> None:
    path, replies = peer
    replies.append(b'{"jsonrpc":"2.0","id":1,"result":{"decision":"ask"}}\n')
    with pytest.raises(GateError, match="not allow or deny"):
        decide(ACTION, 5, str(path))


def test_silence_past_the_wait_is_ask(peer: tuple[Path, list[bytes]]) -> None:
    path, replies = peer
    replies.append(b"wait")
    assert decide(ACTION, 0.2, str(path)) == Answer("ask", "Warden did not decide within 0.2 s")
