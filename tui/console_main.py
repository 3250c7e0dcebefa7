"""`warden console` and `warden demo`: open the console (starting a gate when none runs)."""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gate.errors import GateError
from gate.paths import socket_paths
from rules.errors import RulesError

if TYPE_CHECKING:
    from sandbox.demo_agent import DemoOptions, DemoStatus


def main(argv: list[str]) -> int:
    """Parse the console's options and run it until the person quits."""
    parser = argparse.ArgumentParser(
        prog="warden console",
        description="Open the console; it attaches to the running gate or starts one.",
    )
    parser.add_argument("--socket", help="the gate's agent socket (default: $WARDEN_SOCKET)")
    args = parser.parse_args(argv)
    return _console(args.socket, None)


def demo_main(argv: list[str]) -> int:
    """Run `warden demo`: the console and the scripted demo agent (or the agent alone)."""
    parser = argparse.ArgumentParser(
        prog="warden demo",
        description="Open the console with a scripted agent at work in a throwaway git repo "
        "and HOME: it reads, tests, fixes and commits, then tries a package install, an "
        "unknown host, git push, rm -rf ~, an SSH key and a git hook. Approved actions run in "
        "the sandbox (or nothing runs when bubblewrap cannot start, as the screen says).",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the throwaway dirs at the end, the demo's log and rules too (shown where)",
    )
    parser.add_argument(
        "--pace",
        type=_pace,
        default=1.0,
        metavar="FACTOR",
        help="multiply the agent's pauses between actions (0: none; default 1)",
    )
    parser.add_argument(
        "--no-console",
        action="store_true",
        help="run the agent alone, against the gate a console in another terminal started",
    )
    parser.add_argument(
        "--scenario",
        type=Path,
        metavar="FILE",
        help="replay this scenario (JSON lines, docs/console.md) instead of the bundled one",
    )
    parser.add_argument(
        "--socket",
        help="join the gate at this agent socket, with its rules and log (default: a Warden of "
        "the demo's own, on copies of your config and rules; with --no-console: $WARDEN_SOCKET)",
    )
    args = parser.parse_args(argv)
    from sandbox.demo_agent import DemoOptions
    from sandbox.demo_agent_scenario import BUNDLED, ScenarioError, load_scenario

    scenario = args.scenario or BUNDLED
    try:
        load_scenario(scenario)  # a broken file stops here, before the screen opens
    except ScenarioError as exc:
        print(f"warden demo: {exc}", file=sys.stderr)
        return 2
    options = DemoOptions(keep=args.keep, pace=args.pace, scenario=scenario)
    if args.no_console:
        return _agent_alone(args.socket, options)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(
            "warden demo: the console needs a terminal; `warden demo --no-console` runs the "
            "agent alone against a running gate",
            file=sys.stderr,
        )
        return 2
    if args.socket:  # the person chose the gate: the demo joins it, with its rules and log
        return _console(args.socket, options)
    return _own_demo(options)


def _own_demo(options: DemoOptions) -> int:
    """The console and the demo agent on a Warden of the demo's own (`tui/demo_warden.py`)."""
    from dataclasses import replace

    from sandbox.demo_agent_workspace import DemoSetupError
    from tui.demo_warden import demo_warden

    try:
        with demo_warden(options.keep) as own:
            mine = replace(options, world=own.world, hidden=own.theirs)
            return _console(str(own.agent_socket), mine)
    except (GateError, RulesError) as exc:  # the person's config or rules file is broken
        print(f"warden demo: {exc}", file=sys.stderr)
        return 2
    except (DemoSetupError, OSError) as exc:
        print(f"warden demo: {exc}", file=sys.stderr)
        return 1


def _console(agent_socket: str | None, demo: DemoOptions | None) -> int:
    from gate.pipeline import Gate
    from tui.app import WardenApp

    gate: Gate | None = None
    if not gate_answers(agent_socket):
        # A broken config or rules file stops the start here, before the screen opens.
        try:
            gate = Gate.from_settings()
        except (GateError, RulesError) as exc:
            print(f"warden: {exc}", file=sys.stderr)
            return 2
    app = WardenApp(agent_socket=agent_socket, demo=demo)
    if gate is not None:
        app.gate_factory = lambda: gate
    app.run()
    return 0


def _agent_alone(agent_socket: str | None, options: DemoOptions) -> int:
    """The demo agent without a console: its steps printed, questions answered elsewhere."""
    from sandbox.demo_agent import run_demo_agent
    from sandbox.errors import SandboxError

    if not gate_answers(agent_socket):
        print(
            f"warden demo: no gate answers at {socket_paths(agent_socket)[0]}; open the console "
            "(`warden`) in another terminal first, or run `warden demo` for both",
            file=sys.stderr,
        )
        return 1
    said: list[str] = []

    def show(status: DemoStatus) -> None:
        if status.about not in said:
            said.append(status.about)
            print(status.about, flush=True)
        print(f"  {status.step}", flush=True)

    try:
        asyncio.run(run_demo_agent(agent_socket, options, show))
    except (GateError, SandboxError) as exc:
        print(f"warden demo: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def _pace(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number >= 0")
    return value


def gate_answers(agent_socket: str | None) -> bool:
    """Whether a gate listens on the console socket."""
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(socket_paths(agent_socket)[1]))
        except OSError:
            return False
    return True
