"""`warden run`: start any agent confined, in this terminal, with the gate's socket inside."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from gate.client import AsyncGateClient
from gate.config import AgentProfile, ApprovalPolicy, load_config
from gate.errors import GateError
from gate.profiles import agent_profiles
from rules.action import AgentRef
from rules.errors import RulesError
from sandbox.cli_sandbox import WARDEN_FAILED, Parser
from sandbox.errors import SandboxError
from sandbox.gatelink import add_gate_options, proxied_sandbox
from sandbox.judge import RemoteJudge, running_gate
from sandbox.runner import run
from sandbox.spec import LOOSENESS, Mode, gate_mode

CONSOLES = ("auto", "tmux", "none")
# Where the gate's agent socket appears inside (the private /tmp): the console socket never does.
SOCKET_INSIDE = Path("/tmp/warden-gate.sock")
CONSOLE_WAIT_S = 30.0
NO_GATE = (
    "no gate is running, and a sandboxed agent without one would have no one to ask: "
    "start the console (`warden`) in another terminal, then run this again"
)


@dataclass(frozen=True, slots=True)
class _Place:
    """Where the agent works: its workspace, where it starts, and the other writable paths."""

    workspace: Path
    cwd: Path
    roots: tuple[Path, ...]


def main(argv: list[str]) -> int:
    """Run `warden run [--profile NAME] [--mode M] [--policy P] [--workspace DIR] -- CMD...`.

    Args:
        argv: The arguments after `warden run`.

    Returns:
        The agent's exit code; 125 when Warden failed (no gate, no working bubblewrap, a bad
        profile or config); 130 when interrupted before the agent started.
    """
    args = _parser().parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print("warden run: no command given (warden run -- AGENT ARGS…)", file=sys.stderr)
        return WARDEN_FAILED
    try:
        settings = load_config()
        profiles = agent_profiles(settings)
        name = args.profile or Path(command[0]).name
        if args.profile is not None and args.profile not in profiles:
            known = ", ".join(sorted(profiles))
            print(f"warden run: no agent profile {args.profile!r}; known: {known}", file=sys.stderr)
            return WARDEN_FAILED
        profile = profiles.get(name, AgentProfile())
        roots = [Path(r).expanduser() for r in settings.sandbox.writable_roots]
        roots += _writable(profile)
        workspace = Path(args.workspace or Path.cwd()).expanduser().resolve()
        place = _Place(workspace, Path.cwd() if args.workspace is None else workspace, (*roots,))
        agent = AgentRef(name=name, session=f"run-{os.getpid()}")
        return asyncio.run(_run(command, args, agent, profile, place))
    except (GateError, RulesError, SandboxError) as exc:
        print(f"warden run: {exc}", file=sys.stderr)
        return WARDEN_FAILED
    except KeyboardInterrupt:
        return 130


async def _run(
    command: list[str],
    args: argparse.Namespace,
    agent: AgentRef,
    profile: AgentProfile,
    place: _Place,
) -> int:
    client = await running_gate(agent)
    if client is None:
        client = await _open_console(args.console, args.policy, agent)
    elif args.policy is not None:
        print(
            f"warden run: a gate is running; its own approval policy applies, "
            f"not --policy {args.policy}",
            file=sys.stderr,
        )
    if client is None:
        print(f"warden run: {NO_GATE}", file=sys.stderr)
        return WARDEN_FAILED
    judge = RemoteJudge(client)
    try:
        mode = _mode(args.mode, await judge.toggles())
        trigger = shlex.join(command)
        async with proxied_sandbox(
            judge, agent, place.workspace, mode, place.roots, trigger
        ) as proxied:
            inside = client.path if mode == "danger-full-access" else SOCKET_INSIDE
            spec = dataclasses.replace(
                proxied,
                cwd=place.cwd,
                env_passthrough=tuple(profile.env),
                env=(("WARDEN_SOCKET", str(inside)),),
                sockets=() if mode == "danger-full-access" else ((client.path, inside),),
            )
            how = (
                "UNCONFINED (danger-full-access: no sandbox, no proxy)"
                if mode == "danger-full-access"
                else f"in {mode}, its network through Warden's proxy"
            )
            print(f"warden run: {agent.name} runs {how}; gate at {client.path}", file=sys.stderr)
            return (await run(command, spec, capture=False)).exit_code
    finally:
        await client.close()


def _mode(asked: Mode | None, toggles: dict[str, object] | None) -> Mode:
    """The sandbox mode: the one asked for, never looser than the gate's (its by default)."""
    default = gate_mode(toggles)
    if asked is None:
        return default
    # A gate whose mode cannot be read: workspace-write is the limit, as for `warden exec`.
    if LOOSENESS[asked] > LOOSENESS[default]:
        print(
            f"warden run: runs in {default}, the gate's sandbox mode, not the looser {asked}",
            file=sys.stderr,
        )
        return default
    return asked


