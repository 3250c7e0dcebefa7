"""Load a rules file: TOML parsed, every rule checked, problems named by file:line:col."""

from __future__ import annotations

from pathlib import Path

from rules.errors import RulesFileError
from rules.model import Layer, RuleSet
from rules.paths import requirements_file
from rules.rulefile import (
    VERSION,
    ApprovalPolicy,
    ExampleCase,
    ParsedRules,
    Requirements,
    SandboxMode,
    UnknownHosts,
    parse_text,
)

__all__ = [
    "VERSION",
    "ApprovalPolicy",
    "ExampleCase",
    "ParsedRules",
    "Requirements",
    "SandboxMode",
    "UnknownHosts",
    "check_rules_text",
    "decode_rules",
    "load_requirements",
    "load_rules_file",
    "load_rules_text",
    "parse_rules",
    "read_rules_file",
    "run_examples",
]


def load_rules_text(text: str, file: str, layer: Layer) -> RuleSet:
    """Load rules from TOML text and run every rule's examples.

    Args:
        text: the file's content.
        file: the file name errors and rule origins carry.
        layer: the layer the rules belong to (`requirements` rejects `allow`).

    Returns:
        The file's rules.

    Raises:
        RulesFileError: the first problem in the file, or the first failing example.
    """
    return run_examples(parse_rules(text, file, layer)).ruleset


def load_rules_file(path: Path, layer: Layer) -> RuleSet:
    """Load a rules file and run its examples (see `load_rules_text`).

    Raises:
        RulesFileError: the file cannot be read, or is invalid.
    """
    return load_rules_text(read_rules_file(path), str(path), layer)


def read_rules_file(path: Path) -> str:
    """A rules file's text, with read and encoding failures as RulesFileError."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RulesFileError(str(path), 1, 1, f"cannot read the file: {exc.strerror}") from exc
    return decode_rules(data, str(path))


def decode_rules(data: bytes, file: str) -> str:
    """A rules file's bytes as text; a byte that is not UTF-8 is a RulesFileError at its place."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise RulesFileError(file, line, column, "the file is not UTF-8 text") from exc


def load_requirements(path: Path | None = None) -> tuple[RuleSet, Requirements]:
    """Load the admin's requirements file; a missing file requires nothing.

    Args:
        path: the file; default `$WARDEN_REQUIREMENTS` or `/etc/warden/requirements.toml`.

    Returns:
        Its rules (layer `requirements`) and its other restrictions.

    Raises:
        RulesFileError: the file exists but cannot be read or is invalid.
    """
    path = path or requirements_file()
    if not path.exists():
        return RuleSet(layer="requirements", file=str(path)), Requirements()
    parsed = run_examples(parse_rules(read_rules_file(path), str(path), "requirements"))
    return parsed.ruleset, parsed.requirements


def parse_rules(text: str, file: str, layer: Layer) -> ParsedRules:
    """Read and check rules from TOML text without running their examples.

    Raises:
        RulesFileError: the first problem in the file.
    """
    parsed, problems = parse_text(text, file, layer)
    if problems:
        raise problems[0]
    return parsed


def run_examples(parsed: ParsedRules) -> ParsedRules:
    """Run every example of parsed rules.

    Returns:
        The same parsed rules, when every example passes.

    Raises:
        RulesFileError: the first example that fails.
    """
    for case in parsed.cases:
        if not case.passes():
            raise case.failure()
    return parsed


def check_rules_text(text: str, file: str, layer: Layer) -> list[RulesFileError]:
    """Every problem of a rules file, failing examples included, in file order."""
    parsed, problems = parse_text(text, file, layer)
    if problems:
        return problems
    return [case.failure() for case in parsed.cases if not case.passes()]
