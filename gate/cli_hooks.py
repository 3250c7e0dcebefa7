"""`warden hooks install|uninstall AGENT`: Warden's hook in an agent's own settings file."""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any

from gate.adapters.install import (
    TARGETS,
    SettingsError,
    Target,
    add,
    add_toml,
    hook_command,
    installed,
    remove,
    remove_toml,
)


def parser() -> argparse.ArgumentParser:
    """The `warden hooks` command line."""
    parse = argparse.ArgumentParser(
        prog="warden hooks",
        description="Add Warden's hook to an agent's own settings file, or take it out again. "
        "Everything else in the file is kept; the previous file is saved as *.bak.",
    )
    parse.add_argument("verb", choices=("install", "uninstall"))
    parse.add_argument("agent", choices=tuple(TARGETS))
    scope = parse.add_mutually_exclusive_group()
    scope.add_argument(
        "--user", dest="scope", action="store_const", const="user", help="your settings (default)"
    )
    scope.add_argument(
        "--project",
        dest="scope",
        action="store_const",
        const="project",
        help="this directory's project settings",
    )
    parse.add_argument(
        "--confine", action="store_true", help="claude-code: run allowed Bash inside `warden exec`"
    )
    parse.add_argument("--dry-run", action="store_true", help="print the change, write nothing")
    return parse


def main(argv: list[str]) -> int:
    """Run `warden hooks`.

    Args:
        argv: The arguments after `warden hooks`.

    Returns:
        0 on success (or nothing to change), 2 for bad arguments or an unreadable settings file.
    """
    args = parser().parse_args(argv)
    if args.confine and args.agent != "claude-code":
        print("warden hooks: --confine works with claude-code only", file=sys.stderr)
        return 2
    target = TARGETS[args.agent]
    path = target.path(args.scope or "user", Path.home(), Path.cwd())
    try:
        before_text, before = read(path, target.format)
        after_text = changed(args, target, before_text, before)
    except (OSError, SettingsError) as exc:
        print(f"warden hooks: {path}: {exc}", file=sys.stderr)
        return 2
    if after_text == before_text:
        print(f"{path}: nothing to change")
        return 0
    sys.stdout.writelines(
        difflib.unified_diff(
            before_text.splitlines(keepends=True),
            after_text.splitlines(keepends=True),
            f"{path} (before)",
            f"{path} (after)",
        )
    )
    if args.dry_run:
        print("(dry run: nothing written)")
        return 0
    write(path, before_text, after_text)
    print(f"{path}: {'installed' if args.verb == 'install' else 'removed'} Warden's hook")
    return 0


def changed(args: argparse.Namespace, target: Target, text: str, settings: dict[str, Any]) -> str:
    """The settings file's text after installing or uninstalling Warden's hook.

    Raises:
        SettingsError: the result would not be a settings file the agent can read.
    """
    install = args.verb == "install"
    command = hook_command(shutil.which("warden") or "warden", args.agent, args.confine)
    if target.format == "json":
        after = add(settings, target, command) if install else remove(settings)
        return text if after == settings else json.dumps(after, indent=2, ensure_ascii=False) + "\n"
    result = add_toml(text, target, args.agent, command) if install else remove_toml(text)
    try:
        parsed = tomllib.loads(result)
    except tomllib.TOMLDecodeError as exc:  # e.g. `hooks.PreToolUse` written as an inline array
        raise SettingsError(
            f"cannot add Warden's hook to this file ({exc}); add it by hand"
        ) from exc
    if install and not installed(parsed):
        raise SettingsError("Warden's hook would not be read from this file; add it by hand")
    return result


def read(path: Path, format: str = "json") -> tuple[str, dict[str, Any]]:
    """A settings file's text and parsed object (`{}` for a missing or empty file).

    Raises:
        SettingsError: the file is not a JSON object (or not TOML, for `toml`).
        OSError: it cannot be read.
    """
    if not path.exists():
        return "", {}
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        return text, {}
    if format == "toml":
        try:
            return text, tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"not valid TOML ({exc}); fix it by hand first") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SettingsError(f"not valid JSON ({exc}); fix it by hand first") from exc
    if not isinstance(data, dict):
        raise SettingsError("not a JSON object")
    return text, data


def write(path: Path, before: str, after: str) -> None:
    """Write the new settings, keeping the previous text as `<name>.bak`, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.with_name(path.name + ".bak").write_text(before, encoding="utf-8")
    temporary = path.with_name(path.name + ".warden-tmp")
    temporary.write_text(after, encoding="utf-8")
    temporary.replace(path)


def describe(path: Path, format: str = "json") -> str:
    """What a settings file holds of Warden's, in a few words."""
    try:
        _, settings = read(path, format)
    except (OSError, SettingsError) as exc:
        return f"unreadable ({exc})"
    found = installed(settings)
    if not found:
        return "not installed" if path.exists() else "no file"
    return "; ".join(
        f"{event}: {hook.get('command')} (timeout {hook.get('timeout', 'default')})"
        for event, hook in found
    )
