"""Approve always: the narrowed rule for each scope, written with comments kept, or refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gate.always import AlwaysResult, approve_always, rule_for
from gate.model import GrantSpec, Scope
from rules.action import Action
from rules.engine import Engine
from rules.layers import builtin_ruleset, load_layers
from rules.loader import load_rules_file
from rules.paths import user_rules_file
from rules.trust import trust_project, trust_state

BUILTIN = [builtin_ruleset()]
USER_FILE = """\
# My Warden rules.  Keep   this comment!
version = 1

[[command]]   # builds
prefix = ["cargo", ["build", "test"]]     # aligned   comment
decision = "allow"
# trailing comment, no newline at the end"""


def run(command: str, cwd: str = "/work/p") -> Action:
    return Action(kind="exec", command=command, cwd=cwd)


def user_engine() -> Engine:
    return Engine([*BUILTIN, load_rules_file(user_rules_file(), "user")])


def approve(spec: GrantSpec, action: Action) -> AlwaysResult:
    return approve_always(spec, action, "user", BUILTIN, action.cwd)


# -- the rule for each scope -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "action", "kind", "fields"),
    [
        (
            GrantSpec(scope="exact", value=["git push origin main"]),
            run("git push origin main"),
            "command",
            {"exact": "git push origin main", "examples": ["git push origin main"]},
        ),
        (
            GrantSpec(scope="prefix", value=["git", "push", "origin"]),
            run("git push origin main"),
            "command",
            {"prefix": ["git", "push", "origin"], "examples": ["git push origin main"]},
        ),
        (
            GrantSpec(scope="program", value=["make"]),
            run("make test"),
            "command",
            {"prefix": ["make"], "examples": ["make test"]},
        ),
        (
            GrantSpec(scope="path", value=["/work/p/out.txt"], access="write"),
            Action(kind="write", path="out.txt", cwd="/work/p"),
            "path",
            {"glob": "/work/p/out.txt", "access": "write", "examples": ["/work/p/out.txt"]},
        ),
        (
            GrantSpec(scope="folder", value=["/work/p/src"], access="read"),
            Action(kind="read", path="src/a.py", cwd="/work/p"),
            "path",
            {"glob": "/work/p/src/**", "access": "read", "examples": ["/work/p/src/a.py"]},
        ),
        (
            GrantSpec(scope="path", value=["/work/p/log.txt"], access="write"),
            run("make > log.txt"),
            "path",
            {"glob": "/work/p/log.txt", "access": "write", "examples": ["/work/p/log.txt"]},
        ),
        (
            GrantSpec(scope="host", value=["pypi.org"]),
            Action(kind="network", host="pypi.org", port=443),
            "network",
            {"host": "pypi.org", "examples": ["pypi.org"]},
        ),
        (
            GrantSpec(scope="tool", value=["mcp__github__create_issue"]),
            Action(kind="tool", tool="mcp__github__create_issue"),
            "tool",
            {"name": "mcp__github__create_issue", "examples": ["mcp__github__create_issue"]},
        ),
    ],
)
def test_rule_for_each_scope(
    spec: GrantSpec, action: Action, kind: str, fields: dict[str, object]
) -> None:
    got_kind, got = rule_for(spec, action)
    assert got_kind == kind
    assert got == {
        **fields,
        "decision": "allow",
        "reason": f"approved always in Warden on {date.today().isoformat()}",
    }


def test_paths_under_home_are_written_from_tilde(isolated_env: Path) -> None:
    spec = GrantSpec(scope="folder", value=[str(isolated_env / "notes")], access="write")
    action = Action(kind="write", path="~/notes/today.md")
    _, fields = rule_for(spec, action)
    assert fields["glob"] == "~/notes/**"
    assert fields["examples"] == [str(isolated_env / "notes/today.md")]


def test_pattern_characters_match_only_themselves() -> None:
    path = "/work/p/[draft] *?{a,b}.md"
    action = Action(kind="write", path=path)
    result = approve(GrantSpec(scope="path", value=[path], access="write"), action)
    assert result.ok, result.reason
    assert 'glob = "/work/p/[[]draft] [*][?][{]a,b}.md"' in result.rule_text
    engine = user_engine()
    assert engine.check_path(path, "write").decision == "allow"
    for other in ("/work/p/d xyz.md", "/work/p/[draft] *?a.md", "/work/p/[draft] x?{a,b}.md"):
        assert engine.check_path(other, "write").decision != "allow"


# -- writing to the user's file ------------------------------------------------------------------


