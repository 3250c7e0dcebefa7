"""Inside a sandbox: a loopback port bridged to Warden's proxy socket, around the command.

Run as a script by the sandbox's Python (`python -I bridge.py SOCKET -- CMD...`), so it uses the
standard library only. It exits with the command's exit code (127 when it is not found, 126 when
it cannot be executed, 128+N when signal N killed it).

The sandbox has no controlling terminal (bwrap's `--new-session`), so a terminal resize sends no
`SIGWINCH` into it: when the output is a terminal, the bridge watches its size and sends the
command `SIGWINCH` itself when it changes (full-screen agents redraw on it).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
CHUNK = 64 * 1024
RESIZE_POLL_S = 0.25


def main(argv: list[str]) -> int:
    """Listen on 127.0.0.1, point the proxy variables at it, run the command, return its code.

    Args:
        argv: The proxy socket's path, `--`, then the command and its arguments.
    """
    socket_path, command = argv[0], argv[2:]
    listener = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    threading.Thread(target=_accept, args=(listener, socket_path), daemon=True).start()
    env = {**os.environ, **dict.fromkeys(PROXY_VARS, url)}
    try:
        child = subprocess.Popen(command, env=env)
    except OSError as exc:
        print(f"warden: {command[0]}: {exc.strerror}", file=sys.stderr)
        return 127 if isinstance(exc, FileNotFoundError) else 126
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda received, _frame: child.send_signal(received))
    if os.isatty(sys.stdout.fileno()):
        threading.Thread(target=_resizes, args=(child, sys.stdout.fileno()), daemon=True).start()
    code = child.wait()
    return 128 - code if code < 0 else code


def _resizes(child: subprocess.Popen[bytes], fd: int) -> None:
    """Send `SIGWINCH` to the command each time the terminal's size changes."""
    size = os.get_terminal_size(fd)
    while child.poll() is None:
        time.sleep(RESIZE_POLL_S)
        try:
            now = os.get_terminal_size(fd)
        except OSError:
            return  # the terminal went away
        if now != size:
            size = now
            child.send_signal(signal.SIGWINCH)


def _accept(listener: socket.socket, socket_path: str) -> None:
    while True:
        client, _ = listener.accept()
        threading.Thread(target=_connect, args=(client, socket_path), daemon=True).start()


def _connect(client: socket.socket, socket_path: str) -> None:
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(socket_path)
    except OSError:
        client.close()
        upstream.close()
        return
    back = threading.Thread(target=_copy, args=(upstream, client), daemon=True)
    back.start()
    _copy(client, upstream)
    back.join()
    client.close()
    upstream.close()


def _copy(source: socket.socket, target: socket.socket) -> None:
    try:
        while chunk := source.recv(CHUNK):
            target.sendall(chunk)
        target.shutdown(socket.SHUT_WR)
    except OSError:
        return  # one side went away; the other copy ends too


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
