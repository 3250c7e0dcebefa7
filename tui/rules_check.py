"""What the rules screen checks in a file being edited, how it saves it, how it tries a command."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from rules.atomic import write_atomic
from rules.engine import Engine, default_engine
from rules.errors import RulesFileError
from rules.layers import builtin_ruleset
from rules.lint import LintFinding, lint
from rules.loader import load_requirements, parse_rules, run_examples
from rules.model import Layer, RuleSet, Verdict
from rules.rulefile import parse_text
from rules.trust import retrust_after_edit

USER_TEMPLATE = """\
# Your Warden rules (user layer). Every rule needs a decision: allow | ask | block.
# The strictest matching rule wins, so an allow here lifts nothing a built-in guard holds.
# `examples` must hit their rule and `not_examples` must not: both are checked on every edit.
# The syntax is in docs/rules.md; `warden rules explain "CMD"` shows how a command is judged.
version = 1

# [[command]]
# prefix = ["make", ["test", "lint"]]   # a word, or a list of alternative words
# decision = "allow"
# reason = "the project's own checks"
# examples = ["make test", "make lint -j4"]
# not_examples = ["make install"]

# [[path]]
# glob = "~/.aws/**"
# access = "read"        # read | write | any
# decision = "block"

# [[network]]
# host = "*.internal.example.com"
# decision = "ask"
"""


@dataclass(frozen=True)
class RuleExamples:
    """How one rule's examples fared."""

    rule_id: str
    line: int
    total: int
    failures: tuple[RulesFileError, ...]


@dataclass
class FileCheck:
    """Everything checked about one text of a rules file.

    `problems` (bad TOML, bad rules, failing examples) block saving; `findings` (lint)
    are advice only.
    """

    problems: list[RulesFileError] = field(default_factory=list)
    examples: list[RuleExamples] = field(default_factory=list)
    findings: list[LintFinding] = field(default_factory=list)
    ruleset: RuleSet | None = None

    @property
    def ok(self) -> bool:
        """True when the text may be saved."""
        return not self.problems

    @property
    def lines(self) -> set[int]:
        """The lines holding a problem."""
        return {problem.line for problem in self.problems}


def check_text(text: str, path: Path, layer: Layer) -> FileCheck:
    """Check a rules file's text as the gate would load it, plus its examples and lint.

    Args:
        text: the editor's text.
        path: the file it will be saved to (errors name it).
        layer: the layer it belongs to (`user` or `project`).
    """
    parsed, problems = parse_text(text, str(path), layer)
    if problems:
        return FileCheck(problems=problems)
    result = FileCheck(ruleset=parsed.ruleset)
    for rule in sorted(parsed.ruleset.all(), key=lambda r: r.origin.line):
        cases = [c for c in parsed.cases if c.rule is rule]
        failed = tuple(c.failure() for c in cases if not c.passes())
        result.examples.append(RuleExamples(rule.id, rule.origin.line, len(cases), failed))
        result.problems.extend(failed)
    result.problems.sort(key=lambda p: (p.line, p.column))
    if result.ok:
        others = [load_requirements()[0], builtin_ruleset()]
        result.findings = lint(parsed.ruleset, [o for o in others if o.file != str(path)])
    return result


def try_command(command: str, cwd: str, edited: RuleSet | None) -> Verdict:
    """Judge a command by the rules in force, with the edited file's rules in place of its own.

    Args:
        command: a shell command string.
        cwd: where it would run (the project rules found from there apply).
        edited: the edited file's rules (valid ones only); None judges by the saved files.

    Raises:
        RulesFileError: another rules file in force is broken.
    """
    engine = default_engine(cwd)
    if edited is None:
        return engine.check_command(command, cwd)
    rulesets = [r for r in engine.rulesets if r.file != edited.file] + [edited]
    return Engine(rulesets, guards_off=engine.guards_off).check_command(command, cwd)


def save_rules(path: Path, text: str, layer: Layer) -> None:
    """Write a rules file only when it loads, examples included (temp file, rename, `.bak`).

    A trusted project file stays trusted: the edit is Warden's own.

    Raises:
        RulesFileError: the text is not a valid rules file; nothing is written.
    """
    run_examples(parse_rules(text, str(path), layer))
    old = path.read_bytes() if path.exists() else None
    write_atomic(path, text, backup=True)
    if old is not None:
        retrust_after_edit(path, hashlib.sha256(old).hexdigest())
