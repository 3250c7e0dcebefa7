"""`warden doctor`: check sandbox, sockets, config, rules, reviewer and hooks; say what to fix."""

from __future__ import annotations

import argparse
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

Check = tuple[str, str, str]  # (mark: ok | warn | FAIL, what, the fix or a detail)


def main(argv: list[str]) -> int:
    """Run `warden doctor`.

    Args:
        argv: The arguments after `warden doctor`.

    Returns:
        0 when nothing failed (warnings allowed), 1 when something must be fixed, 2 for bad
        arguments.
    """
    parser = argparse.ArgumentParser(
        prog="warden doctor",
        description="Check bubblewrap, the sockets, the config, the rules, the reviewer "
        "endpoint and the installed hooks, and say what to fix.",
    )
    parser.add_argument(
        "--offline", action="store_true", help="do not contact the reviewer's endpoint"
    )
    args = parser.parse_args(argv)
    failed = False
    for title, section in sections(args.offline):
        print(f"{title}:")
        for mark, what, detail in section():
            failed = failed or mark == "FAIL"
            print(f"  {mark:<4} {what}")
            for line in detail.splitlines():
                print(f"       {line}")
    print("\nall good" if not failed else "\nsomething needs fixing: see FAIL above")
    return 1 if failed else 0


def sections(offline: bool) -> list[tuple[str, Callable[[], Iterator[Check]]]]:
    """Each part of the set-up, in the order a person would fix them."""
    return [
        ("config", config),
        ("rules", rules),
        ("sandbox", sandbox),
        ("gate", gate),
        ("reviewer", lambda: reviewer(offline)),
        ("hooks", hooks),
    ]


def config() -> Iterator[Check]:
    """The config file parses and validates."""
    from gate.config import load_config
    from gate.errors import ConfigError
    from rules.paths import config_file

    path = config_file()
    try:
        load_config()
    except ConfigError as exc:
        yield "FAIL", f"{path}: broken", f"{exc}\nfix: edit the file (`warden config schema`)"
        return
    yield "ok", f"{path}" + ("" if path.exists() else " (no file: the defaults)"), ""


def rules() -> Iterator[Check]:
    """Every rules layer in force here loads; an untrusted project file is named."""
    from rules.errors import RulesError
    from rules.layers import load_layers

    try:
        layers = load_layers(os.getcwd())
    except RulesError as exc:
        yield "FAIL", "a rules file is broken", f"{exc}\nfix: `warden rules lint FILE`"
        return
    for ruleset in layers.rulesets:
        count = len(ruleset.all())
        if count or ruleset.layer != "requirements":
            yield "ok", f"{ruleset.layer}: {count} rules ({ruleset.file})", ""
    for note in layers.notes:
        yield "warn", note, "fix: `warden rules trust` after reading the file"


def sandbox() -> Iterator[Check]:
    """Bubblewrap starts a sandbox here."""
    from sandbox.errors import SandboxUnavailable
    from sandbox.runner import check

    try:
        binary = check()
    except SandboxUnavailable as exc:
        yield "FAIL", "bubblewrap cannot start a sandbox", str(exc)
        return
    yield "ok", f"bubblewrap starts: {binary.describe()}", ""


def gate() -> Iterator[Check]:
    """The socket folder is private, and whether a gate answers on it."""
    from gate.client import GateClient
    from gate.errors import GateError
    from gate.paths import socket_paths

    agent, console = socket_paths(os.environ.get("WARDEN_SOCKET"))
    folder = agent.parent
    if folder.is_dir():
        mode = stat.S_IMODE(folder.stat().st_mode)
        if mode & 0o077:
            yield "FAIL", f"{folder} is open to others ({mode:o})", f"fix: chmod 700 {folder}"
    client = GateClient(agent, timeout=2)
    try:
        with client:
            version = client.hello({"name": "warden-doctor"})["gate_version"]
    except GateError as exc:
        detail = f"{exc}\nhooks answer from the rules alone; start one with `warden`"
        yield "warn", f"no gate answers at {agent}", detail
        return
    yield "ok", f"a gate answers at {agent} (protocol {version}); consoles: {console}", ""


def reviewer(offline: bool) -> Iterator[Check]:
    """The auto-reviewer's model, key and endpoint."""
    from gate.config import load_config
    from gate.errors import ConfigError

    try:
        settings = load_config().reviewer.with_env()
    except ConfigError:
        return  # said under config
    if not settings.model:
        yield "ok", "auto-review is off (no model set)", "to switch it on: `[reviewer] model`"
        return
    key = os.environ.get(settings.api_key_env)
    endpoint = settings.base_url or "https://api.openai.com/v1"
    if not key and settings.base_url is None:
        yield "FAIL", f"no API key in ${settings.api_key_env}", "fix: export it, or set base_url"
        return
    if offline:
        yield "ok", f"model {settings.model} at {endpoint} (not contacted: --offline)", ""
        return
    import openai

    client = openai.OpenAI(
        base_url=settings.base_url, api_key=key or "unused", timeout=5.0, max_retries=0
    )
    try:
        models = [model.id for model in client.models.list()]
    except openai.NotFoundError:
        yield "warn", f"{endpoint} answers but lists no models", "the model name is not checked"
        return
    except openai.AuthenticationError as exc:
        yield "FAIL", f"{endpoint} refuses the key in ${settings.api_key_env}", str(exc)
        return
    except openai.APIError as exc:
        detail = f"{type(exc).__name__}: {exc}\nreviews will fail closed (a person decides)"
        yield "FAIL", f"{endpoint} does not answer", detail
        return
    if settings.model not in models:
        listed = ", ".join(models[:20]) or "none"
        yield "warn", f"{endpoint} does not list the model {settings.model}", f"it lists: {listed}"
        return
    yield "ok", f"model {settings.model} at {endpoint}", ""


def hooks() -> Iterator[Check]:
    """Which agents have Warden's hook, under your home and in this project."""
    from gate.adapters.install import TARGETS
    from gate.cli_hooks import describe

    for agent, target in TARGETS.items():
        for scope in ("user", "project"):
            path = target.path(scope, Path.home(), Path.cwd())
            state = describe(path, target.format)
            mark = "FAIL" if state.startswith("unreadable") else "ok"
            yield mark, f"{agent:<11} {scope:<7} {path}: {state}", ""
