"""Turn a rules file's TOML into rule objects, with each problem at its line and column."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from rules.errors import RulesFileError
from rules.fields import (
    RULE_KINDS,
    RULESET_FIELD,
    FieldError,
    RuleKind,
    build_rule,
    suggest,
    type_name,
)
from rules.locate import Locations, Pos, TableLoc, locate
from rules.model import Layer, Origin, Rule, RuleSet

ApprovalPolicy = Literal["untrusted", "on-request", "on-failure", "never"]
SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]
UnknownHosts = Literal["ask", "block"]
VERSION = 1
_REQUIREMENT_CHOICES: dict[str, tuple[str, ...]] = {
    "allowed_approval_policies": get_args(ApprovalPolicy),
    "allowed_sandbox_modes": get_args(SandboxMode),
    "unknown_hosts": get_args(UnknownHosts),
}
_TOML_WHERE = re.compile(
    r"^(?P<message>.*?) \((?:at line (?P<line>\d+), column (?P<col>\d+)|at end of document)\)$"
)


@dataclass(frozen=True)
class Requirements:
    """What the admin's requirements file restricts besides rules; None means unrestricted."""

    allowed_approval_policies: tuple[ApprovalPolicy, ...] | None = None
    allowed_sandbox_modes: tuple[SandboxMode, ...] | None = None
    unknown_hosts: UnknownHosts | None = None


@dataclass(frozen=True)
class ExampleCase:
    """One `examples` (must hit) or `not_examples` (must not hit) entry of a rule."""

    rule: Rule
    sample: str
    must_hit: bool
    pos: Pos
    label: str

    def passes(self) -> bool:
        """Run the example against its rule."""
        from rules.matching import rule_hits

        return rule_hits(self.rule, self.sample, cwd=None) == self.must_hit

    def failure(self) -> RulesFileError:
        """The error that reports this example failing."""
        if self.must_hit:
            what = f"example `{self.sample}` does not hit this rule"
        else:
            what = f"not_example `{self.sample}` hits this rule, but must not"
        file = self.rule.origin.file
        return RulesFileError(file, self.pos.line, self.pos.column, f"{self.label}: {what}")


@dataclass
class ParsedRules:
    """A rules file read and checked, its examples not yet run."""

    ruleset: RuleSet
    requirements: Requirements
    cases: list[ExampleCase]
    locations: Locations


def parse_text(text: str, file: str, layer: Layer) -> tuple[ParsedRules, list[RulesFileError]]:
    """Read rules from TOML text, collecting at most one problem per rule, in file order."""
    return _Parser(text, file, layer).run()


