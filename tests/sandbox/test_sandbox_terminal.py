"""A confined command on a terminal: raw input and resizes reach it (what `warden run` needs)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import time
from pathlib import Path

from sandbox_tree import PYTHON, WARDEN, Tree

AGENT = """
import os, signal, sys, termios, time, tty
sizes = []
signal.signal(signal.SIGWINCH, lambda *_: sizes.append(os.get_terminal_size(1)))
old = termios.tcgetattr(0)
tty.setraw(0)
print("ready", end="\\r\\n", flush=True)
key = os.read(0, 1)
termios.tcsetattr(0, termios.TCSANOW, old)
for _ in range(200):
    if sizes:
        break
    time.sleep(0.1)
print("key", key, "sizes", [(s.columns, s.lines) for s in sizes], flush=True)
"""


def read_until(fd: int, text: bytes, timeout: float = 60) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while text not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    return seen


def test_raw_keys_and_resizes_reach_the_confined_command(tree: Tree) -> None:
    master, slave = pty.openpty()
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    argv = [WARDEN, "sandbox", "exec", "--network", "proxy", "--", PYTHON, "-c", AGENT]
    child = subprocess.Popen(
        argv,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=Path(tree.workspace),
        start_new_session=True,
    )
    os.close(slave)
    try:
        assert b"ready" in read_until(master, b"ready")
        os.write(master, b"q")  # raw mode: one key, no Enter
        time.sleep(0.5)
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 132, 0, 0))
        out = read_until(master, b"sizes")
        out += read_until(master, b"\n", timeout=5)
        assert b"key b'q' sizes [(132, 50)]" in out, out
        assert child.wait(timeout=30) == 0
    finally:
        child.kill()
        os.close(master)
