"""The `warden` dispatcher: usage, version, self-check, unknown commands, `warden config`."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from gate.config import config_schema
from rules.paths import config_file
from tui.cli import COMMANDS, main


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_lists_every_command(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([flag]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: warden")
    for name, (_, _, help_) in COMMANDS.items():
        assert f"  {name}" in out
        assert help_ in out
    assert "self-check" not in out


def test_no_arguments_prints_usage_and_a_self_check(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([])
    out = capsys.readouterr().out
    assert "usage: warden" in out
    assert f"python  {sys.version.split()[0]}" in out
    assert f"config  {config_file()} (not present, defaults in use)" in out
    assert 'warden check "git status"' in out
    assert code == (1 if "FAILED" in out else 0)


def test_self_check_reports_a_broken_config(capsys: pytest.CaptureFixture[str]) -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text("[policy]\nsandbox_mode = 'yolo'\n")
    assert main([]) == 1
    assert f"config  FAILED: {config_file()}:2: policy.sandbox_mode" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"warden {version('warden-console')}\n"


def test_installed_script_prints_its_version() -> None:
    script = Path(sys.executable).with_name("warden")
    result = subprocess.run([script, "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"warden {version('warden-console')}\n"


def test_unknown_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "unknown command 'frobnicate'" in captured.err
    assert "usage: warden" in captured.err


def test_config_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out == f"{config_file()}\n"


def test_config_show_toml_includes_file_and_env(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text("[reviewer]\nmodel = 'local'\n")
    monkeypatch.setenv("WARDEN_POLICY__APPROVAL_POLICY", "never")
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert '[reviewer]\nmodel = "local"\n' in out
    assert 'approval_policy = "never"' in out
    assert "base_url" not in out  # unset: TOML has no null


def test_config_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["reviewer"]["base_url"] is None
    assert shown["policy"]["sandbox_mode"] == "workspace-write"


def test_config_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "schema"]) == 0
    assert json.loads(capsys.readouterr().out) == config_schema()


def test_config_show_with_a_broken_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text("[reviewer\n")
    assert main(["config", "show"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"warden: {config_file()}:1:")


@pytest.mark.parametrize("argv", [[], ["bogus"], ["show", "--yaml"]])
def test_config_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", *argv]) == 2
    assert "usage: warden config" in capsys.readouterr().err


def test_config_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "--help"]) == 0
    assert "show" in capsys.readouterr().out
