"""`warden doctor`: each part of the set-up checked, problems named with their place and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.paths import config_file, user_rules_file
from sandbox.errors import SandboxUnavailable
from sandbox.runner import check
from tests.reviewer.chat_server import ChatServer
from tui.cli_doctor import main as doctor


def bwrap_works() -> bool:
    try:
        check()
    except SandboxUnavailable:
        return False
    return True


def configure(text: str) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = doctor(list(args))
    return code, capsys.readouterr().out


def test_a_fresh_set_up_has_nothing_to_fix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys)
    assert f"ok   {config_file()} (no file: the defaults)" in out
    assert "ok   builtin: " in out
    assert "warn no gate answers at " in out  # a warning: hooks still answer from the rules
    assert "ok   auto-review is off (no model set)" in out
    assert "ok   codex       user    " in out
    if bwrap_works():
        assert "ok   bubblewrap starts: " in out
        assert (code, out.rstrip().splitlines()[-1]) == (0, "all good")
    else:
        assert "FAIL bubblewrap cannot start a sandbox" in out
        assert code == 1


def test_broken_files_fail_with_their_place(capsys: pytest.CaptureFixture[str]) -> None:
    path = configure('[policy]\napproval_policy = "sometimes"\n')
    rules = user_rules_file()
    rules.parent.mkdir(parents=True, exist_ok=True)
    rules.write_text('version = 1\n[[command]]\nprefix = ["git"]\ndecision = "maybe"\n')
    code, out = run(capsys)
    assert code == 1
    assert f"FAIL {path}: broken" in out
    assert f"{path}:2" in out  # the line of the bad value
    assert "FAIL a rules file is broken" in out
    assert str(rules) in out
    assert out.rstrip().endswith("something needs fixing: see FAIL above")


def test_a_missing_bwrap_fails_with_the_fix(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARDEN_BWRAP", "/nonexistent/bwrap")
    code, out = run(capsys)
    assert code == 1
    assert "FAIL bubblewrap cannot start a sandbox" in out
    assert "fix: point $WARDEN_BWRAP at a bwrap" in out


def test_the_reviewer_endpoint_is_asked_for_its_models(
    capsys: pytest.CaptureFixture[str], chat: ChatServer
) -> None:
    configure(f'[reviewer]\nmodel = "test-model"\nbase_url = "{chat.url}"\n')
    _, out = run(capsys)
    assert f"ok   model test-model at {chat.url}" in out

    chat.models = ["other-model"]
    _, out = run(capsys)
    assert f"warn {chat.url} does not list the model test-model" in out
    assert "it lists: other-model" in out

    chat.models = None
    _, out = run(capsys)
    assert f"warn {chat.url} answers but lists no models" in out

    chat.models = ["test-model"]
    _, out = run(capsys, "--offline")
    assert "(not contacted: --offline)" in out


def test_a_reviewer_endpoint_that_does_not_answer_fails(
    capsys: pytest.CaptureFixture[str], chat: ChatServer
) -> None:
    url = chat.url
    chat.close()  # nothing listens there any more
    configure(f'[reviewer]\nmodel = "test-model"\nbase_url = "{url}"\n')
    code, out = run(capsys)
    assert code == 1
    assert f"FAIL {url} does not answer" in out
    assert "APIConnectionError" in out
    assert "reviews will fail closed (a person decides)" in out


def test_a_reviewer_without_a_key_fails(capsys: pytest.CaptureFixture[str]) -> None:
    configure('[reviewer]\nmodel = "gpt-4.1-mini"\n')
    code, out = run(capsys)
    assert code == 1
    assert "FAIL no API key in $OPENAI_API_KEY" in out
