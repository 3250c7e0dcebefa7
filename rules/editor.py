"""Append and remove rules in a rules file, keeping the user's comments and formatting."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Array

from rules.atomic import write_atomic
from rules.errors import RulesError
from rules.fields import RULESET_FIELD, RuleKind, build_rule
from rules.guarded import holding
from rules.loader import VERSION, ParsedRules, parse_rules, read_rules_file, run_examples
from rules.model import Layer, Origin, RuleSet
from rules.trust import retrust_after_edit

_ORDER = (
    "id", "prefix", "exact", "pattern", "options_any", "options_none", "args_any", "args_none",
    "max_args", "glob", "access", "host", "ports", "name", "decision", "reason", "signals",
    "examples", "not_examples",
)  # fmt: skip


def _plain(value: object) -> object:
    """Tuples as lists, recursively, so tomlkit writes them as arrays."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _ordered(kind: RuleKind, fields: Mapping[str, object]) -> list[tuple[str, object]]:
    """The fields in the order a person reads a rule: id, what it matches, decision, why."""
    known = [(k, _plain(fields[k])) for k in _ORDER if k in fields]
    return known + [(k, _plain(v)) for k, v in fields.items() if k not in _ORDER]


def render_rule(kind: RuleKind, fields: Mapping[str, object]) -> str:
    """The TOML text of one rule, as it will be appended: `[[kind]]` and its keys."""
    table = tomlkit.table()
    for key, value in _ordered(kind, fields):
        table.add(key, value)
    aot = tomlkit.aot()
    aot.append(table)
    document = tomlkit.document()
    document.append(kind, aot)
    return tomlkit.dumps(document)


def append_rule(
    path: Path, kind: RuleKind, fields: Mapping[str, object], layer: Layer = "user"
) -> int:
    """Append a rule to a rules file, leaving every other byte of the file as it was.

    The file is created with `version = 1` when absent; the result is loaded (examples
    included) before anything is written; the old file is kept as `<name>.bak`.

    Args:
        path: the rules file.
        kind: the rule's kind.
        fields: the rule's keys and values (`decision`, `prefix`, `examples`...).
        layer: the layer the file belongs to, for validation.

    Returns:
        The line of the new rule's header.

    Raises:
        RulesFileError: the file is already broken, or would be with this rule.
    """
    old = read_rules_file(path) if path.exists() else None
    if old is not None:
        parse_rules(old, str(path), layer)
    new = _appended(old or "", kind, fields)
    parsed = _write(path, old, new, layer)
    rules = getattr(parsed.ruleset, RULESET_FIELD[kind])
    return int(rules[-1].origin.line)


def _appended(old: str, kind: RuleKind, fields: Mapping[str, object]) -> str:
    document = tomlkit.parse(old)
    existing = document.get(kind)
    if isinstance(existing, Array):  # `command = [{...}]`: a new inline table in that array
        table = tomlkit.inline_table()
        table.update(dict(_ordered(kind, fields)))
        existing.append(table)
        return document.as_string()
    end = "" if not old or old.endswith("\n") else "\n"
    gap = "\n" if old.strip() else ""
    version = "" if len(document) else f"version = {VERSION}\n\n"  # a file of comments only
    return f"{old}{end}{gap}{version}{render_rule(kind, fields)}"


def remove_rule(path: Path, rule_id_or_line: str | int, layer: Layer = "user") -> None:
    """Remove one rule, chosen by id or by its header line, leaving the rest as it was.

    Raises:
        RulesError: no rule has that id or line.
        RulesFileError: the file is broken, or would be without the rule.
    """
    old = read_rules_file(path)
    parsed = parse_rules(old, str(path), layer)
    for kind, attribute in RULESET_FIELD.items():
        for index, rule in enumerate(getattr(parsed.ruleset, attribute)):
            if rule_id_or_line in (rule.id, rule.origin.line, str(rule.origin.line)):
                _write(path, old, _without(old, parsed, kind, index), layer)
                return
    raise RulesError(f"{path} has no rule with id or line `{rule_id_or_line}`")


def _without(text: str, parsed: ParsedRules, kind: RuleKind, index: int) -> str:
    loc = parsed.locations.arrays[kind][index]
    if loc.inline:
        document = tomlkit.parse(text)
        array = document[kind]
        assert isinstance(array, Array | AoT)
        del array[index]
        return document.as_string()
    lines = text.splitlines(keepends=True)
    first = loc.pos.line - 1
    del lines[first : max(loc.last_line, loc.pos.line)]
    # Leave one blank line where the rule was, not two (nor one at the end of the file).
    if (
        first < len(lines)
        and not lines[first].strip()
        and (first == 0 or not lines[first - 1].strip())
    ):
        del lines[first]
    elif first == len(lines) and first > 0 and not lines[first - 1].strip():
        del lines[first - 1]
    return "".join(lines)


def _write(path: Path, old: str | None, new: str, layer: Layer) -> ParsedRules:
    """Check the new text, then replace the file and carry its trust over."""
    parsed = run_examples(parse_rules(new, str(path), layer))
    write_atomic(path, new, backup=True)
    if old is not None:
        retrust_after_edit(path, hashlib.sha256(old.encode("utf-8")).hexdigest())
    return parsed


def would_take_effect(
    fields: Mapping[str, Any], kind: RuleKind, rulesets: Sequence[RuleSet]
) -> tuple[bool, str]:
    """Whether a new rule would change anything, given the guards and requirements in force.

    An `allow` lifts nothing a built-in guard or a requirement holds (strictest wins), so
    it takes no effect when such a rule matches every one of its examples (or, with no
    examples, the one command, path, host or tool it names).

    Args:
        fields: the new rule's keys and values.
        kind: its kind.
        rulesets: the layers in force.

    Returns:
        Whether it takes effect, and an explanation (empty when there is nothing to say).

    Raises:
        FieldError: the fields do not make a valid rule.
    """
    if fields.get("decision") != "allow":
        return True, ""
    rule = build_rule(kind, fields, Origin("user", "<new rule>", 0), "new")
    checked, held = holding(rule, rulesets)
    if not checked:
        return True, "no example to check it against the guards and requirements"
    if len(held) == len(checked):
        return False, "it would take no effect, as the strictest rule wins: " + "; ".join(held)
    if held:
        return True, "it takes effect, except where the strictest rule wins: " + "; ".join(held)
    return True, ""
