"""Layers: the built-in set, finding project rules, trust, and the order of the layers."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from rules.errors import RulesFileError
from rules.layers import (
    builtin_ruleset,
    find_project_rules,
    is_trusted,
    load_layers,
    trust_project,
)
from rules.loader import check_rules_text
from rules.paths import trust_file, user_rules_file
from rules.trust import trust_state

RULE = 'version = 1\n[[command]]\nprefix = ["{program}"]\ndecision = "allow"\n'


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config, state and requirements files under this test's own directory."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("WARDEN_REQUIREMENTS", str(tmp_path / "requirements.toml"))
    return tmp_path


def _project(root: Path, program: str = "make") -> Path:
    rules = root / ".warden" / "rules.toml"
    rules.parent.mkdir(parents=True, exist_ok=True)
    rules.write_text(RULE.format(program=program))
    return rules


def test_builtin_ruleset_is_loaded_once() -> None:
    ruleset = builtin_ruleset()
    assert ruleset is builtin_ruleset()
    assert ruleset.layer == "builtin"
    assert ruleset.file.endswith("builtin.toml")
    assert ruleset.commands
    assert ruleset.paths


def test_builtin_examples_all_pass() -> None:
    resource = files("rules").joinpath("data/builtin.toml")
    assert check_rules_text(resource.read_text(), "builtin.toml", "builtin") == []


@pytest.mark.parametrize(
    ("layout", "start", "expected"),
    [
        pytest.param(
            ["repo/.git/", "repo/.warden/rules.toml"], "repo/a/b", "repo", id="nearest-up"
        ),
        pytest.param(
            ["repo/.git/", "repo/.warden/rules.toml", "repo/a/.warden/rules.toml"],
            "repo/a/b",
            "repo/a",
            id="closest-wins",
        ),
        pytest.param(["x/.warden/rules.toml", "x/repo/.git/"], "x/repo/a", None, id="stops-at-git"),
        pytest.param(["x/.warden/rules.toml", "x/repo/a/"], "x/repo/a", "x", id="no-repo"),
        pytest.param(["repo/.git", "repo/.warden/rules.toml"], "repo", "repo", id="git-file"),
        pytest.param(["repo/.warden/"], "repo", None, id="dir-without-file"),
    ],
)
def test_find_project_rules(
    tmp_path: Path, layout: list[str], start: str, expected: str | None
) -> None:
    for entry in layout:
        path = tmp_path / entry
        if entry.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(RULE.format(program="make") if path.suffix == ".toml" else "")
    (tmp_path / start).mkdir(parents=True, exist_ok=True)
    found = find_project_rules(tmp_path / start)
    want = None if expected is None else tmp_path / expected / ".warden" / "rules.toml"
    assert found == want


def test_trust_records_the_hash_and_notices_changes(home: Path) -> None:
    rules = _project(home / "repo")
    assert trust_state(rules) == "untrusted"
    digest = trust_project(rules)
    assert len(digest) == 64
    assert is_trusted(rules)
    assert trust_file().stat().st_mode & 0o777 == 0o600
    rules.write_text(RULE.format(program="rm"))
    assert trust_state(rules) == "changed"
    assert not is_trusted(rules)
    trust_project(rules)
    assert is_trusted(rules)


def test_a_corrupt_trust_record_trusts_nothing(home: Path) -> None:
    rules = _project(home / "repo")
    trust_project(rules)
    trust_file().write_text("{not json")
    assert trust_state(rules) == "untrusted"
    trust_project(rules)
    assert is_trusted(rules)


def test_layers_in_order(home: Path) -> None:
    user_rules_file().parent.mkdir(parents=True)
    user_rules_file().write_text(RULE.format(program="ls"))
    (home / "requirements.toml").write_text(
        'version = 1\nunknown_hosts = "block"\n[[tool]]\nname = "x"\ndecision = "block"\n'
    )
    extra = home / "extra.toml"
    extra.write_text(RULE.format(program="cat"))
    repo = home / "repo"
    (repo / ".git").mkdir(parents=True)
    trust_project(_project(repo))

    layers = load_layers(str(repo), [extra])

    assert [r.layer for r in layers.rulesets] == [
        "requirements",
        "builtin",
        "user",
        "extra",
        "project",
    ]
    assert layers.requirements.unknown_hosts == "block"
    assert layers.notes == []
    assert layers.project_file == repo / ".warden" / "rules.toml"


@pytest.mark.parametrize(
    ("trusted", "edited", "note"),
    [
        (False, False, "are not trusted: review them, then run `warden rules trust`"),
        (True, True, "changed since they were trusted"),
    ],
)
def test_untrusted_project_rules_are_left_out(
    home: Path, trusted: bool, edited: bool, note: str
) -> None:
    rules = _project(home / "repo")
    if trusted:
        trust_project(rules)
    if edited:
        rules.write_text(RULE.format(program="rm"))
    layers = load_layers(str(home / "repo"))
    assert [r.layer for r in layers.rulesets] == ["requirements", "builtin"]
    (message,) = layers.notes
    assert str(rules) in message
    assert note in message


def test_an_untrusted_broken_project_file_is_not_read(home: Path) -> None:
    rules = home / "repo" / ".warden" / "rules.toml"
    rules.parent.mkdir(parents=True)
    rules.write_bytes(b"\xff not toml")
    assert len(load_layers(str(home / "repo")).notes) == 1


def test_user_and_project_can_be_skipped(home: Path) -> None:
    user_rules_file().parent.mkdir(parents=True)
    user_rules_file().write_text(RULE.format(program="ls"))
    trust_project(_project(home / "repo"))
    layers = load_layers(str(home / "repo"), user=False, project=False)
    assert [r.layer for r in layers.rulesets] == ["requirements", "builtin"]
    assert layers.project_file is None


@pytest.mark.parametrize("which", ["user", "project", "extra", "requirements"])
def test_a_broken_file_raises(home: Path, which: str) -> None:
    broken = "version = 1\n[[command]]\nprefix = ['ls']\ndecison = 'allow'\n"
    extra: list[Path] = []
    if which == "user":
        user_rules_file().parent.mkdir(parents=True)
        user_rules_file().write_text(broken)
    elif which == "project":
        rules = _project(home / "repo")
        rules.write_text(broken)
        trust_project(rules)
    elif which == "extra":
        extra = [home / "extra.toml"]
        extra[0].write_text(broken)
    else:
        (home / "requirements.toml").write_text(broken)
    with pytest.raises(RulesFileError) as caught:
        load_layers(str(home / "repo"), extra)
    assert (caught.value.line, caught.value.column) == (4, 1)


def test_a_missing_extra_file_raises(home: Path) -> None:
    with pytest.raises(RulesFileError, match="cannot read the file"):
        load_layers(None, [home / "absent.toml"])
