"""Whether a guard or a requirement holds what an `allow` rule targets (strictest wins)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rules.model import STRICTNESS, CommandRule, NetworkRule, PathRule, Rule, RuleSet, ToolRule

_HOLDING_LAYERS = ("builtin", "requirements")
_WILDCARDS = "*?[{"


def samples(rule: Rule) -> list[str]:
    """What a rule targets: its examples, else its own text when that names one thing."""
    if rule.examples:
        return list(rule.examples)
    target = _target(rule)
    return [target] if target and not any(c in target for c in _WILDCARDS) else []


def _target(rule: Rule) -> str | None:
    if isinstance(rule, CommandRule):
        if rule.exact is not None:
            return rule.exact
        return " ".join(words[0] for words in rule.prefix) if rule.prefix else None
    if isinstance(rule, PathRule):
        return rule.glob
    if isinstance(rule, NetworkRule):
        return rule.host.removeprefix("**.")
    return rule.name if isinstance(rule, ToolRule) else None


def held_by(rule: Rule, sample: str, rulesets: Sequence[RuleSet]) -> Rule | None:
    """The strictest built-in or requirement `ask`/`block` rule of the same kind hitting `sample`.

    A path rule is held only by rules governing its access (or any access).
    """
    from rules.matching import rule_hits

    holders = [
        other
        for ruleset in rulesets
        if ruleset.layer in _HOLDING_LAYERS
        for other in ruleset.all()
        if type(other) is type(rule)
        and other.decision != "allow"
        and _same_access(rule, other)
        and rule_hits(other, sample, cwd=None)
    ]
    return max(holders, key=lambda r: STRICTNESS[r.decision], default=None)


def _same_access(rule: Rule, other: Rule) -> bool:
    if isinstance(rule, PathRule) and isinstance(other, PathRule):
        return other.access in ("any", rule.access)
    return True


def describe(rule: Rule) -> str:
    """A holding rule in words: `the built-in guard `x` (builtin.toml:12, block: why)`."""
    what = "requirement" if rule.origin.layer == "requirements" else "built-in guard"
    reason = f": {rule.reason}" if rule.reason else ""
    where = f"{Path(rule.origin.file).name}:{rule.origin.line}"
    return f"the {what} `{rule.id}` ({where}, {rule.decision}{reason})"


def holding(rule: Rule, rulesets: Sequence[RuleSet]) -> tuple[list[str], list[str]]:
    """Which of an allow rule's targets a guard or requirement holds.

    Returns:
        The samples checked, and one explanation per sample that is held.
    """
    checked = samples(rule)
    held: list[str] = []
    for sample in checked:
        holder = held_by(rule, sample, rulesets)
        if holder is not None:
            held.append(f"`{sample}` is held by {describe(holder)}")
    return checked, held
