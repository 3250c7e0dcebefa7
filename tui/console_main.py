"""`warden console`: open the full-screen console (starting a gate when none runs)."""

from __future__ import annotations

import argparse
import socket
import sys

from gate.errors import GateError
from gate.paths import socket_paths
from rules.errors import RulesError


def main(argv: list[str]) -> int:
    """Parse the console's options and run it until the person quits."""
    parser = argparse.ArgumentParser(
        prog="warden console",
        description="Open the console; it attaches to the running gate or starts one.",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="also submit a labelled sample session of actions (decided, never run)",
    )
    parser.add_argument("--socket", help="the gate's agent socket (default: $WARDEN_SOCKET)")
    args = parser.parse_args(argv)
    from gate.pipeline import Gate
    from tui.app import WardenApp

    gate: Gate | None = None
    if not gate_answers(args.socket):
        # A broken config or rules file stops the start here, before the screen opens.
        try:
            gate = Gate.from_settings()
        except (GateError, RulesError) as exc:
            print(f"warden: {exc}", file=sys.stderr)
            return 2
    app = WardenApp(agent_socket=args.socket, demo=args.demo)
    if gate is not None:
        app.gate_factory = lambda: gate
    app.run()
    return 0


def gate_answers(agent_socket: str | None) -> bool:
    """Whether a gate listens on the console socket."""
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(socket_paths(agent_socket)[1]))
        except OSError:
            return False
    return True
