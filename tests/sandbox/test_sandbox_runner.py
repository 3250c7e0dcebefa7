"""What confined commands can still do: write the workspace, commit, read, report, be bounded."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from sandbox_tree import WARDEN, Tree, git

from sandbox.errors import SandboxSpecError, SandboxUnavailable
from sandbox.runner import check, run, run_sync
from sandbox.spec import SandboxSpec

try:
    check()
except SandboxUnavailable as exc:
    pytest.skip(f"bubblewrap cannot start on this machine:\n{exc}", allow_module_level=True)


def test_writes_inside_the_workspace_reach_the_host(tree: Tree) -> None:
    result = tree.sh("mkdir -p src && echo hello > src/new.txt && cat src/new.txt")
    assert (result.exit_code, result.stdout, result.confined) == (0, b"hello\n", True)
    assert (tree.workspace / "src" / "new.txt").read_text() == "hello\n"


def test_git_commit_in_the_workspace_repository(tree: Tree, repo: Path) -> None:
    identity = "-c user.name=A -c user.email=a@b"
    script = f"echo more >> README && git add README && git {identity} commit -qm second"
    result = tree.sh(script)
    assert result.exit_code == 0, result.stderr
    assert git(repo, "log", "--format=%s").split() == ["second", "first"]


def test_git_init_and_commit_in_a_plain_workspace(tree: Tree) -> None:
    identity = "-c user.name=A -c user.email=a@b"
    result = tree.sh(f"git init -q && echo x > f && git add f && git {identity} commit -qm one")
    assert result.exit_code == 0, result.stderr
    assert git(tree.workspace, "log", "--format=%s").split() == ["one"]


def test_files_outside_are_readable(tree: Tree) -> None:
    assert tree.sh(f"cat {tree.outside}/target").stdout == b"original\n"


def test_extra_writable_roots_are_writable(tree: Tree) -> None:
    result = tree.sh(f"echo x > {tree.outside}/new", writable_roots=(tree.outside,))
    assert result.exit_code == 0
    assert (tree.outside / "new").read_text() == "x\n"
    assert not (tree.outside / ".warden").exists()


@pytest.mark.parametrize("code", [0, 1, 3, 42, 255])
def test_exit_codes_propagate(tree: Tree, code: int) -> None:
    assert tree.sh(f"exit {code}").exit_code == code


def test_a_signal_becomes_128_plus_its_number(tree: Tree) -> None:
    assert tree.sh("kill -TERM $$").exit_code == 143


def test_output_is_captured_and_bounded(tree: Tree) -> None:
    script = "head -c 200000 /dev/zero; echo oops >&2"
    result = run_sync(["sh", "-c", script], SandboxSpec(workspace=tree.workspace), max_output=1000)
    assert (len(result.stdout), result.stderr, result.truncated) == (1000, b"oops\n", True)
    small = tree.sh("echo out; echo err >&2")
    assert (small.stdout, small.stderr, small.truncated) == (b"out\n", b"err\n", False)


def test_input_is_fed(tree: Tree) -> None:
    spec = SandboxSpec(workspace=tree.workspace)
    assert run_sync(["cat"], spec, stdin=b"hello").stdout == b"hello"
    assert run_sync(["cat"], spec).stdout == b""


def test_a_timeout_kills_the_command(tree: Tree) -> None:
    spec = SandboxSpec(workspace=tree.workspace)
    result = run_sync(["sh", "-c", "echo started; sleep 30"], spec, timeout_s=0.5)
    assert (result.exit_code, result.timed_out, result.stdout) == (124, True, b"started\n")
    assert result.duration_ms < 10_000


async def test_cancelling_kills_the_command(tree: Tree) -> None:
    marker = tree.workspace / "finished"
    task = asyncio.create_task(
        run(["sh", "-c", f"sleep 2; touch {marker}"], SandboxSpec(workspace=tree.workspace))
    )
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(2.5)
    assert not marker.exists()


def test_a_missing_command_is_127(tree: Tree) -> None:
    result = tree.run(["no-such-command-anywhere"])
    assert result.exit_code == 127
    assert b"No such file" in result.stderr


def test_a_command_not_executable_is_126(tree: Tree) -> None:
    (tree.workspace / "script").write_text("echo hi\n")
    assert tree.run(["./script"]).exit_code == 126


def test_the_working_directory_defaults_to_the_workspace(tree: Tree) -> None:
    (tree.workspace / "sub").mkdir()
    assert tree.sh("pwd").stdout.decode().strip() == str(tree.workspace)
    result = tree.sh("pwd; echo $PWD", cwd=tree.workspace / "sub")
    assert result.stdout.decode().split() == [str(tree.workspace / "sub")] * 2


def test_read_only_mode_writes_nothing_but_a_private_tmp(tree: Tree) -> None:
    name = f"warden-private-{os.getpid()}"
    refused = tree.sh("echo x > new", mode="read-only")
    assert refused.exit_code != 0
    assert not (tree.workspace / "new").exists()
    private = tree.sh(f"echo x > /tmp/{name} && cat /tmp/{name}", mode="read-only")
    assert (private.exit_code, private.stdout) == (0, b"x\n")
    assert not Path("/tmp", name).exists()
    assert tree.sh(f"cat {tree.workspace}/../outside/target", mode="read-only").exit_code == 0


def test_a_workspace_under_tmp_is_visible_in_both_modes(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    for mode in ("read-only", "workspace-write"):
        result = run_sync(["cat", "f"], SandboxSpec(workspace=tmp_path, mode=mode))
        assert result.stdout == b"x"


def test_host_tmp_is_not_visible(tree: Tree, tmp_path: Path) -> None:
    (tmp_path / "host-file").write_text("x")
    assert tree.sh(f"test -e {tmp_path}/host-file").exit_code == 1


def test_danger_full_access_runs_unconfined_and_says_so(tree: Tree) -> None:
    result = tree.sh(f"echo x > {tree.outside}/new", mode="danger-full-access")
    assert (result.exit_code, result.confined) == (0, False)
    assert (tree.outside / "new").exists()
    missing = tree.run(["no-such-command-anywhere"], mode="danger-full-access")
    assert (missing.exit_code, missing.confined) == (127, False)


def test_env_passthrough_passes_named_variables(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENT_API_KEY", "k")
    result = tree.sh("printenv AGENT_API_KEY", env_passthrough=("AGENT_API_KEY",))
    assert result.stdout == b"k\n"


def test_python_runs_inside(tree: Tree) -> None:
    assert tree.py("print(6 * 7)").stdout == b"42\n"


# When the sandbox cannot start, nothing runs.


@pytest.mark.parametrize("fake", ["/bin/false", "/bin/true"])
def test_a_broken_bwrap_is_unavailable_never_unconfined(
    tree: Tree, monkeypatch: pytest.MonkeyPatch, fake: str
) -> None:
    monkeypatch.setenv("WARDEN_BWRAP", fake)
    marker = tree.workspace / "ran"
    for capture in (True, False):
        with pytest.raises(SandboxUnavailable) as caught:
            run_sync(["touch", str(marker)], SandboxSpec(workspace=tree.workspace), capture=capture)
        assert "nothing ran" in str(caught.value)
        assert "from $WARDEN_BWRAP" in str(caught.value)
    assert not marker.exists()


def test_a_missing_bwrap_is_unavailable(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_BWRAP", str(tree.root / "no-bwrap"))
    with pytest.raises(SandboxUnavailable, match="bubblewrap not found at"):
        tree.sh("true")


def test_a_bwrap_that_cannot_be_executed_is_unavailable(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tree.root / "bwrap").write_text("not a program")
    monkeypatch.setenv("WARDEN_BWRAP", str(tree.root / "bwrap"))
    with pytest.raises(SandboxUnavailable, match="bubblewrap could not be run, so nothing ran"):
        tree.sh("true")


def test_network_proxy_is_refused_until_the_proxy_exists(tree: Tree) -> None:
    with pytest.raises(SandboxUnavailable, match="not available yet"):
        tree.sh("true", network="proxy", proxy_socket=tree.root / "proxy.sock")


@pytest.mark.parametrize(
    ("argv", "kwargs", "message"),
    [
        ([], {}, "no command"),
        (["cat"], {"stdin": b"x", "capture": False}, "only when output is captured"),
    ],
)
def test_bad_arguments(
    tree: Tree, argv: list[str], kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(SandboxSpecError, match=message):
        run_sync(argv, SandboxSpec(workspace=tree.workspace), **kwargs)  # type: ignore[arg-type]


def test_a_nested_sandbox_explains_why_it_cannot_start(tree: Tree) -> None:
    result = tree.run([WARDEN, "sandbox", "check"], mode="read-only")
    assert result.exit_code == 1
    assert b"forbids new namespaces" in result.stderr
