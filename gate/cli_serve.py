"""`warden serve`: run the gate without a console until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import gc
import signal
import sys

from gate.errors import GateError
from gate.model import ApprovalPolicy
from gate.pipeline import Gate
from gate.server import GateServer
from rules.errors import RulesError

POLICIES: tuple[ApprovalPolicy, ...] = ("untrusted", "on-request", "on-failure", "never")


def main(argv: list[str]) -> int:
    """Run `warden serve [--policy P] [--rules FILE]... [--ask-timeout S] [--socket PATH]`.

    Args:
        argv: The arguments after `serve`.

    Returns:
        0 after a clean stop; 2 for bad arguments, a broken config or rules file, or a gate
        that cannot start (one already runs, the socket directory is not private, ...).
    """
    parser = argparse.ArgumentParser(
        prog="warden serve",
        description="Run the gate without a console: agents and consoles attach to its sockets.",
    )
    parser.add_argument(
        "--policy", choices=POLICIES, help="approval policy (default: the config's, on-request)"
    )
    parser.add_argument(
        "--rules",
        action="append",
        default=[],
        metavar="FILE",
        help="an extra rules file, on top of the user and project rules (repeatable)",
    )
    parser.add_argument(
        "--ask-timeout",
        type=_seconds,
        metavar="SECONDS",
        help="deny (source timeout) what waits longer than this for a person; default: wait",
    )
    parser.add_argument(
        "--socket",
        metavar="PATH",
        help="the agent socket, console.sock beside it "
        "(default: $WARDEN_SOCKET, else $XDG_RUNTIME_DIR/warden/gate.sock)",
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    try:
        return asyncio.run(serve(args.policy, args.rules, args.ask_timeout, args.socket))
    except (GateError, RulesError) as exc:
        print(f"warden serve: {exc}", file=sys.stderr)
        return 2


async def serve(
    policy: ApprovalPolicy | None,
    rules: list[str],
    ask_timeout: float | None,
    socket: str | None,
) -> int:
    """Build the gate, serve it until SIGINT or SIGTERM, then stop cleanly.

    Raises:
        GateError: the config, the requirements or the sockets stop the gate from starting.
        RulesError: a rules file is broken.
    """
    gate = Gate.from_settings(policy=policy, extra_rules=rules, ask_timeout=ask_timeout)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with GateServer(gate, socket) as server:
        # What start-up built (modules, rules, indexes) lives as long as the gate: keep it out
        # of the collector's full passes, which would otherwise stall decisions for milliseconds.
        gc.freeze()
        print(f"warden: gate listening for agents on {server.agent_path}", flush=True)
        print(f"warden: consoles attach on {server.console_path}", flush=True)
        policy_now = gate.toggles().approval_policy
        print(f"warden: approval policy {policy_now}; Ctrl-C stops the gate", flush=True)
        await stop.wait()
    print("warden: gate stopped", flush=True)
    return 0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text}")
    return value
