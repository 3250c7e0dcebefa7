"""The `warden` command: a dispatcher that imports a subcommand's module only when it runs."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

# name → (module, function taking argv and returning an exit code, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "console": ("tui.console_main", "main", "open the console (what `warden` alone does)"),
    "demo": (
        "tui.console_main",
        "demo_main",
        "the console with a scripted agent at work in a throwaway repo (`make run`)",
    ),
    "check": ("rules.cli_check", "main", "judge a command, an argv or a batch of actions"),
    "rules": ("rules.cli_rules", "main", "test, explain, lint, locate and trust rules files"),
    "config": ("gate.cli_config", "main", "show the effective config, its path or its schema"),
    "serve": (
        "gate.cli_serve",
        "main",
        "run the gate without a console (agents and consoles attach)",
    ),
    "log": ("gate.cli_log", "main", "show, follow or verify the audit log"),
    "sandbox": ("sandbox.cli_sandbox", "main", "run one command confined by bubblewrap"),
    "exec": ("sandbox.cli_exec", "main", "ask the gate about one command, then run it confined"),
    "agent": ("sandbox.cli_agent", "main", "a coding agent on any OpenAI-compatible model, gated"),
    "mcp": ("sandbox.cli_mcp", "main", "serve gated shell/read/write/fetch tools over MCP (stdio)"),
    "run": ("sandbox.cli_run", "main", "start an agent confined, with the gate's socket inside"),
    "review": ("reviewer.cli", "review_main", "ask the auto-reviewer for one verdict on a command"),
    "review-eval": ("reviewer.cli", "eval_main", "measure a reviewer model on a labelled corpus"),
    "hook": ("gate.cli_hook", "main", "answer an agent's tool-call hook (stdin JSON) from Warden"),
    "hooks": (
        "gate.cli_hooks",
        "main",
        "install or uninstall Warden's hooks in an agent's settings",
    ),
    "doctor": (
        "tui.cli_doctor",
        "main",
        "check bubblewrap, sockets, config, rules, reviewer and hooks; say what to fix",
    ),
}
# Console options `warden` takes without a command.
CONSOLE_FLAGS = ("--socket",)


def main(argv: list[str] | None = None) -> int:
    """Run `warden [COMMAND] [ARGS...]`.

    Args:
        argv: The arguments after `warden`; `sys.argv[1:]` when None.

    Returns:
        The exit code: the subcommand's, 2 for an unknown command, 1 if the self-check failed
        (printed instead of the console when there is no terminal).
    """
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in CONSOLE_FLAGS:
        if sys.stdin.isatty() and sys.stdout.isatty():
            from tui.console_main import main as console

            return console(args)
        # Without a terminal there is no console to open: say what works instead.
        print(usage())
        print()
        return 0 if self_check() else 1
    name, rest = args[0], args[1:]
    if name in ("-h", "--help"):
        print(usage())
        return 0
    if name == "--version":
        print(f"warden {version()}")
        return 0
    if name not in COMMANDS:
        print(f"warden: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module, function, _ = COMMANDS[name]
    run: Callable[[list[str]], int] = getattr(importlib.import_module(module), function)
    return run(rest)


def usage() -> str:
    """The top-level help: synopsis and the subcommands with their one-line help."""
    width = max(map(len, COMMANDS))
    lines = [
        "usage: warden [-h] [--version] [COMMAND [ARGS...]]",
        "",
        "Warden stands between AI coding agents and the machine.",
        "Without a command, `warden` opens the console; `warden demo` shows it at work.",
        "",
        "commands:",
        *(f"  {name:<{width}}  {help_}" for name, (_, _, help_) in COMMANDS.items()),
        "",
        "`warden COMMAND --help` for a command's options.",
    ]
    return "\n".join(lines)


def version() -> str:
    """The installed distribution's version."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("warden-console")
    except PackageNotFoundError:
        return "unknown (not installed)"


def self_check() -> bool:
    """Print whether Python, the rules in force and the config load; True when all do."""
    ok = True
    print("self-check:")
    print(f"  python  {sys.version.split()[0]} ({sys.executable})")
    # A self-check reports whatever goes wrong instead of crashing with it.
    try:
        from rules.engine import default_engine

        print(f"  rules   {len(default_engine().rules())} rules in force")
    except Exception as exc:
        ok = False
        print(f"  rules   FAILED: {exc}")
    try:
        from gate.config import load_config
        from rules.paths import config_file

        load_config()
        state = "loaded" if config_file().exists() else "not present, defaults in use"
        print(f"  config  {config_file()} ({state})")
    except Exception as exc:
        ok = False
        print(f"  config  FAILED: {exc}")
    print()
    print('Run `warden` in a terminal to open the console; or try: warden check "git status"')
    return ok