def _writable(profile: AgentProfile) -> list[Path]:
    """The profile's writable paths that exist (a missing folder, marked by `/`, is created)."""
    found: list[Path] = []
    for entry in profile.writable:
        path = Path(entry).expanduser()
        if entry.endswith("/") and not path.exists():
            path.mkdir(mode=0o700, parents=True)
        if path.exists():
            found.append(path)
        else:
            print(
                f"warden run: {path} does not exist, so it is not made writable "
                "(create it first if the agent needs to write it)",
                file=sys.stderr,
            )
    return found


async def _open_console(
    console: str, policy: ApprovalPolicy | None, agent: AgentRef
) -> AsyncGateClient | None:
    """Split a tmux pane running the console and wait for its gate; None if that cannot be."""
    in_tmux = bool(os.environ.get("TMUX"))
    if console == "none" or (console == "auto" and not in_tmux):
        return None
    if not in_tmux or shutil.which("tmux") is None:
        print("warden run: --console tmux needs to run inside tmux", file=sys.stderr)
        return None
    env = {k: v for k, v in os.environ.items() if k.startswith("XDG_") or k == "WARDEN_SOCKET"}
    if policy is not None:
        env["WARDEN_POLICY__APPROVAL_POLICY"] = policy
    split = ["tmux", "split-window", "-h", "-d", "-c", str(Path.cwd())]
    for key, value in env.items():
        split += ["-e", f"{key}={value}"]
    split.append(shlex.join(_warden_command()))
    tmux = await asyncio.create_subprocess_exec(*split)
    if await tmux.wait() != 0:
        print("warden run: tmux could not split a pane for the console", file=sys.stderr)
        return None
    print("warden run: opened the console in a tmux pane; waiting for it…", file=sys.stderr)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CONSOLE_WAIT_S
    while loop.time() < deadline:
        client = await running_gate(agent)
        if client is not None:
            return client
        await asyncio.sleep(0.2)
    print("warden run: the console in the tmux pane did not start a gate", file=sys.stderr)
    return None


def _warden_command() -> list[str]:
    """The `warden` of this installation (beside this Python), else this Python running it."""
    beside = Path(sys.executable).with_name("warden")
    if beside.is_file():
        return [str(beside)]
    return [sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())"]


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="warden run",
        description="Start a program (any agent) confined by the sandbox, in this terminal: "
        "$WARDEN_SOCKET inside reaches the running gate (and nothing else of Warden's), the "
        "network goes through Warden's proxy, and the agent profile's environment variables, "
        "writable paths and hosts apply. Refuses to start when no gate runs. Exits with the "
        "program's exit code, or 125 when Warden failed.",
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="agent profile ([agents.NAME]; built in: claude, codex, gemini); default: the "
        "profile named like the program, if any",
    )
    add_gate_options(
        parser,
        "approval policy of the console this starts in tmux (a running gate keeps its own)",
    )
    parser.add_argument(
        "--workspace", metavar="DIR", help="the project folder, writable (default: this folder)"
    )
    parser.add_argument(
        "--console",
        choices=CONSOLES,
        default="auto",
        help="when no gate runs: tmux splits a pane running the console; auto does that "
        "inside tmux; none (and auto outside tmux) refuses to start",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="-- AGENT_CMD ...")
    return parser
