"""`warden rules test|explain|lint|path|trust`: output and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.cli_rules import main
from rules.paths import user_rules_file
from rules.trust import trust_state

GOOD = (
    'version = 1\n[[command]]\nid = "make"\nprefix = ["make", "test"]\ndecision = "allow"\n'
    'examples = ["make test"]\nnot_examples = ["make install"]\n'
)
FAILING = (
    'version = 1\n[[command]]\nid = "make"\nprefix = ["make", "test"]\ndecision = "allow"\n'
    'examples = ["make test", "make install"]\n'
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config, state and requirements files under this test's own directory, the cwd too."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("WARDEN_REQUIREMENTS", str(tmp_path / "requirements.toml"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_test_reports_each_rule(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(home / "r.toml", GOOD)
    assert main(["test", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{path}:2: make: ok (1 examples, 1 not_examples)" in out
    assert f"{path}: 1 rules, examples: all 2 pass" in out


def test_test_fails_with_file_line_col(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(home / "r.toml", FAILING)
    assert main(["test", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:2: make: FAILED" in out
    assert f"{path}:6:26: rule 1 ([[command]] at line 2): example `make install`" in out
    assert "1 of 2 failed" in out


def test_test_defaults_to_builtin_and_user(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(user_rules_file(), GOOD)
    assert main(["test", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "builtin.toml: " in out
    assert f"{user_rules_file()}: 1 rules, examples: all 2 pass" in out
    assert ": ok (" not in out


def test_load_errors_go_to_stderr(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(home / "r.toml", 'version = 1\n[[command]]\nprefix = ["x"]\ndecison = "ask"\n')
    for command in ("test", "lint"):
        assert main([command, str(path)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"{path}:4:1: rule 1 ([[command]] at line 2): `decison`")


def test_explain(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = _write(home / "extra.toml", GOOD)
    assert main(["explain", "--rules", str(extra), "make test && rm -rf ~"]) == 0
    out = capsys.readouterr().out
    assert f"make ({extra}:2)" in out
    assert "rm -rf ~" in out
    assert "guard." in out


def test_explain_mentions_untrusted_project_rules(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _write(home / "repo" / ".warden" / "rules.toml", GOOD)
    assert main(["explain", "--cwd", str(home / "repo"), "make test"]) == 0
    assert f"project rules at {project} are not in force" in capsys.readouterr().out


def test_lint(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint"]) == 0
    assert "nothing to lint" in capsys.readouterr().out
    _write(user_rules_file(), 'version = 1\n[[command]]\nprefix = ["bash"]\ndecision = "allow"\n')
    assert main(["lint"]) == 1
    out = capsys.readouterr().out
    assert f"{user_rules_file()}:2: allow rule" in out
    assert "1 finding" in out


def test_path_and_trust(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = home / "repo"
    (repo / ".git").mkdir(parents=True)
    project = _write(repo / ".warden" / "rules.toml", GOOD)
    assert main(["path", "--cwd", str(repo)]) == 0
    out = capsys.readouterr().out
    assert f"user rules     {user_rules_file()}  (absent)" in out
    assert f"project rules  {project}  (not trusted: run `warden rules trust`)" in out
    assert f"requirements   {home / 'requirements.toml'}  (absent)" in out

    assert main(["trust", str(repo)]) == 0
    out = capsys.readouterr().out
    assert f"trusted {project} (1 rules)" in out
    assert "sha256 " in out
    assert trust_state(project) == "trusted"
    assert main(["path", "--cwd", str(repo)]) == 0
    assert f"{project}  (trusted)" in capsys.readouterr().out


def test_trust_refuses_broken_or_missing_files(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trust", str(home)]) == 1
    assert "no .warden/rules.toml" in capsys.readouterr().err
    project = _write(home / ".warden" / "rules.toml", FAILING)
    assert main(["trust"]) == 2
    assert f"{project}:6:26:" in capsys.readouterr().err
    assert trust_state(project) == "untrusted"


@pytest.mark.parametrize("argv", [[], ["bogus"], ["explain"], ["test", "a", "b"]])
def test_usage_errors(home: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "usage: warden rules" in capsys.readouterr().err


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "trust" in capsys.readouterr().out
