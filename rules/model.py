"""The rule objects a rules file turns into, and the verdicts they produce."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from rules.shell import Part

Outcome = Literal["allow", "ask", "block"]
Layer = Literal["builtin", "requirements", "user", "extra", "project"]
Access = Literal["read", "write", "any"]
VerdictSource = Literal["rules", "builtin", "requirements", "fallback"]

STRICTNESS: dict[str, int] = {"allow": 0, "ask": 1, "block": 2}


def strictest(outcomes: list[Outcome]) -> Outcome:
    """The strictest of some outcomes (`block > ask > allow`); `allow` for none."""
    return max(outcomes, key=STRICTNESS.__getitem__, default="allow")


@dataclass(frozen=True)
class Origin:
    """Where a rule was written: its layer, file and line (1-based)."""

    layer: Layer
    file: str
    line: int


@dataclass(frozen=True)
class RuleBase:
    """Fields every rule kind shares."""

    id: str
    decision: Outcome
    origin: Origin
    reason: str = ""
    signals: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    not_examples: tuple[str, ...] = ()

    @cached_property
    def ref(self) -> RuleRef:
        """How verdicts name this rule (made once: verdicts share it)."""
        return RuleRef(id=self.id, file=self.origin.file, line=self.origin.line, reason=self.reason)


@dataclass(frozen=True)
class CommandRule(RuleBase):
    """A `[[command]]` rule: exactly one of `prefix`, `exact` or `pattern` is set.

    `prefix` holds, per word position, the alternatives that match (fnmatch globs).
    `options_any` narrows the rule to parts carrying one of those options,
    `options_none` to parts carrying none of them, `args_any` to parts with an
    argument matching one of those globs, `args_none` to parts with no argument
    matching them, `max_args` to parts with at most that many arguments (not options)
    after the prefix.
    """

    prefix: tuple[tuple[str, ...], ...] = ()
    exact: str | None = None
    pattern: str | None = None
    options_any: tuple[str, ...] = ()
    options_none: tuple[str, ...] = ()
    args_any: tuple[str, ...] = ()
    args_none: tuple[str, ...] = ()
    max_args: int | None = None


@dataclass(frozen=True)
class PathRule(RuleBase):
    """A `[[path]]` rule: a glob (`~`, `*`, `**`) and the access it governs."""

    glob: str = ""
    access: Access = "any"


@dataclass(frozen=True)
class NetworkRule(RuleBase):
    """A `[[network]]` rule: `host` is exact, `*.suffix` (subdomains) or `**.suffix` (both)."""

    host: str = ""
    ports: tuple[int, ...] = ()


@dataclass(frozen=True)
class ToolRule(RuleBase):
    """A `[[tool]]` rule: `name` is a glob over tool names such as `mcp__github__*`."""

    name: str = ""


Rule = CommandRule | PathRule | NetworkRule | ToolRule


@dataclass
class RuleSet:
    """The rules of one file (or layer), in file order."""

    layer: Layer
    file: str
    commands: list[CommandRule] = field(default_factory=list)
    paths: list[PathRule] = field(default_factory=list)
    networks: list[NetworkRule] = field(default_factory=list)
    tools: list[ToolRule] = field(default_factory=list)

    def all(self) -> list[Rule]:
        """Every rule of the set, in kind order."""
        return [*self.commands, *self.paths, *self.networks, *self.tools]


@dataclass(frozen=True, slots=True)
class RuleRef:
    """A pointer to the rule that decided: id, file and line."""

    id: str
    file: str
    line: int
    reason: str = ""

    def to_json(self) -> dict[str, object]:
        """The `{"id", "file", "line"}` object of the `warden check --json` contract."""
        return {"id": self.id, "file": self.file, "line": self.line}


@dataclass(frozen=True, slots=True)
class PartVerdict:
    """The verdict on one part of an action (a simple command, a redirection, a path...)."""

    text: str
    decision: Outcome
    source: VerdictSource
    kind: str = "exec"
    rule: RuleRef | None = None
    opaque: bool = False
    why: str = ""
    part: Part | None = field(default=None, compare=False)  # the parsed part, for grants

    def to_json(self) -> dict[str, object]:
        """The part as JSON: text, decision, source, rule, opaque, plus kind and why."""
        return {
            "text": self.text,
            "kind": self.kind,
            "decision": self.decision,
            "source": self.source,
            "rule": self.rule.to_json() if self.rule else None,
            "opaque": self.opaque,
            "why": self.why,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """The rules' verdict on a whole action: the strictest of its parts."""

    decision: Outcome
    source: VerdictSource
    parts: list[PartVerdict]
    signals: list[str]
    rule: RuleRef | None = None

    @property
    def unmatched(self) -> bool:
        """True when nothing decided: the approval policy says what it means."""
        return self.decision == "ask" and self.source == "fallback"

    def to_json(self) -> dict[str, object]:
        """The verdict as the JSON object `warden check --json` prints."""
        return {
            "decision": self.decision,
            "source": self.source,
            "rule": self.rule.to_json() if self.rule else None,
            "parts": [p.to_json() for p in self.parts],
            "signals": list(self.signals),
        }