class _Parser:
    """Turns one file's TOML into rules, collecting one problem per rule at most."""

    def __init__(self, text: str, file: str, layer: Layer) -> None:
        self.text = text
        self.file = file
        self.layer = layer
        self.problems: list[RulesFileError] = []
        self.ruleset = RuleSet(layer=layer, file=file)
        self.cases: list[ExampleCase] = []

    def run(self) -> tuple[ParsedRules, list[RulesFileError]]:
        try:
            data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            empty = Locations(TableLoc(Pos(1, 1)))
            return ParsedRules(self.ruleset, Requirements(), [], empty), [self._toml_error(exc)]
        locations = locate(self.text, frozenset(RULE_KINDS))
        self._check_top(data, locations.root)
        requirements = self._requirements(data, locations.root)
        self._rules(data, locations)
        self.problems.sort(key=lambda p: (p.line, p.column))
        return ParsedRules(self.ruleset, requirements, self.cases, locations), self.problems

    def _error(self, pos: Pos, message: str) -> None:
        self.problems.append(RulesFileError(self.file, pos.line, pos.column, message))

    def _toml_error(self, exc: tomllib.TOMLDecodeError) -> RulesFileError:
        match = _TOML_WHERE.match(str(exc))
        message = match.group("message") if match else str(exc)
        if match and match.group("line"):
            line, column = int(match.group("line")), int(match.group("col"))
        else:  # at end of document
            lines = self.text.split("\n")
            line, column = len(lines), len(lines[-1]) + 1
        text = f"not valid TOML: {message[:1].lower()}{message[1:]}"
        return RulesFileError(self.file, line, column, text)

    def _check_top(self, data: dict[str, Any], root: TableLoc) -> None:
        allowed = ["version", *RULE_KINDS]
        if self.layer == "requirements":
            allowed += list(_REQUIREMENT_CHOICES)
        for key in data:
            if key in allowed:
                continue
            where = root.keys.get(key, Pos(1, 1))
            if key in _REQUIREMENT_CHOICES:
                self._error(
                    where,
                    f"`{key}` is a requirements setting: it belongs only in the requirements file",
                )
            else:
                self._error(where, f"`{key}` is not a rules file key{suggest(key, allowed)}")
        version = data.get("version")
        if version is None and data:
            self._error(Pos(1, 1), f"the file needs `version = {VERSION}` at the top")
        elif version is not None and (type(version) is not int or version != VERSION):
            self._error(
                root.keys["version"],
                f"this Warden reads rules files of version {VERSION}; "
                f"this file says `version = {version!r}`",
            )

    def _requirements(self, data: dict[str, Any], root: TableLoc) -> Requirements:
        if self.layer != "requirements":
            return Requirements()
        found: dict[str, Any] = {}
        for key, choices in _REQUIREMENT_CHOICES.items():
            if key not in data:
                continue
            value, where = data[key], root.keys.get(key, Pos(1, 1))
            if key == "unknown_hosts":
                if value in choices:
                    found[key] = value
                else:
                    self._error(where, f"`{key}` must be one of {', '.join(choices)}")
                continue
            if not isinstance(value, list) or not value or any(v not in choices for v in value):
                self._error(
                    where, f"`{key}` must be a non-empty list drawn from {', '.join(choices)}"
                )
                continue
            found[key] = tuple(value)
        return Requirements(**found)

    def _rules(self, data: dict[str, Any], locations: Locations) -> None:
        tables: list[tuple[TableLoc, RuleKind, dict[str, Any]]] = []
        for kind in RULE_KINDS:
            if kind not in data:
                continue
            value = data[kind]
            where = locations.root.keys.get(kind, Pos(1, 1))
            if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
                self._error(
                    where,
                    f"`{kind}` must be an array of tables: write each rule "
                    f"under a `[[{kind}]]` header, not {type_name(value)}",
                )
                continue
            locs = locations.arrays.get(kind, [])
            for i, table in enumerate(value):
                loc = locs[i] if i < len(locs) else TableLoc(where)
                tables.append((loc, kind, table))
        tables.sort(key=lambda t: (t[0].pos.line, t[0].pos.column))
        ids: dict[str, int] = {}
        for number, (loc, kind, table) in enumerate(tables, start=1):
            rule = self._rule(number, loc, kind, table, ids)
            if rule is not None:
                getattr(self.ruleset, RULESET_FIELD[kind]).append(rule)

    def _rule(
        self, number: int, loc: TableLoc, kind: RuleKind, table: dict[str, Any], ids: dict[str, int]
    ) -> Rule | None:
        label = f"rule {number} ([[{kind}]] at line {loc.pos.line})"
        origin = Origin(self.layer, self.file, loc.pos.line)
        default_id = f"{self.layer}:{Path(self.file).name}:{loc.pos.line}"
        try:
            rule = build_rule(kind, table, origin, default_id)
        except FieldError as exc:
            self._error(_field_pos(loc, exc.key, exc.item), f"{label}: {exc.message}")
            return None
        if self.layer == "requirements" and rule.decision == "allow":
            self._error(
                _field_pos(loc, "decision", None),
                f"{label}: requirements can only "
                'tighten: `decision = "allow"` is not accepted here (use ask or block)',
            )
            return None
        if rule.id in ids:
            self._error(
                _field_pos(loc, "id", None),
                f"{label}: id `{rule.id}` is already used by the rule at line {ids[rule.id]}",
            )
            return None
        ids[rule.id] = loc.pos.line
        for key, must_hit in (("examples", True), ("not_examples", False)):
            samples = rule.examples if must_hit else rule.not_examples
            for i, sample in enumerate(samples):
                pos = _field_pos(loc, key, i)
                self.cases.append(ExampleCase(rule, sample, must_hit, pos, label))
        return rule


def _field_pos(loc: TableLoc, key: str | None, item: int | None) -> Pos:
    """Where a key (or one item of its list) sits; the rule's header when unknown."""
    if key is None or key not in loc.keys:
        return loc.pos
    items = loc.items.get(key, [])
    if item is not None and item < len(items):
        return items[item]
    return loc.keys[key]
