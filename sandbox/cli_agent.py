"""`warden agent "TASK"`: the built-in coding agent, on any OpenAI-compatible model, fully gated."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from openai import AsyncOpenAI

from gate.config import ApprovalPolicy, Settings, load_config
from gate.errors import GateError
from rules.action import AgentRef
from rules.errors import RulesError
from rules.paths import config_file
from sandbox.agent import Agent, AgentOutcome
from sandbox.agent_transcript import Transcript
from sandbox.cli_sandbox import Parser
from sandbox.errors import SandboxError
from sandbox.gatelink import add_gate_options, gate_link, proxied_sandbox
from sandbox.spec import Mode, gate_mode
from sandbox.tools import GatedTools

AGENT = "warden-agent"
NOT_FINISHED, WARDEN_FAILED, INTERRUPTED = 1, 125, 130


class AgentConfigError(SandboxError):
    """No model, or no API key for it: the message says what to set."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """The model `warden agent` talks to."""

    model: str
    base_url: str | None
    api_key: str
    timeout_s: float


def main(argv: list[str]) -> int:
    """Run `warden agent [--model M] [--base-url URL] [--policy P] [--mode M] [--max-turns N] TASK`.

    Args:
        argv: The arguments after `warden agent`.

    Returns:
        0 when the model finished the task (answered without a tool call); 1 when it was
        stopped after `--max-turns` requests; 125 when Warden failed (no model configured,
        the endpoint unreachable, no working sandbox, the gate gone); 130 on Ctrl-C.
    """
    args = _parser().parse_args(argv)
    task = " ".join(args.task).strip()
    if not task:
        print('warden agent: no task given (warden agent "fix the failing test")', file=sys.stderr)
        return WARDEN_FAILED
    try:
        settings = load_config()
        endpoint = endpoint_from(settings, args.model, args.base_url)
        max_turns = args.max_turns or settings.agent.max_turns
        roots = tuple(Path(r).expanduser() for r in settings.sandbox.writable_roots)
        outcome = asyncio.run(_run(task, endpoint, roots, args.policy, args.mode, max_turns))
    except (GateError, RulesError, SandboxError) as exc:
        print(f"warden agent: {exc}", file=sys.stderr)
        return WARDEN_FAILED
    except KeyboardInterrupt:
        return INTERRUPTED
    return 0 if outcome.finished else NOT_FINISHED


def endpoint_from(settings: Settings, model: str | None, base_url: str | None) -> Endpoint:
    """The model to use: flags first, then `[agent]`, then the `[reviewer]` endpoint's settings.

    Raises:
        AgentConfigError: no model is named anywhere, or no API key for the default endpoint.
    """
    reviewer = settings.reviewer.with_env()
    chosen = model or settings.agent.model or reviewer.model
    if not chosen:
        raise AgentConfigError(
            f"no model configured: pass --model, or set `model` under [agent] (or [reviewer]) "
            f"in {config_file()}"
        )
    url = base_url or settings.agent.base_url or reviewer.base_url
    key_env = settings.agent.api_key_env or reviewer.api_key_env
    key = os.environ.get(key_env, "")
    if not key and url is None:
        raise AgentConfigError(
            f"no API key: set {key_env}, or point --base-url at a local server "
            "(Ollama, llama.cpp, vLLM take any key)"
        )
    # Local servers take any key, but the client insists on one.
    return Endpoint(chosen, url, key or "unused", settings.agent.timeout_s)


async def _run(
    task: str,
    endpoint: Endpoint,
    roots: tuple[Path, ...],
    policy: ApprovalPolicy | None,
    mode: Mode | None,
    max_turns: int,
) -> AgentOutcome:
    transcript = Transcript(sys.stdout)
    cwd = Path.cwd()
    agent = AgentRef(name=AGENT, session=f"agent-{uuid.uuid4().hex[:8]}")
    async with gate_link(agent, policy, mode) as link:
        toggles = await link.judge.toggles() or {}
        in_force = toggles.get("approval_policy")
        if policy is not None and not link.private:
            print(
                f"warden agent: a gate is running; its own approval policy ({in_force}) "
                f"applies, not --policy {policy}",
                file=sys.stderr,
            )
        chosen: Mode = mode or gate_mode(toggles)
        async with (
            proxied_sandbox(link.judge, agent, cwd, chosen, roots) as spec,
            AsyncOpenAI(
                api_key=endpoint.api_key, base_url=endpoint.base_url, timeout=endpoint.timeout_s
            ) as client,
        ):
            nobody = " (no console: what needs a person is denied)" if link.private else ""
            transcript.header(
                [
                    f"warden agent · model {endpoint.model} at {client.base_url}",
                    f"gate: {link.where}{nobody}",
                    f"policy {in_force or 'unknown'} · sandbox {chosen} · workspace {cwd}",
                    f"task: {task}",
                ]
            )
            tools = GatedTools(link.judge, spec, agent)
            outcome = await Agent(
                client, endpoint.model, tools, transcript, max_turns=max_turns
            ).run(task)
    if outcome.finished:
        transcript.end(f"done after {outcome.requests} model requests.")
    else:
        transcript.end(
            f"stopped after {outcome.requests} model requests (--max-turns); the task may be "
            "unfinished."
        )
    return outcome


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="warden agent",
        description="A minimal coding agent on any OpenAI-compatible model: every tool call "
        "(shell, read_file, write_file, fetch) is judged by the gate and run in the sandbox. "
        "Uses the gate at $WARDEN_SOCKET (the console) when one answers, else a private one.",
    )
    parser.add_argument("--model", help="model name (default: [agent], else [reviewer] model)")
    parser.add_argument(
        "--base-url", help="OpenAI-compatible endpoint (default: [agent], else [reviewer])"
    )
    add_gate_options(parser)
    parser.add_argument(
        "--max-turns", type=_positive, help="model requests before stopping (default: 30)"
    )
    parser.add_argument("task", nargs="*", metavar="TASK", help="what to do (quote it)")
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return value
