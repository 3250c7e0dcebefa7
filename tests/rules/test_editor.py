"""Editing rules files: appends and removals keep every other byte; trust follows Warden's edits."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from rules.editor import append_rule, remove_rule, render_rule, would_take_effect
from rules.errors import RulesError, RulesFileError
from rules.layers import builtin_ruleset
from rules.loader import load_rules_file, load_rules_text
from rules.model import RuleSet
from rules.trust import trust_project, trust_state

USER_FILE = """\
# My Warden rules.  Keep this comment!
version = 1

[[command]]   # git that only reads
id = "git-read"
prefix = ["git", ["status", "log"]]     # aligned   comment
decision = "allow"
examples = [
    "git status",   # short
    "git log -1",
]

# Rust builds
[[command]]
prefix = ["cargo", ["build", "test"]]
decision = "allow"

[[network]]
host = "crates.io"
decision = "allow"
# trailing comment, no newline at the end"""

PUSH: dict[str, Any] = {
    "id": "push",
    "prefix": ["git", "push"],
    "decision": "ask",
    "reason": "publishes",
    "examples": ["git push origin main"],
}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config, state and requirements files under this test's own directory."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("WARDEN_REQUIREMENTS", str(tmp_path / "requirements.toml"))
    return tmp_path


@pytest.fixture
def rules_file(home: Path) -> Path:
    path = home / "rules.toml"
    path.write_text(USER_FILE)
    return path


def test_render_rule_reads_in_a_fixed_order() -> None:
    fields = {"examples": ["git push"], "decision": "ask", "prefix": ("git", ("push",))}
    assert render_rule("command", fields) == (
        '[[command]]\nprefix = ["git", ["push"]]\ndecision = "ask"\nexamples = ["git push"]\n'
    )


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("command", PUSH),
        ("command", {"exact": "python -c 'print(\"hi\")'", "decision": "allow"}),
        ("path", {"glob": "~/notes/**", "access": "write", "decision": "allow"}),
        ("network", {"host": "*.example.com", "ports": [443], "decision": "allow"}),
        ("tool", {"name": "mcp__github__get_issue", "decision": "allow"}),
    ],
)
def test_appending_keeps_the_file_and_round_trips(
    rules_file: Path, kind: str, fields: dict[str, Any]
) -> None:
    line = append_rule(rules_file, kind, fields)  # type: ignore[arg-type]
    text = rules_file.read_text()
    assert text.startswith(USER_FILE + "\n\n")
    assert text.splitlines()[line - 1] == f"[[{kind}]]"
    assert tomllib.loads(text)[kind][-1] == fields
    assert rules_file.with_name("rules.toml.bak").read_text() == USER_FILE

    remove_rule(rules_file, line)
    assert rules_file.read_text() == USER_FILE + "\n"


def test_appending_creates_the_file(home: Path) -> None:
    path = home / "config" / "warden" / "rules.toml"
    assert append_rule(path, "command", PUSH) == 3
    assert path.read_text() == "version = 1\n\n" + render_rule("command", PUSH)
    assert not path.with_name("rules.toml.bak").exists()
    assert load_rules_file(path, "user").commands[0].id == "push"


@pytest.mark.parametrize("before", ["", "\n", "# my rules, to come\n", "# no newline"])
def test_appending_to_a_file_without_keys_adds_the_version(home: Path, before: str) -> None:
    path = home / "rules.toml"
    path.write_text(before)
    append_rule(path, "command", PUSH)
    text = path.read_text()
    assert text.startswith(before)
    assert load_rules_file(path, "user").commands[0].id == "push"
    assert text.count("version = 1") == 1


def test_appending_into_an_inline_array(home: Path) -> None:
    path = home / "rules.toml"
    before = 'version = 1  # v\ncommand = [\n  { prefix = ["ls"], decision = "allow" },  # ls\n'
    path.write_text(before + "]\n# end\n")
    line = append_rule(path, "command", PUSH)
    text = path.read_text()
    assert text.startswith(before)
    assert text.endswith("]\n# end\n")
    assert line == 4
    assert load_rules_text(text, "r", "user").commands[1].id == "push"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({**PUSH, "examples": ["git pull"]}, "example `git pull` does not hit this rule"),
        ({**PUSH, "decison": "ask"}, "`decison` is not a [[command]] key"),
        ({**PUSH, "id": "git-read"}, "id `git-read` is already used"),
    ],
)
def test_a_bad_rule_is_not_written(rules_file: Path, fields: dict[str, Any], message: str) -> None:
    with pytest.raises(RulesFileError, match=re.escape(message)):
        append_rule(rules_file, "command", fields)
    assert rules_file.read_text() == USER_FILE
    assert not rules_file.with_name("rules.toml.bak").exists()


def test_a_broken_file_is_left_alone(home: Path) -> None:
    path = home / "rules.toml"
    path.write_text("version = 1\n[[command]]\nprefix = ['ls']\n")
    with pytest.raises(RulesFileError, match="needs `decision`"):
        append_rule(path, "command", PUSH)
    assert path.read_text() == "version = 1\n[[command]]\nprefix = ['ls']\n"


def test_requirements_files_reject_allow(home: Path) -> None:
    path = home / "requirements.toml"
    with pytest.raises(RulesFileError, match="requirements can only tighten"):
        append_rule(path, "tool", {"name": "x", "decision": "allow"}, layer="requirements")
    assert not path.exists()