def test_approve_always_keeps_the_users_comments() -> None:
    path = user_rules_file()
    path.parent.mkdir(parents=True)
    path.write_text(USER_FILE)
    spec = GrantSpec(scope="prefix", value=["git", "push", "origin"])
    result = approve(spec, run("git push origin main"))
    assert result.ok, result.reason
    assert result.file == str(path)
    text = path.read_text()
    assert text.startswith(USER_FILE + "\n")
    assert result.line is not None
    assert text.splitlines()[result.line - 1] == "[[command]]"
    assert result.rule_text in text
    engine = user_engine()
    assert engine.check_command("git push origin feature").decision == "allow"
    # a guard still holds what the rule does not lift
    assert engine.check_command("git push origin --force main").decision == "ask"


def test_approve_always_creates_the_users_file() -> None:
    result = approve(GrantSpec(scope="exact", value=["make deploy"]), run("make deploy"))
    assert result.ok, result.reason
    assert user_engine().check_command("make  deploy").decision == "allow"


@pytest.mark.parametrize(
    ("scope", "value", "action"),
    [
        ("exact", "rm -rf /", run("rm -rf /")),
        ("exact", "git push --force origin main", run("git push --force origin main")),
        ("path", "~/.ssh/id_rsa", Action(kind="read", path="~/.ssh/id_rsa")),
        ("folder", "~/.aws", Action(kind="read", path="~/.aws/config")),
    ],
)
def test_a_rule_a_guard_makes_useless_is_refused(
    scope: Scope, value: str, action: Action, isolated_env: Path
) -> None:
    value = value.replace("~", str(isolated_env))
    spec = GrantSpec(scope=scope, value=[value], access="read" if action.path else None)
    result = approve(spec, action)
    assert not result.ok
    assert "built-in guard" in result.reason
    assert "take no effect" in result.reason
    assert result.rule_text.startswith("[[")
    assert not user_rules_file().exists()


def test_a_rule_the_requirements_make_useless_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    requirements = tmp_path / "requirements.toml"
    requirements.write_text('version = 1\n[[network]]\nhost = "**.example.com"\ndecision = "ask"\n')
    monkeypatch.setenv("WARDEN_REQUIREMENTS", str(requirements))
    rulesets = load_layers(None).rulesets
    action = Action(kind="network", host="api.example.com")
    spec = GrantSpec(scope="host", value=["api.example.com"])
    result = approve_always(spec, action, "user", rulesets, None)
    assert not result.ok
    assert "requirement" in result.reason


def test_a_broken_users_file_is_left_alone() -> None:
    path = user_rules_file()
    path.parent.mkdir(parents=True)
    path.write_text("version = 1\n[[command]\n")
    result = approve(GrantSpec(scope="exact", value=["make"]), run("make"))
    assert not result.ok
    assert str(path) in result.reason
    assert path.read_text() == "version = 1\n[[command]\n"


def test_a_spec_that_does_not_fit_the_action_is_refused() -> None:
    result = approve(GrantSpec(scope="exact", value=["make test"]), run("make deploy"))
    assert not result.ok
    assert "does not hit" in result.reason
    assert not approve(GrantSpec(scope="exact", value=[]), run("make")).ok


# -- writing to the project's file ---------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "src").mkdir()
    return root


def project_approve(repo: Path, command: str = "npm run build") -> AlwaysResult:
    cwd = str(repo / "src")
    spec = GrantSpec(scope="prefix", value=command.split()[:3])
    return approve_always(spec, run(command, cwd), "project", BUILTIN, cwd)


def test_project_target_needs_a_project_file(repo: Path) -> None:
    result = project_approve(repo)
    assert not result.ok
    assert ".warden/rules.toml" in result.reason
    assert "warden rules trust" in result.reason
    assert not (repo / ".warden").exists()
    spec = GrantSpec(scope="exact", value=["make"])
    assert not approve_always(spec, run("make"), "project", BUILTIN, None).ok


def test_project_target_needs_trust(repo: Path) -> None:
    project = repo / ".warden" / "rules.toml"
    project.parent.mkdir()
    project.write_text("# team rules\nversion = 1\n")
    result = project_approve(repo)
    assert not result.ok
    assert "is not trusted" in result.reason
    trust_project(project)
    project.write_text("# team rules, edited\nversion = 1\n")
    result = project_approve(repo)
    assert not result.ok
    assert "changed since it was trusted" in result.reason
    assert project.read_text() == "# team rules, edited\nversion = 1\n"


def test_project_target_writes_and_keeps_trust(repo: Path) -> None:
    project = repo / ".warden" / "rules.toml"
    project.parent.mkdir()
    project.write_text("# team rules\nversion = 1\n")
    trust_project(project)
    result = project_approve(repo)
    assert result.ok, result.reason
    assert result.file == str(project)
    assert project.read_text().startswith("# team rules\nversion = 1\n")
    assert trust_state(project) == "trusted"
    layers = load_layers(str(repo / "src"), user=False)
    assert layers.project_file == project
    engine = Engine(layers.rulesets)
    assert engine.check_command("npm run build -- --prod").decision == "allow"
