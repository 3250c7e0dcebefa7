"""`warden hooks install/uninstall` and `warden doctor` on settings files with other content."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from hookgate import running_gate

from gate.cli_hooks import main as hooks
from tui.cli_doctor import main as doctor

THEIRS = {
    "model": "opus",
    "permissions": {"allow": ["Bash(npm test)"], "deny": []},
    "hooks": {
        "PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "lint.sh"}]},
        ],
        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
    },
    "env": {"A": "ü"},
}
FILES = {
    "claude-code": ".claude/settings.json",
    "codex": ".codex/config.toml",
    "gemini": ".gemini/settings.json",
}
JSON_AGENTS = ["claude-code", "gemini"]
# A Codex config with hooks of its own, comments, odd spacing and no final newline.
CODEX_CONFIG = """# my Codex settings
model = "o3"   # the fast one
approval_policy = "on-request"

[features]
hooks = true

[[hooks.PreToolUse]]
matcher = "^Bash$"

[[hooks.PreToolUse.hooks]]
type = "command"
command = "lint.sh"
timeout = 30

[mcp_servers.docs]
command = "docs-mcp"
args = ["--port", "0"]"""


def warden_hooks(settings: dict[str, object]) -> list[dict[str, object]]:
    return [
        hook
        for groups in settings.get("hooks", {}).values()  # type: ignore[attr-defined]
        for group in groups
        for hook in group["hooks"]
        if " hook " in hook["command"]
    ]


@pytest.mark.parametrize("agent", JSON_AGENTS)
def test_install_then_uninstall_leaves_the_file_as_it_was(
    agent: str, isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = isolated_env / FILES[agent]
    path.parent.mkdir()
    original = json.dumps(THEIRS, indent=2, ensure_ascii=False) + "\n"
    path.write_text(original)

    assert hooks(["install", agent]) == 0
    settings = json.loads(path.read_text())
    (added,) = warden_hooks(settings)
    assert added["command"] == f"warden hook {agent}"
    assert added["timeout"] == (600_000 if agent == "gemini" else 600)
    assert settings["model"] == "opus"
    assert settings["hooks"]["Stop"] == THEIRS["hooks"]["Stop"]  # type: ignore[index]
    assert path.with_name(path.name + ".bak").read_text() == original
    assert f'+            "command": "warden hook {agent}",' in capsys.readouterr().out

    assert hooks(["install", agent]) == 0  # again: still one entry
    assert len(warden_hooks(json.loads(path.read_text()))) == 1

    assert hooks(["uninstall", agent]) == 0
    assert json.loads(path.read_text()) == THEIRS
    assert path.read_text() == original


@pytest.mark.parametrize("original", [CODEX_CONFIG, CODEX_CONFIG + "\n\n", ""])
def test_codex_config_toml_comes_back_byte_for_byte(
    original: str, isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = isolated_env / FILES["codex"]
    path.parent.mkdir()
    path.write_text(original)

    assert hooks(["install", "codex"]) == 0
    text = path.read_text()
    settings = tomllib.loads(text)
    (added,) = warden_hooks(settings)
    assert added == {"type": "command", "command": "warden hook codex", "timeout": 600}
    if original:
        assert settings["model"] == "o3"
        assert settings["mcp_servers"] == {"docs": {"command": "docs-mcp", "args": ["--port", "0"]}}
        # Codex's own hook keeps its place, first; Warden's group comes after it.
        assert settings["hooks"]["PreToolUse"][0]["hooks"][0]["command"] == "lint.sh"
    assert text.startswith(original)
    assert '+command = "warden hook codex"' in capsys.readouterr().out

    assert hooks(["install", "codex"]) == 0  # again: still one entry
    assert len(warden_hooks(tomllib.loads(path.read_text()))) == 1

    assert hooks(["uninstall", "codex"]) == 0
    assert path.read_bytes() == original.encode()


def test_codex_hooks_written_inline_are_not_broken(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = isolated_env / FILES["codex"]
    path.parent.mkdir()
    inline = '[hooks]\nPreToolUse = [{hooks = [{type = "command", command = "lint.sh"}]}]\n'
    path.write_text(inline)
    assert hooks(["install", "codex"]) == 2
    assert "add it by hand" in capsys.readouterr().err
    assert path.read_text() == inline


def test_a_file_that_was_missing_comes_back_empty(isolated_env: Path) -> None:
    path = isolated_env / FILES["gemini"]
    assert hooks(["install", "gemini"]) == 0
    assert warden_hooks(json.loads(path.read_text()))
    assert hooks(["uninstall", "gemini"]) == 0
    assert json.loads(path.read_text()) == {}


def test_project_scope_confine_and_dry_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert hooks(["install", "claude-code", "--project", "--confine", "--dry-run"]) == 0
    assert "warden hook claude-code --confine" in capsys.readouterr().out
    assert not (tmp_path / ".claude").exists()
    assert hooks(["install", "claude-code", "--project", "--confine"]) == 0
    (added,) = warden_hooks(json.loads((tmp_path / ".claude/settings.json").read_text()))
    assert added["command"] == "warden hook claude-code --confine"


def test_confine_is_for_claude_code_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert hooks(["install", "codex", "--confine"]) == 2
    assert "claude-code only" in capsys.readouterr().err


def test_a_broken_settings_file_is_left_alone(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = isolated_env / FILES["claude-code"]
    path.parent.mkdir()
    path.write_text('{"model": ')
    assert hooks(["install", "claude-code"]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert path.read_text() == '{"model": '
    assert not path.with_name("settings.json.bak").exists()


def test_uninstall_with_nothing_installed_changes_nothing(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert hooks(["uninstall", "codex"]) == 0
    assert "nothing to change" in capsys.readouterr().out
    assert not (isolated_env / ".codex").exists()


def test_doctor_reports_hooks_and_the_gate(
    isolated_env: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert hooks(["install", "codex"]) == 0
    capsys.readouterr()
    doctor(["--offline"])
    report = capsys.readouterr().out
    path = isolated_env / FILES["codex"]
    assert f"ok   codex       user    {path}: PreToolUse: warden hook codex" in report
    assert "ok   claude-code user" in report
    assert "warn no gate answers" in report
    with running_gate(tmp_path, isolated_env / "s" / "gate.sock") as socket_path:
        monkeypatch.setenv("WARDEN_SOCKET", str(socket_path))
        doctor(["--offline"])
    assert f"ok   a gate answers at {socket_path}" in capsys.readouterr().out
