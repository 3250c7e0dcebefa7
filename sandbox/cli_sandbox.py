"""`warden sandbox`: run one command confined by bubblewrap, or check that bubblewrap works here."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import shlex
import sys
from pathlib import Path
from typing import NoReturn

from gate.errors import GateError
from rules.errors import RulesError
from sandbox.errors import SandboxError
from sandbox.runner import check, run
from sandbox.spec import MODES, NETWORKS, SandboxSpec

# Like env(1) and timeout(1): the command's own code, or 125 when Warden itself failed.
WARDEN_FAILED = 125
NOT_WORKING = 1
INTERRUPTED = 130
AGENT = "warden-sandbox"


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors exit 125, as Warden's own failures do."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(WARDEN_FAILED, f"{self.prog}: error: {message}\n")


def main(argv: list[str]) -> int:
    """Run `warden sandbox exec|check`.

    Args:
        argv: The arguments after `warden sandbox`.

    Returns:
        `exec`: the command's exit code, or 125 when the sandbox could not start (or the
        arguments were wrong). `check`: 0 when bubblewrap works here, 1 when it does not.
    """
    args = _parser().parse_args(argv)
    if args.action == "check":
        return _check()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print("warden sandbox exec: no command given (… exec -- CMD ARGS…)", file=sys.stderr)
        return WARDEN_FAILED
    try:
        spec = SandboxSpec(
            workspace=args.workspace,
            mode=args.mode,
            writable_roots=tuple(args.writable_root),
            env_passthrough=tuple(args.pass_env),
            cwd=Path.cwd(),
        )
        if args.network == "proxy":
            return asyncio.run(_proxied(command, spec))
        return asyncio.run(run(command, spec, capture=False)).exit_code
    except (SandboxError, GateError, RulesError) as exc:
        print(f"warden sandbox: {exc}", file=sys.stderr)
        return WARDEN_FAILED
    except KeyboardInterrupt:
        return INTERRUPTED


async def _proxied(command: list[str], spec: SandboxSpec) -> int:
    """Run with the network through a proxy of this run's own.

    Hosts are judged by the gate at `$WARDEN_SOCKET` when one answers (an unknown host waits
    in its queue), else by the rules alone (an unknown host is refused, saying to start
    `warden`).
    """
    # Imported here: plain `warden sandbox exec` stays free of pydantic and the gate client.
    from rules.action import AgentRef
    from sandbox.gatelink import proxied_sandbox
    from sandbox.judge import Judge, RemoteJudge, RulesJudge, running_gate

    agent = AgentRef(name=AGENT, session=f"sandbox-{os.getpid()}")
    client = await running_gate(agent)
    try:
        judge: Judge = RemoteJudge(client) if client is not None else RulesJudge()
        trigger = shlex.join(command)
        async with proxied_sandbox(judge, agent, spec.workspace, spec.mode, (), trigger) as proxied:
            confined = dataclasses.replace(spec, network="proxy", proxy_socket=proxied.proxy_socket)
            return (await run(command, confined, capture=False)).exit_code
    finally:
        if client is not None:
            await client.close()


def _check() -> int:
    try:
        binary = check()
    except SandboxError as exc:
        print(f"warden sandbox: {exc}", file=sys.stderr)
        return NOT_WORKING
    print(f"bubblewrap works here: {binary.describe()}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="warden sandbox", description="Run commands confined by bubblewrap.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    one = actions.add_parser(
        "exec",
        help="run one command confined, in this terminal",
        description="Run one command confined by bubblewrap, with this terminal attached. "
        "Exits with the command's exit code, or 125 if the sandbox could not start.",
    )
    one.add_argument("--mode", choices=MODES, default="workspace-write")
    one.add_argument(
        "--workspace", type=Path, default=Path.cwd(), metavar="DIR", help="default: this folder"
    )
    one.add_argument(
        "--writable-root",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="another folder the command may write (repeatable)",
    )
    one.add_argument(
        "--network",
        choices=NETWORKS,
        default="off",
        help="off: no network at all (default); proxy: through a proxy of this run's own, "
        "asking the running gate about new hosts (with no gate: the rules alone decide)",
    )
    one.add_argument(
        "--pass-env",
        action="append",
        default=[],
        metavar="NAME",
        help="pass this environment variable in, even if it looks secret (repeatable)",
    )
    one.add_argument("command", nargs=argparse.REMAINDER, metavar="-- CMD ...")
    actions.add_parser(
        "check",
        help="say whether bubblewrap works here, and which binary is used",
        description="Start a read-only sandbox running `true`; exit 0 if it worked, else 1 "
        "with what failed and how to fix it.",
    )
    return parser
