"""The rules screen's text panels: the layers line, the check report, a tried command's verdict."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.content import Content

from rules.errors import RulesFileError
from rules.layers import builtin_ruleset, find_project_rules
from rules.loader import load_rules_file
from rules.paths import requirements_file, user_rules_file
from rules.trust import trust_state
from tui.rules_check import FileCheck, try_command

if TYPE_CHECKING:
    from tui.rules_screen import EditableFile

OUTCOME_STYLES = {"allow": "bold $success", "ask": "bold $warning", "block": "bold reverse $error"}
SOURCE_WORDS = {
    "rules": "decided by your rules",
    "builtin": "decided by Warden's built-in rules",
    "requirements": "decided by the administrator's requirements",
    "fallback": "no rule matches: the approval policy decides",
}


def shown(path: Path | str) -> str:
    """A path as a person reads it: `~/…` under the home, `built-in` for the shipped rules."""
    path = Path(path)
    if path == Path(builtin_ruleset().file):
        return "built-in"
    home = Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)


def plural(count: int, word: str) -> str:
    """`no examples`, `1 example`, `3 examples`."""
    return f"{count or 'no'} {word}{'' if count == 1 else 's'}"


def _short(file: str) -> str:
    """`built-in`, `warden/rules.toml` (user) or `.warden/rules.toml` (project)."""
    path = Path(file)
    return "built-in" if shown(path) == "built-in" else f"{path.parent.name}/{path.name}"


def layers_text(cwd: Path, current: EditableFile) -> Content:
    """The layers in force, strictest first: how many rules each holds, and the project's trust.

    The file being edited is marked with ✎; its path is in the editor's title.
    """
    requirements = requirements_file()
    project = find_project_rules(cwd)
    rows = [
        ("requirements", _count(requirements, "requirements", True)),
        ("built-in", f"{len(builtin_ruleset().all())} rules"),
        ("user", _count(user_rules_file(), "user", False)),
        ("project", _project(project, cwd)),
    ]
    parts: list[Content] = [Content.styled(" Layers ", "bold reverse $primary")]
    for name, state in rows:
        editing = name == current.layer
        label = f" {name} ✎" if editing else f" {name}"
        parts.append(Content.styled(label, "bold $accent" if editing else "bold"))
        parts.append(Content.assemble((f" {state}", ""), (" ·", "$text-muted")))
    return Content("").join(parts)[:-2]


def _count(path: Path, layer: str, named: bool) -> str:
    """`N rules` (with the path when `named`), `none`, or where the file is broken."""
    if not path.exists():
        return "none"
    try:
        rules = load_rules_file(path, "requirements" if layer == "requirements" else "user")
    except RulesFileError as exc:
        return f"{shown(path)} broken at line {exc.line}"
    return f"{shown(path)}: {len(rules.all())} rules" if named else f"{len(rules.all())} rules"


def _project(project: Path | None, cwd: Path) -> str:
    if project is None:
        return f"none found from {shown(cwd)}"
    state = trust_state(project)
    words = {"trusted": "trusted", "untrusted": "not trusted", "changed": "changed: not in force"}
    return f"{shown(project)} ({words[state]})"


def report_text(check: FileCheck) -> Content:
    """Problems first (they block saving), then each rule's examples, then lint advice."""
    lines: list[Content] = []
    if check.problems:
        count = len(check.problems)
        lines.append(Content.styled(f"✗ {plural(count, 'problem')}: fix to save", "bold $error"))
        for problem in check.problems:
            lines.append(Content.styled(f"line {problem.line}:{problem.column}", "$error"))
            lines.append(Content(f"  {problem.message}"))
    else:
        total = sum(e.total for e in check.examples)
        rules = len(check.examples)
        lines.append(
            Content.styled(
                f"✓ valid · {plural(rules, 'rule')} · {plural(total, 'example')} pass",
                "bold $success",
            )
        )
    if check.examples:
        lines.append(Content.styled("\nExamples", "bold"))
        for rule in check.examples:
            mark = ("✗", "$error") if rule.failures else ("✓", "$success")
            tally = plural(rule.total, "example")
            name = "" if rule.rule_id.endswith(f":{rule.line}") else f" {rule.rule_id}"
            lines.append(
                Content.assemble(mark, f" line {rule.line}", (name, "bold"), (f" · {tally}", "dim"))
            )
    if check.findings:
        lines.append(Content.styled("\nAdvice (warden rules lint)", "bold"))
        for finding in check.findings:
            lines.append(Content.styled(f"line {finding.line}: {finding.message}", "$warning"))
    return Content("\n").join(lines)


def verdict_text(command: str, cwd: str, check: FileCheck) -> Content:
    """How the rules as edited judge a command: the verdict, each part, its rule and why."""
    try:
        verdict = try_command(command, cwd, check.ruleset if check.ok else None)
    except RulesFileError as exc:
        return Content.styled(f"Another rules file is broken: {exc}", "$error")
    lines = [
        Content.assemble(
            (f" {verdict.decision} ", OUTCOME_STYLES[verdict.decision]),
            f" {SOURCE_WORDS[verdict.source]}",
        )
    ]
    if not check.ok:
        lines.append(Content.styled("(the file has problems: judged by the saved rules)", "dim"))
    for part in verdict.parts:
        opaque = " [opaque]" if part.opaque else ""
        lines.append(
            Content.assemble(
                (f"{part.decision:<5}", OUTCOME_STYLES[part.decision].replace("reverse ", "")),
                f" {part.text}{opaque}",
            )
        )
        rule = part.rule
        where = f"{rule.id} · {_short(rule.file)}:{rule.line}" if rule else part.source
        why = f": {part.why}" if part.why else ""
        lines.append(Content.styled(f"  {where}{why}", "dim"))
    if verdict.signals:
        lines.append(Content.styled("signals: " + ", ".join(verdict.signals), "$warning"))
    return Content("\n").join(lines)
