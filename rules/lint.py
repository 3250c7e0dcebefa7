"""Find rules that do nothing or allow more than they seem to: repeats, broad and held allows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from rules.guarded import holding
from rules.model import STRICTNESS, CommandRule, NetworkRule, PathRule, Rule, RuleSet, ToolRule

INTERPRETERS = (
    "bash", "sh", "zsh", "dash", "ksh", "fish", "csh", "tcsh", "python*", "pypy*", "node",
    "nodejs", "deno", "bun", "perl*", "ruby*", "php*", "lua*", "tclsh", "osascript", "pwsh",
    "env", "sudo", "doas", "su", "xargs", "eval", "exec", "command", "builtin", "nohup",
    "nice", "timeout", "time", "watch", "parallel", "ssh", "docker", "kubectl", "npx", "uvx",
)  # fmt: skip


_EVERY_FILE = frozenset({"/**", "~/**", "**", "/**/*", "~/**/*", "**/*"})


@dataclass(frozen=True)
class LintFinding:
    """One thing worth fixing in a rules file, at a rule's line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def lint(ruleset: RuleSet, others: Sequence[RuleSet]) -> list[LintFinding]:
    """Check one file's rules against themselves and the other layers in force.

    Args:
        ruleset: the file's rules.
        others: the other layers (the built-in and requirements ones are the guards).

    Returns:
        The findings, in file order.
    """
    findings = _repeats(ruleset)
    for rule in ruleset.all():
        if rule.decision != "allow":
            continue
        broad = _broad(rule)
        if broad:
            findings.append(_finding(rule, f"allow rule `{rule.id}` is broad: {broad}"))
        checked, held = holding(rule, others)
        if checked and len(held) == len(checked):
            message = f"allow rule `{rule.id}` takes no effect: " + "; ".join(held)
            findings.append(_finding(rule, message))
    return sorted(findings, key=lambda f: f.line)


def _finding(rule: Rule, message: str) -> LintFinding:
    return LintFinding(rule.origin.file, rule.origin.line, message)


def _match_key(rule: Rule) -> tuple[object, ...]:
    """What a rule matches: two rules with the same key match the same things."""
    if isinstance(rule, CommandRule):
        narrowing = (rule.options_any, rule.options_none, rule.args_any, rule.args_none)
        return ("command", rule.prefix, rule.exact, rule.pattern, *narrowing, rule.max_args)
    if isinstance(rule, PathRule):
        return ("path", rule.glob, rule.access)
    if isinstance(rule, NetworkRule):
        return ("network", rule.host.lower(), rule.ports)
    return ("tool", rule.name)


def _repeats(ruleset: RuleSet) -> list[LintFinding]:
    """Later rules that match exactly what an earlier rule of the file matches."""
    first: dict[tuple[object, ...], Rule] = {}
    findings: list[LintFinding] = []
    for rule in sorted(ruleset.all(), key=lambda r: r.origin.line):
        earlier = first.setdefault(_match_key(rule), rule)
        if earlier is rule:
            continue
        at = f"line {earlier.origin.line}"
        if STRICTNESS[rule.decision] <= STRICTNESS[earlier.decision]:
            why = f"the rule at {at} matches the same and is as strict ({earlier.decision})"
            findings.append(_finding(rule, f"rule `{rule.id}` is shadowed: {why}"))
        else:
            why = f"this {rule.decision} rule matches the same and is stricter"
            findings.append(_finding(rule, f"rule `{earlier.id}` at {at} is shadowed: {why}"))
    return findings


def _broad(rule: Rule) -> str:
    """Why an allow rule reaches beyond one program, path tree, domain or tool; else ''."""
    if isinstance(rule, CommandRule):
        return _broad_command(rule)
    if isinstance(rule, PathRule):
        if rule.glob in _EVERY_FILE:
            return f"`{rule.glob}` covers every file under `{rule.glob.split('*')[0] or '/'}`"
        return ""
    if isinstance(rule, NetworkRule):
        suffix = rule.host.lstrip("*.")
        if rule.host.startswith("*") and "." not in suffix:
            return f"`{rule.host}` covers every host under the top-level domain `.{suffix}`"
        return ""
    if isinstance(rule, ToolRule) and rule.name.strip("*") in ("", "mcp__"):
        return f"`{rule.name}` covers every tool"
    return ""


def _broad_command(rule: CommandRule) -> str:
    if rule.pattern is not None:
        return "a `pattern` allow matches any text containing it; use `prefix` or `exact`"
    if rule.exact is not None or len(rule.prefix) != 1:
        return ""
    for word in rule.prefix[0]:
        if any(c in word for c in "*?["):
            return f"the program `{word}` is a glob: name the programs"
        if any(fnmatchcase(word, name) for name in INTERPRETERS):
            return f"`{word}` runs other programs or code: name the subcommand or use `exact`"
    return ""
