"""The keys each kind of rule accepts, how each is checked, and the rule objects they build."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any, Literal, get_args

from rules.errors import RulesError
from rules.model import Access, CommandRule, NetworkRule, Origin, Outcome, PathRule, Rule, ToolRule

RuleKind = Literal["command", "path", "network", "tool"]
RULE_KINDS: tuple[RuleKind, ...] = get_args(RuleKind)
DECISIONS: tuple[Outcome, ...] = get_args(Outcome)
ACCESSES: tuple[Access, ...] = get_args(Access)
PRECISE_KEYS = ("prefix", "exact", "pattern")
NARROWING_KEYS = ("options_any", "options_none", "args_any", "args_none", "max_args")
_SIGNAL = re.compile(r"[a-z][a-z0-9-]*\Z")
_HOST = re.compile(r"(\*\*?\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?\Z|\[?[0-9A-Fa-f:.]+\]?\Z")


class FieldError(RulesError):
    """A problem with one key of a rule (`key` None: the rule as a whole).

    `item` is the index of the offending element when the value is a list.
    """

    def __init__(self, key: str | None, message: str, item: int | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.message = message
        self.item = item


class _ValueError(Exception):
    """A value that fails its check; the caller adds which key it was."""

    def __init__(self, message: str, item: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.item = item


def type_name(value: object) -> str:
    """How a TOML value's type reads in a message: `a string`, `a list`..."""
    names: list[tuple[type | tuple[type, ...], str]] = [
        (bool, "true/false"),
        (str, "a string"),
        ((int, float), "a number"),
        (list, "a list"),
        (dict, "a table"),
        ((date, datetime, time), "a date or time"),
    ]
    return next((name for kind, name in names if isinstance(value, kind)), "a value")


