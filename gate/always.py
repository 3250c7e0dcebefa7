"""Approve always: a grant's scope written as a narrowed `allow` rule into a rules file."""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from gate.model import GrantSpec
from gate.scopes import command_text
from rules.action import Action
from rules.editor import append_rule, render_rule, would_take_effect
from rules.engine import Engine
from rules.errors import RulesError
from rules.fields import RuleKind
from rules.globs import expand, home
from rules.layers import find_project_rules
from rules.loader import load_rules_text
from rules.model import RuleSet
from rules.paths import user_rules_file
from rules.trust import trust_state

Target = Literal["user", "project"]


@dataclass(frozen=True)
class AlwaysResult:
    """What approving always did: where the rule went, or why it was not written."""

    ok: bool
    file: str | None = None
    line: int | None = None
    rule_text: str = ""
    reason: str = ""


def rule_for(spec: GrantSpec, action: Action) -> tuple[RuleKind, dict[str, object]]:
    """The `allow` rule that approves always what a grant scope approves for a session.

    The rule's example is the action itself, so the rules file checks that the rule hits it.

    Args:
        spec: the scope and value (an exact command, a prefix, a path...).
        action: the action being approved.

    Returns:
        The rule's kind and its keys, ready for `rules.editor.append_rule`.

    Raises:
        ValueError: the spec has no value.
    """
    if not spec.value:
        raise ValueError(f"the {spec.scope} grant has no value")
    value = spec.value[0]
    common: dict[str, object] = {
        "decision": "allow",
        "reason": f"approved always in Warden on {date.today().isoformat()}",
    }
    match spec.scope:
        case "exact":
            return "command", {"exact": value, **common, "examples": [command_text(action)]}
        case "prefix" | "program":
            prefix = [_literal(word) for word in spec.value]
            return "command", {"prefix": prefix, **common, "examples": [command_text(action)]}
        case "path" | "folder":
            glob = _path_glob(value) + ("/**" if spec.scope == "folder" else "")
            access = spec.access or (action.kind if action.kind in ("read", "write") else "any")
            example = expand(action.path, action.cwd) if action.path else value
            return "path", {"glob": glob, "access": access, **common, "examples": [example]}
        case "host":
            return "network", {"host": value, **common, "examples": [action.host or ""]}
        case _:
            return "tool", {"name": _literal(value), **common, "examples": [action.tool or ""]}


def plan_always(
    spec: GrantSpec,
    action: Action,
    target: Target,
    rulesets: Sequence[RuleSet],
    cwd: str | None,
) -> tuple[AlwaysResult, RuleKind | None, dict[str, object]]:
    """What approving always would write, and where, without writing it (a dry run).

    Returns:
        The outcome (`ok` with the file, or the reason it would not be written), and the
        rule's kind and keys for `approve_always` to append.
    """
    try:
        kind, fields = rule_for(spec, action)
        text = render_rule(kind, fields)
        takes_effect, note = would_take_effect(fields, kind, rulesets)
    except (RulesError, ValueError) as exc:
        return (
            AlwaysResult(ok=False, reason=f"no rule can be made from this grant: {exc}"),
            None,
            {},
        )
    if not takes_effect:
        return AlwaysResult(ok=False, rule_text=text, reason=f"not written: {note}"), None, {}
    stopped = _still_stopped(text, target, rulesets, action)
    if stopped:
        return AlwaysResult(ok=False, rule_text=text, reason=f"not written: {stopped}"), None, {}
    path, problem = _rules_file(target, cwd)
    if path is None:
        return AlwaysResult(ok=False, rule_text=text, reason=problem), None, {}
    return AlwaysResult(ok=True, file=str(path), rule_text=text, reason=note), kind, fields


def approve_always(
    spec: GrantSpec,
    action: Action,
    target: Target,
    rulesets: Sequence[RuleSet],
    cwd: str | None,
) -> AlwaysResult:
    """Append the narrowed rule for a grant scope to the user's or the project's rules file.

    Refuses, with the reason, a rule a built-in guard or a requirement would make useless,
    and a project target with no trusted project rules file. The user's comments and
    formatting are kept; a trusted project file stays trusted.

    Args:
        spec: the scope the person chose.
        action: the action being approved.
        target: `user` (`~/.config/warden/rules.toml`) or `project` (`.warden/rules.toml`).
        rulesets: the layers in force, to tell whether a guard or requirement holds the rule.
        cwd: where to look for the project rules file.

    Returns:
        The file and line written, the rule's text, and any note; or the reason it was not.
    """
    planned, kind, fields = plan_always(spec, action, target, rulesets, cwd)
    if not planned.ok or kind is None or planned.file is None:
        return planned
    path = Path(planned.file)
    try:
        line = append_rule(path, kind, fields, layer=target)
    except (RulesError, OSError) as exc:
        return AlwaysResult(
            ok=False, rule_text=planned.rule_text, reason=f"cannot write {path}: {exc}"
        )
    return dataclasses.replace(planned, line=line)


def _still_stopped(text: str, target: Target, rulesets: Sequence[RuleSet], action: Action) -> str:
    """Why the action would still not be allowed with the new rule in force ("" if it would).

    Judging the action itself catches what comparing rules cannot: a guard on a command's
    argument (`cat ~/.ssh/id_rsa`), a redirect, another part of the command.
    """
    try:
        candidate = load_rules_text(f"version = 1\n{text}", f"new {target} rule", target)
    except RulesError as exc:
        return f"the rule does not fit this action ({exc})"
    verdict = Engine([*rulesets, candidate]).judge(action)
    if verdict.decision == "allow":
        return ""
    part = next(p for p in verdict.parts if p.decision == verdict.decision)
    rule = f" ({part.rule.id})" if part.rule else ""
    return f"`{part.text}` would still {verdict.decision}{rule}: {part.why}"


def _rules_file(target: Target, cwd: str | None) -> tuple[Path | None, str]:
    """The file to write to, or None and why there is none."""
    if target == "user":
        return user_rules_file(), ""
    if cwd is None:
        return None, "the action has no working directory to find project rules from"
    path = find_project_rules(Path(cwd))
    if path is None:
        return None, (
            f"no project rules file from {cwd} up to the repository root: create "
            "`.warden/rules.toml` in the repository, review it, then run `warden rules trust`"
        )
    state = trust_state(path)
    if state != "trusted":
        what = "has changed since it was trusted" if state == "changed" else "is not trusted"
        return None, f"{path} {what}: review it, then run `warden rules trust`"
    return path, ""


def _path_glob(path: str) -> str:
    """A glob naming exactly `path`, written from `~` when it is under the home directory."""
    home_dir = posixpath.normpath(home())
    if path.startswith(home_dir + "/"):
        return "~/" + _literal(path[len(home_dir) + 1 :], "*?[{")
    return _literal(path, "*?[{")


def _literal(text: str, special: str = "*?[") -> str:
    """`text` as a glob that matches only itself: each pattern character in brackets."""
    return "".join(f"[{c}]" if c in special else c for c in text)
