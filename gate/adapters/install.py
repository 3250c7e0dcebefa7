"""Warden's hook entries in each agent's settings file: where they go, adding and removing them.

An entry is Warden's when its command runs `warden hook`; nothing else in the file is touched.
JSON files are edited as data; a TOML file (Codex's `config.toml`) gets one marked block at its
end, which uninstalling cuts out again, so the file comes back byte for byte.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from gate.adapters.decide import HOOK_TIMEOUT

OURS = re.compile(r"(^|[/\s'\"])warden hook ")


class SettingsError(ValueError):
    """A settings file is not the JSON object its agent expects."""


@dataclass(frozen=True)
class Target:
    """One agent's hook settings: its file (under home or the project), the event, the entry."""

    file: str
    event: str
    matcher: str | None  # None: no matcher, which every agent takes as "all tools"
    timeout: int
    format: Literal["json", "toml"] = "json"

    def path(self, scope: str, home: Path, cwd: Path) -> Path:
        """The settings file for `user` (under home) or `project` (under cwd) scope."""
        return (home if scope == "user" else cwd) / self.file


TARGETS = {
    "claude-code": Target(".claude/settings.json", "PreToolUse", "*", HOOK_TIMEOUT),
    # Codex reads hooks from `hooks.json` or from `[hooks]` in `config.toml`: its own settings.
    "codex": Target(".codex/config.toml", "PreToolUse", None, HOOK_TIMEOUT, "toml"),
    # Gemini CLI counts hook timeouts in milliseconds.
    "gemini": Target(".gemini/settings.json", "BeforeTool", ".*", HOOK_TIMEOUT * 1000),
}


def hook_command(program: str, agent: str, confine: bool) -> str:
    """The command line an agent runs for each tool call."""
    return f"{shlex.quote(program)} hook {agent}" + (" --confine" if confine else "")


def installed(settings: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Warden's hook entries in parsed settings, as `(event, entry)` pairs."""
    found = []
    for event, groups in _hooks(settings).items():
        for group in groups if isinstance(groups, list) else []:
            for hook in _group_hooks(group):
                if _ours(hook):
                    found.append((event, hook))
    return found


def add(settings: dict[str, Any], target: Target, command: str) -> dict[str, Any]:
    """Settings with Warden's entry (any earlier one of Warden's replaced)."""
    result = remove(settings)
    hooks = result.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise SettingsError('"hooks" is not an object')
    groups = hooks.setdefault(target.event, [])
    if not isinstance(groups, list):
        raise SettingsError(f'"hooks.{target.event}" is not a list')
    entry = {"type": "command", "command": command, "timeout": target.timeout}
    matcher = {} if target.matcher is None else {"matcher": target.matcher}
    groups.append({**matcher, "hooks": [entry]})
    return result


def remove(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings without Warden's entries; groups, events and `hooks` left empty go too."""
    result = dict(settings)
    hooks = result.get("hooks")
    if not isinstance(hooks, dict):
        return result
    kept_hooks: dict[str, Any] = {}
    for event, groups in hooks.items():
        if not isinstance(groups, list):
            kept_hooks[event] = groups
            continue
        kept = [g for g in (_without_ours(group) for group in groups) if g is not None]
        if kept or not groups:
            kept_hooks[event] = kept
    if kept_hooks or not hooks:
        result["hooks"] = kept_hooks
    else:
        del result["hooks"]
    return result


def _hooks(settings: dict[str, Any]) -> dict[str, Any]:
    hooks = settings.get("hooks")
    return hooks if isinstance(hooks, dict) else {}


def _group_hooks(group: Any) -> list[Any]:
    hooks = group.get("hooks") if isinstance(group, dict) else None
    return hooks if isinstance(hooks, list) else []


def _ours(hook: Any) -> bool:
    return isinstance(hook, dict) and bool(OURS.search(str(hook.get("command", ""))))


def _without_ours(group: Any) -> Any:
    """The group less Warden's hooks; None when only Warden's were in it."""
    hooks = _group_hooks(group)
    if not any(_ours(h) for h in hooks):
        return group
    left = [h for h in hooks if not _ours(h)]
    return {**group, "hooks": left} if left else None


BLOCK_START = "# >>> Warden's hook: `warden hooks uninstall {agent}` takes this block out\n"
BLOCK_END = "# <<< Warden's hook\n"
_BLOCK = re.compile(r"^# >>> Warden's hook:.*\n(?:.*\n)*?# <<< Warden's hook\n", re.MULTILINE)


def add_toml(text: str, target: Target, agent: str, command: str) -> str:
    """TOML settings text with Warden's block at the end (an earlier block of Warden's removed).

    The block is separated by one newline, which `remove_toml` takes away with it.
    """
    kept = remove_toml(text)
    matcher = "" if target.matcher is None else f"matcher = {_toml_string(target.matcher)}\n"
    block = (
        BLOCK_START.format(agent=agent)
        + f"[[hooks.{target.event}]]\n{matcher}[[hooks.{target.event}.hooks]]\n"
        + f'type = "command"\ncommand = {_toml_string(command)}\ntimeout = {target.timeout}\n'
        + BLOCK_END
    )
    return kept + "\n" + block if kept else block


def remove_toml(text: str) -> str:
    """TOML settings text without Warden's blocks (each with the newline put before it)."""
    while match := _BLOCK.search(text):
        start = match.start() - 1 if match.start() > 0 else 0
        text = text[:start] + text[match.end() :]
    return text


def _toml_string(value: str) -> str:
    """A TOML basic string (JSON's escaping is valid TOML for these values)."""
    return json.dumps(value, ensure_ascii=False)