def suggest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    """` — did you mean `x`?` when a close choice exists, else an empty string."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" — did you mean `{close[0]}`?" if close else ""


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise _ValueError(f"must be a string, not {type_name(value)}")
    return value


def _word(value: object) -> str:
    if not _string(value):
        raise _ValueError("must not be empty")
    return str(value)


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _ValueError(f"must be a list of strings, not {type_name(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise _ValueError(f"must hold strings only; item {i + 1} is {type_name(item)}", i)
    return tuple(value)


def _choice(choices: tuple[str, ...]) -> Callable[[object], str]:
    def check(value: object) -> str:
        text = _string(value)
        if text not in choices:
            hint = suggest(text, choices)
            raise _ValueError(f"must be one of {', '.join(choices)}, not `{text}`{hint}")
        return text

    return check


def _signals(value: object) -> tuple[str, ...]:
    tags = _strings(value)
    for i, tag in enumerate(tags):
        if not _SIGNAL.match(tag):
            raise _ValueError(f"`{tag}` is not a signal tag (lower-case words joined by `-`)", i)
    return tags


def _prefix(value: object) -> tuple[tuple[str, ...], ...]:
    shape = "a non-empty list of words, each a string or a list of alternative strings"
    if not isinstance(value, list) or not value:
        raise _ValueError(f"must be {shape}")
    words: list[tuple[str, ...]] = []
    for i, item in enumerate(value):
        alternatives = item if isinstance(item, list) else [item]
        if not alternatives or not all(isinstance(a, str) for a in alternatives):
            raise _ValueError(f"must be {shape}; word {i + 1} is not", i)
        if i == 0 and "" in alternatives:
            raise _ValueError("must start with a program name, not an empty word", i)
        words.append(tuple(alternatives))
    return tuple(words)


def _regex(value: object) -> str:
    text = _word(value)
    try:
        re.compile(text)
    except re.error as exc:
        raise _ValueError(f"is not a valid regular expression: {exc}") from exc
    return text


def _path_glob(value: object) -> str:
    glob = _word(value)
    if not (glob.startswith(("/", "~/", "**/")) or glob in ("~", "**")):
        raise _ValueError(f"must be absolute, start with `~/` or with `**/` — not `{glob}`")
    return glob


def _host(value: object) -> str:
    host = _word(value)
    if host in ("*", "**") or not _HOST.match(host):
        raise _ValueError(
            f"`{host}` is not a host pattern: write `example.com`, `*.example.com` "
            "(its subdomains) or `**.example.com` (both)"
        )
    return host


def _ports(value: object) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise _ValueError(f"must be a list of port numbers, not {type_name(value)}")
    for i, port in enumerate(value):
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise _ValueError(f"must hold port numbers 1-65535; item {i + 1} is not", i)
    return tuple(value)


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _ValueError(f"must be a whole number, 0 or more, not {type_name(value)}")
    return value


_COMMON: dict[str, Callable[[object], Any]] = {
    "id": _word,
    "decision": _choice(DECISIONS),
    "reason": _string,
    "signals": _signals,
    "examples": _strings,
    "not_examples": _strings,
}
KEYS: dict[RuleKind, dict[str, Callable[[object], Any]]] = {
    "command": {
        **_COMMON,
        "prefix": _prefix,
        "exact": _word,
        "pattern": _regex,
        "options_any": _strings,
        "options_none": _strings,
        "args_any": _strings,
        "args_none": _strings,
        "max_args": _count,
    },
    "path": {**_COMMON, "glob": _path_glob, "access": _choice(ACCESSES)},
    "network": {**_COMMON, "host": _host, "ports": _ports},
    "tool": {**_COMMON, "name": _word},
}
REQUIRED: dict[RuleKind, tuple[str, ...]] = {
    "command": ("decision",),
    "path": ("glob", "decision"),
    "network": ("host", "decision"),
    "tool": ("name", "decision"),
}
RULESET_FIELD: dict[RuleKind, str] = {
    "command": "commands",
    "path": "paths",
    "network": "networks",
    "tool": "tools",
}
"""The RuleSet list each kind of rule goes to."""
_CLASSES: dict[RuleKind, type[Rule]] = {
    "command": CommandRule,
    "path": PathRule,
    "network": NetworkRule,
    "tool": ToolRule,
}


def _unknown_key(kind: RuleKind, key: str) -> FieldError:
    owners = [k for k in RULE_KINDS if key in KEYS[k]]
    hint = f" (it belongs to [[{owners[0]}]] rules)" if owners else suggest(key, list(KEYS[kind]))
    return FieldError(key, f"`{key}` is not a [[{kind}]] key{hint}")


def _check_command_shape(values: Mapping[str, object]) -> None:
    present = [k for k in PRECISE_KEYS if k in values]
    if not present:
        raise FieldError(None, "a [[command]] rule needs one of `prefix`, `exact` or `pattern`")
    if len(present) > 1:
        raise FieldError(
            present[1],
            "use one of `prefix`, `exact` or `pattern`, not "
            + " and ".join(f"`{k}`" for k in present)
            + " together",
        )
    if present[0] != "prefix":
        for key in NARROWING_KEYS:
            if key in values:
                raise FieldError(key, f"`{key}` narrows `prefix` rules only")


def build_rule(
    kind: RuleKind, table: Mapping[str, object], origin: Origin, default_id: str
) -> Rule:
    """Check a rule's table and build the rule.

    Args:
        kind: which array the table came from.
        table: the table's keys and values as TOML parsed them.
        origin: where the rule was written.
        default_id: the id to use when the table names none.

    Returns:
        The rule object of that kind.

    Raises:
        FieldError: the first problem found, naming the key (and list item) at fault.
    """
    checks = KEYS[kind]
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in checks:
            raise _unknown_key(kind, key)
        try:
            values[key] = checks[key](value)
        except _ValueError as exc:
            raise FieldError(key, f"`{key}` {exc.message}", exc.item) from exc
    for key in REQUIRED[kind]:
        if key not in values:
            raise FieldError(None, f"a [[{kind}]] rule needs `{key}`")
    if kind == "command":
        _check_command_shape(values)
    values.setdefault("id", default_id)
    return _CLASSES[kind](origin=origin, **values)