@pytest.mark.parametrize(
    ("target", "removed"),
    [
        pytest.param(
            "git-read",
            USER_FILE[USER_FILE.index("[[command]]   #") : USER_FILE.index("\n\n# Rust")] + "\n\n",
            id="by-id",
        ),
        pytest.param(
            14,
            USER_FILE[
                USER_FILE.index('[[command]]\nprefix = ["cargo') : USER_FILE.index("\n[[network]]")
            ],
            id="by-line",
        ),
        pytest.param(
            "user:rules.toml:18",
            USER_FILE[USER_FILE.index("[[network]]") : USER_FILE.index("# trailing")],
            id="by-default-id",
        ),
    ],
)
def test_removing_keeps_everything_else(rules_file: Path, target: str | int, removed: str) -> None:
    remove_rule(rules_file, target)
    text = rules_file.read_text()
    start = USER_FILE.index(removed)
    assert text == USER_FILE[:start] + USER_FILE[start + len(removed) :]


def test_removing_from_an_inline_array(home: Path) -> None:
    path = home / "rules.toml"
    path.write_text(
        'version = 1\ncommand = [\n  { prefix = ["ls"], decision = "allow" },  # ls\n'
        '  { id = "cat", prefix = ["cat"], decision = "allow" },\n]\n# end\n'
    )
    remove_rule(path, "cat")
    assert path.read_text() == (
        'version = 1\ncommand = [\n  { prefix = ["ls"], decision = "allow" },  # ls\n]\n# end\n'
    )


def test_removing_an_unknown_rule(rules_file: Path) -> None:
    with pytest.raises(RulesError, match="has no rule with id or line `nope`"):
        remove_rule(rules_file, "nope")
    with pytest.raises(RulesError, match="line `6`"):
        remove_rule(rules_file, 6)
    assert rules_file.read_text() == USER_FILE


def test_warden_edits_keep_the_trust_of_a_project_file(home: Path) -> None:
    path = home / "repo" / ".warden" / "rules.toml"
    path.parent.mkdir(parents=True)
    path.write_text(USER_FILE)
    trust_project(path)
    line = append_rule(path, "command", PUSH, layer="project")
    assert trust_state(path) == "trusted"
    remove_rule(path, line, layer="project")
    assert trust_state(path) == "trusted"


def test_warden_edits_do_not_bless_changes_made_by_others(home: Path) -> None:
    path = home / "repo" / ".warden" / "rules.toml"
    path.parent.mkdir(parents=True)
    path.write_text(USER_FILE)
    trust_project(path)
    path.write_text(USER_FILE + "\n[[tool]]\nname = 'x'\ndecision = 'allow'\n")
    append_rule(path, "command", PUSH, layer="project")
    assert trust_state(path) == "changed"


def _requirements(text: str) -> RuleSet:
    return load_rules_text(f"version = 1\n{text}", "/etc/warden/requirements.toml", "requirements")


@pytest.mark.parametrize(
    ("kind", "fields", "effect", "says"),
    [
        pytest.param("command", {**PUSH, "decision": "block"}, True, "", id="not-an-allow"),
        pytest.param(
            "command",
            {"prefix": ["rm"], "decision": "allow", "examples": ["rm -rf ~"]},
            False,
            "`rm -rf ~` is held by the built-in guard",
            id="guard-holds-all",
        ),
        pytest.param(
            "command",
            {"prefix": ["rm"], "decision": "allow", "examples": ["rm -rf ~", "rm x.txt"]},
            True,
            "it takes effect, except where the strictest rule wins: `rm -rf ~`",
            id="guard-holds-some",
        ),
        pytest.param(
            "command",
            {"prefix": ["git", "push"], "decision": "allow"},
            False,
            "the requirement `no-push` (requirements.toml:2, block: admin says no)",
            id="requirement-without-examples",
        ),
        pytest.param(
            "command",
            {"prefix": ["make"], "decision": "allow", "examples": ["make test"]},
            True,
            "",
            id="free",
        ),
        pytest.param(
            "path",
            {"glob": "~/.ssh/config", "access": "write", "decision": "allow"},
            False,
            "held by the built-in guard",
            id="path-guard",
        ),
        pytest.param(
            "network",
            {"host": "*.corp.example", "decision": "allow"},
            True,
            "no example to check it against",
            id="nothing-to-check",
        ),
        pytest.param(
            "tool",
            {"name": "mcp__shell__run", "decision": "allow"},
            False,
            "the requirement `requirements:requirements.toml:7`",
            id="tool-requirement",
        ),
    ],
)
def test_would_take_effect(
    home: Path, kind: str, fields: dict[str, Any], effect: bool, says: str
) -> None:
    requirements = _requirements(
        '[[command]]\nid = "no-push"\nprefix = ["git", "push"]\ndecision = "block"\n'
        'reason = "admin says no"\n'
        '[[tool]]\nname = "mcp__shell__*"\ndecision = "ask"\n'
    )
    took, why = would_take_effect(fields, kind, [requirements, builtin_ruleset()])  # type: ignore[arg-type]
    assert took is effect
    assert says in why
    if not says:
        assert why == ""
