"""`warden sandbox exec` and `warden sandbox check`: exit codes, the terminal, failure messages."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sandbox_tree import WARDEN, Tree

from sandbox.cli_sandbox import main
from sandbox.errors import SandboxUnavailable
from sandbox.runner import check

try:
    check()
except SandboxUnavailable as exc:
    pytest.skip(f"bubblewrap cannot start on this machine:\n{exc}", allow_module_level=True)


@pytest.fixture(autouse=True)
def in_workspace(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree.workspace)


def warden(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WARDEN, *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )


def test_exec_exits_with_the_commands_code_and_shares_the_terminal() -> None:
    done = warden("sandbox", "exec", "--", "sh", "-c", "cat; echo err >&2; exit 7", stdin="in\n")
    assert (done.returncode, done.stdout, done.stderr) == (7, "in\n", "err\n")


def test_exec_without_dashes(capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["exec", "sh", "-c", "echo $0", "--mode"]) == 0
    assert capfd.readouterr().out == "--mode\n"


def test_exec_options(
    tree: Tree, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENT_TOKEN", "t")
    script = f"echo x > {tree.outside}/new && printenv AGENT_TOKEN"
    args = ["exec", "--writable-root", str(tree.outside), "--pass-env", "AGENT_TOKEN", "--"]
    assert main([*args, "sh", "-c", script]) == 0
    assert capfd.readouterr().out == "t\n"
    assert (tree.outside / "new").exists()


def test_exec_modes(tree: Tree) -> None:
    assert main(["exec", "--mode", "read-only", "--", "touch", "f"]) == 1
    # Started in this folder, the workspace elsewhere: only the workspace is writable.
    elsewhere = ["exec", "--workspace", str(tree.outside), "--", "touch"]
    assert main([*elsewhere, "here"]) == 1
    assert main([*elsewhere, "../outside/there"]) == 0
    assert (
        main(["exec", "--mode", "danger-full-access", "--", "touch", str(tree.outside / "f")]) == 0
    )


def test_a_command_not_found_is_127() -> None:
    assert main(["exec", "--", "no-such-command-anywhere"]) == 127


def test_exec_refuses_to_run_without_a_working_bwrap(tree: Tree) -> None:
    done = warden("sandbox", "exec", "--", "touch", "ran", WARDEN_BWRAP="/bin/false")
    assert done.returncode == 125
    assert "bubblewrap could not start the sandbox, so nothing ran." in done.stderr
    assert "is it bubblewrap?" in done.stderr
    assert not (tree.workspace / "ran").exists()


def test_check_says_which_binary_works(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("bubblewrap works here: /")
    assert "bubblewrap 0." in out


def test_check_explains_a_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WARDEN_BWRAP", "/bin/true")
    assert main(["check"]) == 1
    assert "why: /bin/true exited without running the command" in capsys.readouterr().err


def test_a_spec_error_is_125(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    (tree.workspace / ".warden").symlink_to(tree.outside)
    assert main(["exec", "--", "true"]) == 125
    assert "is a symbolic link" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["exec"], ["exec", "--"]])
def test_no_command_is_125(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 125
    assert "no command given" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["exec", "--mode", "yolo", "--", "true"], ["frob"], []])
def test_usage_errors_are_125(args: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 125


def test_the_network_proxy_starts_for_the_run() -> None:
    # Reaching hosts through it: tests/sandbox/test_sandbox_exec_proxy.py.
    script = 'case "$HTTPS_PROXY" in http://127.0.0.1:*) exit 0;; esac; exit 1'
    assert main(["exec", "--network", "proxy", "--", "sh", "-c", script]) == 0
    assert main(["exec", "--", "sh", "-c", script]) == 1


def test_the_dispatcher_knows_the_command() -> None:
    done = warden("sandbox", "--help")
    assert done.returncode == 0
    assert "exec" in done.stdout
    assert "check" in done.stdout
    assert Path(WARDEN).exists()
