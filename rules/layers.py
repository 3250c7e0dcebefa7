"""The rule layers in force for a directory: requirements, builtin, user, extra, project."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

from rules.errors import RulesFileError
from rules.loader import (
    Requirements,
    decode_rules,
    load_requirements,
    load_rules_file,
    load_rules_text,
    parse_rules,
)
from rules.model import RuleSet
from rules.paths import user_rules_file
from rules.trust import is_trusted, trust_project, trust_state

__all__ = [
    "PROJECT_RULES",
    "Layers",
    "builtin_ruleset",
    "find_project_rules",
    "is_trusted",
    "load_layers",
    "trust_project",
]

PROJECT_RULES = Path(".warden") / "rules.toml"


@dataclass
class Layers:
    """The rule sets in force, strictest-wins, with what the requirements restrict.

    `rulesets` are in the order requirements, builtin, user, extra, project; `notes` say
    what was left out and why (an untrusted or changed project file).
    """

    rulesets: list[RuleSet]
    requirements: Requirements
    notes: list[str] = field(default_factory=list)
    project_file: Path | None = None


@cache
def builtin_ruleset() -> RuleSet:
    """The built-in defaults shipped in the package (`rules/data/builtin.toml`).

    Their examples are not run here (that would cost every `warden` process some 20 ms):
    the test suite and `warden rules test` run them.
    """
    resource = files("rules").joinpath("data/builtin.toml")
    return parse_rules(resource.read_text(encoding="utf-8"), str(resource), "builtin").ruleset


def find_project_rules(cwd: Path) -> Path | None:
    """The nearest `.warden/rules.toml` from `cwd` upward.

    The search stops at the repository root (the first directory holding `.git`) or at
    the filesystem root.
    """
    start = cwd.expanduser().absolute()
    for directory in (start, *start.parents):
        candidate = directory / PROJECT_RULES
        if candidate.is_file():
            return candidate
        if (directory / ".git").exists():
            return None
    return None


def load_layers(
    cwd: str | None, extra: Sequence[Path] = (), user: bool = True, project: bool = True
) -> Layers:
    """Load every layer in force for `cwd`.

    Args:
        cwd: the action's directory, where the project file is looked for (None: none).
        extra: more rules files, loaded as the `extra` layer (they must exist).
        user: load the user's rules file, when it exists.
        project: load the nearest project rules file, when it is trusted.

    Returns:
        The rule sets in force, the requirements, and notes on what was left out.

    Raises:
        RulesFileError: a requirements, user, extra or trusted project file is broken.
    """
    rules, requirements = load_requirements()
    layers = Layers(rulesets=[rules, builtin_ruleset()], requirements=requirements)
    user_file = user_rules_file()
    if user and user_file.is_file():
        layers.rulesets.append(load_rules_file(user_file, "user"))
    layers.rulesets.extend(load_rules_file(path, "extra") for path in extra)
    if project and cwd is not None:
        layers.project_file = find_project_rules(Path(cwd))
    if layers.project_file is not None:
        _add_project(layers, layers.project_file)
    return layers


def _add_project(layers: Layers, path: Path) -> None:
    """Add a project file's rules if trusted (hashing the very bytes loaded), else a note."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RulesFileError(str(path), 1, 1, f"cannot read the file: {exc.strerror}") from exc
    state = trust_state(path, data)
    if state == "trusted":
        text = decode_rules(data, str(path))
        layers.rulesets.append(load_rules_text(text, str(path), "project"))
        return
    what = "changed since they were trusted" if state == "changed" else "are not trusted"
    layers.notes.append(
        f"project rules at {path} {what}: review them, then run `warden rules trust`"
    )
