"""`warden rules`: test, explain, lint, locate and trust rules files."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from rules.errors import RulesFileError
from rules.layers import builtin_ruleset, find_project_rules
from rules.lint import lint
from rules.loader import (
    check_rules_text,
    load_requirements,
    load_rules_file,
    load_rules_text,
    parse_rules,
    read_rules_file,
)
from rules.model import Layer, RuleSet
from rules.paths import requirements_file, trust_file, user_rules_file
from rules.trust import trust_project, trust_state

USAGE_ERROR = 2
FAILED = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warden rules", description="Work with rules files.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    test = sub.add_parser("test", help="run every rule's examples (default: built-in and user)")
    test.add_argument("file", nargs="?", type=Path, metavar="FILE")
    test.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    explain = sub.add_parser("explain", help="show how the rules judge a command")
    explain.add_argument("shell_command", metavar="CMD", help="a shell command string")
    explain.add_argument("--cwd", metavar="DIR", help="where it runs (default: here)")
    explain.add_argument(
        "--rules", action="append", default=[], metavar="FILE", help="add a rules file"
    )
    lint = sub.add_parser("lint", help="find repeated, broad and useless rules")
    lint.add_argument("file", nargs="?", type=Path, metavar="FILE")
    path = sub.add_parser("path", help="show where the rules files are")
    path.add_argument("--cwd", metavar="DIR", help="where to look for project rules")
    trust = sub.add_parser("trust", help="trust the project rules file found from DIR")
    trust.add_argument("dir", nargs="?", type=Path, metavar="DIR")
    return parser


def main(argv: list[str]) -> int:
    """Run `warden rules COMMAND ...`; returns the exit code (2: usage or rules-file error)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else USAGE_ERROR
    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "test": _test,
        "explain": _explain,
        "lint": _lint,
        "path": _path,
        "trust": _trust,
    }
    try:
        return commands[args.command](args)
    except RulesFileError as exc:
        print(exc, file=sys.stderr)
        return USAGE_ERROR


def _builtin_file() -> Path:
    return Path(str(files("rules").joinpath("data/builtin.toml")))


def _layer_of(path: Path) -> Layer:
    """The layer a file named on the command line is checked as."""
    if path.resolve() == requirements_file().resolve():
        return "requirements"
    if path.resolve() == _builtin_file().resolve():
        return "builtin"
    return "project" if path.parent.name == ".warden" else "user"


def _test(args: argparse.Namespace) -> int:
    targets = [args.file] if args.file else [_builtin_file(), user_rules_file()]
    code = 0
    for path in targets:
        if args.file is None and not path.exists():
            print(f"{path}: no such file (nothing to test)")
            continue
        code = max(code, _test_file(path, args.quiet))
    return code


def _test_file(path: Path, quiet: bool) -> int:
    text, layer = read_rules_file(path), _layer_of(path)
    try:
        parsed = parse_rules(text, str(path), layer)
    except RulesFileError:
        for problem in check_rules_text(text, str(path), layer):
            print(problem, file=sys.stderr)
        return USAGE_ERROR
    failures = 0
    for rule in sorted(parsed.ruleset.all(), key=lambda r: r.origin.line):
        cases = [c for c in parsed.cases if c.rule is rule]
        failed = [c for c in cases if not c.passes()]
        failures += len(failed)
        where = f"{path}:{rule.origin.line}: {rule.id}"
        if failed:
            print(f"{where}: FAILED")
            for case in failed:
                print(f"  {case.failure()}")
        elif not quiet:
            print(f"{where}: {_count(rule.examples, rule.not_examples)}")
    total = len(parsed.cases)
    summary = f"{failures} of {total} failed" if failures else f"all {total} pass"
    print(f"{path}: {len(parsed.ruleset.all())} rules, examples: {summary}")
    return FAILED if failures else 0


def _count(examples: tuple[str, ...], not_examples: tuple[str, ...]) -> str:
    if not examples and not not_examples:
        return "no examples"
    return f"ok ({len(examples)} examples, {len(not_examples)} not_examples)"


def _explain(args: argparse.Namespace) -> int:
    from rules.cli_check import explain
    from rules.engine import default_engine

    cwd = args.cwd or os.getcwd()
    verdict = default_engine(cwd, args.rules).check_command(args.shell_command, cwd)
    print(explain(verdict))
    note = _project_note(Path(cwd))
    if note:
        print(note)
    return 0


def _project_note(cwd: Path) -> str:
    project = find_project_rules(cwd)
    if project is None or trust_state(project) == "trusted":
        return ""
    return f"note: project rules at {project} are not in force until trusted (`warden rules trust`)"


def _lint(args: argparse.Namespace) -> int:
    path = args.file or user_rules_file()
    if args.file is None and not path.exists():
        print(f"{path}: no such file (nothing to lint)")
        return 0
    layer = _layer_of(path)
    ruleset = load_rules_file(path, layer)
    others: list[RuleSet] = [load_requirements()[0]]
    if layer != "builtin":
        others.append(builtin_ruleset())
    findings = lint(ruleset, [o for o in others if o.file != ruleset.file])
    for finding in findings:
        print(finding)
    print(f"{path}: {len(findings)} finding{'s' if len(findings) != 1 else ''}")
    return FAILED if findings else 0


def _path(args: argparse.Namespace) -> int:
    cwd = Path(args.cwd or os.getcwd())
    project = find_project_rules(cwd)
    states = {
        "trusted": "trusted",
        "untrusted": "not trusted: run `warden rules trust`",
        "changed": "changed since trusted: review, then run `warden rules trust`",
    }
    rows = [
        ("built-in rules", str(_builtin_file()), ""),
        ("user rules", str(user_rules_file()), _exists(user_rules_file())),
        (
            "project rules",
            str(project) if project else f"none found from {cwd}",
            states[trust_state(project)] if project else "",
        ),
        ("requirements", str(requirements_file()), _exists(requirements_file())),
        ("trust record", str(trust_file()), _exists(trust_file())),
    ]
    for label, where, state in rows:
        print(f"{label:<15}{where}" + (f"  ({state})" if state else ""))
    return 0


def _exists(path: Path) -> str:
    return "exists" if path.exists() else "absent"


def _trust(args: argparse.Namespace) -> int:
    start = args.dir or Path.cwd()
    project = find_project_rules(start)
    if project is None:
        print(
            f"warden rules trust: no .warden/rules.toml from {start} up to the repository root",
            file=sys.stderr,
        )
        return FAILED
    text = read_rules_file(project)
    ruleset = load_rules_text(text, str(project), "project")
    digest = trust_project(project, text.encode("utf-8"))
    print(f"trusted {project} ({len(ruleset.all())} rules)\nsha256 {digest}")
    return 0
