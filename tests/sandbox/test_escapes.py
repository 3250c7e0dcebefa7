"""Escape attempts under workspace-write: each must fail and leave the host as it was."""

from __future__ import annotations

import shlex
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_tree import PYTHON, WARDEN, Tree

from rules.paths import config_dir, runtime_dir, state_dir
from sandbox.errors import SandboxUnavailable
from sandbox.runner import check

try:
    check()
except SandboxUnavailable as exc:
    pytest.skip(f"bubblewrap cannot start on this machine:\n{exc}", allow_module_level=True)


def refused(tree: Tree, script: str) -> None:
    """Run `script` confined and assert that it failed."""
    result = tree.sh(script)
    assert result.confined
    assert result.exit_code != 0, result


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its content, to compare before and after."""
    return {
        str(path.relative_to(folder)): path.read_bytes() if path.is_file() else b"<dir>"
        for path in sorted(folder.rglob("*"))
    }


# Writing outside the workspace.


@pytest.mark.parametrize(
    "script",
    [
        "echo x > {outside}/new",
        "echo x > {outside}/target",
        "echo x > ../outside/new",
        "cd .. && echo x > outside/new",
        "ln -s {outside}/target link && echo x > link",
        "ln -s {outside}/new link && echo x > link",
        "ln -s {outside} dir && echo x > dir/new",
        "ln {outside}/target hard && echo x > hard",
        "mv {outside}/target moved",
        "rm {outside}/target",
        "touch {home}/.bashrc",
    ],
)
def test_writes_outside_the_workspace_fail(tree: Tree, script: str) -> None:
    before = snapshot(tree.root / "outside")
    refused(tree, script.format(outside=tree.outside, home=tree.root / "home"))
    assert snapshot(tree.root / "outside") == before
    assert not (tree.root / "home" / ".bashrc").exists()
    assert not (tree.workspace / "hard").exists()


# Protected paths of the workspace repository.


@pytest.mark.parametrize(
    "script",
    [
        "echo evil > .git/hooks/pre-commit",
        "chmod +x .git/hooks/pre-commit.sample",
        "rm -rf .git/hooks",
        "mv .git/hooks .git/old-hooks",
        "echo '[core] fsmonitor = evil' >> .git/config",
        "cp .git/config c && mv c .git/config",
        "git config core.hooksPath /var/tmp",
        "mv .git .git-old",
        "rm -rf .git; test ! -e .git",
    ],
)
def test_git_hooks_and_config_stay_read_only(tree: Tree, repo: Path, script: str) -> None:
    hooks, config = snapshot(repo / ".git" / "hooks"), (repo / ".git" / "config").read_bytes()
    refused(tree, script)
    assert snapshot(repo / ".git" / "hooks") == hooks
    assert (repo / ".git" / "config").read_bytes() == config


def test_a_missing_hooks_folder_cannot_be_created(tree: Tree, repo: Path) -> None:
    subprocess.run(["rm", "-rf", str(repo / ".git" / "hooks")], check=True)
    refused(tree, "mkdir -p .git/hooks && echo evil > .git/hooks/pre-commit")
    assert not (repo / ".git" / "hooks" / "pre-commit").exists()


def test_a_hooks_path_inside_the_workspace_stays_read_only(tree: Tree, repo: Path) -> None:
    (repo / ".husky").mkdir()
    subprocess.run(["git", "config", "core.hooksPath", ".husky"], cwd=repo, check=True)
    refused(tree, "echo evil > .husky/pre-commit")
    assert not (repo / ".husky" / "pre-commit").exists()


@pytest.mark.parametrize(
    "script",
    [
        "echo x > .warden/rules.toml",
        "mkdir -p .warden && echo x > .warden/rules.toml",
        "rm -rf .warden && mkdir .warden && echo x > .warden/rules.toml",
        "mv .warden w && mkdir .warden && echo x > .warden/rules.toml",
    ],
)
@pytest.mark.parametrize("exists", [True, False], ids=["existing", "missing"])
def test_project_rules_cannot_be_written(tree: Tree, script: str, exists: bool) -> None:
    if exists:
        (tree.workspace / ".warden").mkdir()
    refused(tree, script)
    assert not (tree.workspace / ".warden" / "rules.toml").exists()
    assert not (tree.workspace / "w").exists()


def test_mkdir_warden_fails_in_a_workspace_without_one(tree: Tree) -> None:
    refused(tree, "mkdir .warden")
    assert list((tree.workspace / ".warden").iterdir()) == []


# Secrets and Warden's own files.


def test_secret_environment_variables_are_not_passed(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_SERVICE_TOKEN", "s3cret")
    monkeypatch.setenv("LC_API_KEY", "s3cret")
    refused(tree, "printenv MY_SERVICE_TOKEN")
    refused(tree, "printenv LC_API_KEY")
    assert b"s3cret" not in tree.sh("env").stdout


@pytest.fixture
def console_socket() -> Iterator[Path]:
    """A real listening Unix socket where the console's would be."""
    runtime_dir().mkdir(mode=0o700, parents=True, exist_ok=True)
    path = runtime_dir() / "console.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        server.listen()
        server.setblocking(False)
        yield path
        with pytest.raises(BlockingIOError):
            server.accept()


CONNECT = "import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])"


def test_the_console_socket_is_unreachable(tree: Tree, console_socket: Path) -> None:
    result = tree.run([PYTHON, "-c", CONNECT, str(console_socket)])
    assert result.exit_code != 0
    assert b"FileNotFoundError" in result.stderr
    refused(tree, f"ls -A {runtime_dir()} | grep .")


def test_an_abstract_unix_socket_on_the_host_is_unreachable(tree: Tree) -> None:
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("\0warden-sandbox-test")
        server.listen()
        code = "import socket; socket.socket(socket.AF_UNIX).connect('\\0warden-sandbox-test')"
        assert tree.py(code).exit_code != 0


@pytest.mark.parametrize("where", [state_dir, config_dir])
def test_the_audit_log_and_config_cannot_be_read(tree: Tree, where: object) -> None:
    assert callable(where)
    folder: Path = where()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "audit.jsonl").write_text('{"event": "action.decided"}\n')
    refused(tree, f"cat {folder}/audit.jsonl")
    refused(tree, f"echo forged >> {folder}/audit.jsonl")
    assert (folder / "audit.jsonl").read_text() == '{"event": "action.decided"}\n'


@pytest.mark.parametrize("exists", [True, False], ids=["existing", "missing"])
def test_warden_dirs_inside_the_workspace_stay_hidden(
    tree: Tree, monkeypatch: pytest.MonkeyPatch, exists: bool
) -> None:
    # The workspace is the home folder: ~/.config/warden and ~/.local/state/warden are inside.
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tree.workspace))
    if exists:
        state_dir().mkdir(parents=True)
        (state_dir() / "audit.jsonl").write_text("real\n")
    refused(tree, f"cat {state_dir()}/audit.jsonl")
    refused(tree, f"mkdir -p {config_dir()} && echo x > {config_dir()}/rules.toml")
    refused(tree, "rm -rf .local/state/warden && echo x > .local/state/warden/audit.jsonl")
    assert not (config_dir() / "rules.toml").exists()
    assert (state_dir() / "audit.jsonl").exists() == exists


def test_host_runtime_sockets_are_hidden(tree: Tree) -> None:
    # /run holds the D-Bus buses (systemd would start anything we ask), container engines…
    assert tree.sh("ls -A /run /var/run").stdout == b"/run:\n\n/var/run:\n"


# Network, processes, privileges.


def test_a_tcp_listener_on_the_host_loopback_is_unreachable(tree: Tree) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        port = server.getsockname()[1]
        code = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=5)"
        result = tree.py(code)
        assert result.exit_code != 0
        assert b"ConnectionRefusedError" in result.stderr
        with pytest.raises(BlockingIOError):
            server.accept()


def test_processes_outside_cannot_be_signalled(tree: Tree) -> None:
    with subprocess.Popen(["sleep", "60"]) as outside:
        try:
            refused(tree, f"kill -9 {outside.pid}")
            tree.sh("kill -9 -1")
            assert outside.poll() is None
        finally:
            outside.kill()


def test_no_capabilities_and_no_new_namespaces_inside(tree: Tree) -> None:
    status = tree.sh("grep -E '^Cap(Eff|Prm|Bnd)' /proc/self/status").stdout.decode()
    assert all(line.endswith("0000000000000000") for line in status.splitlines()), status
    refused(tree, f"umount {runtime_dir()}")
    refused(tree, "mount -o remount,rw /")
    refused(tree, "unshare --user --map-root-user true")


TIOCSTI = "import fcntl, termios; fcntl.ioctl(0, termios.TIOCSTI, b'x')"


@pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) for a terminal")
@pytest.mark.parametrize("confined", [True, False])
def test_keys_cannot_be_pushed_into_wardens_terminal(tree: Tree, confined: bool) -> None:
    # --new-session: the command does not share Warden's terminal session, so TIOCSTI (which would
    # type commands into the person's shell) fails; the unconfined control shows it otherwise works.
    inner = shlex.join([PYTHON, "-c", TIOCSTI])
    if confined:
        inner = shlex.join([WARDEN, "sandbox", "exec", "--"]) + " " + inner
    in_a_terminal = ["script", "-qec", inner, "/dev/null"]
    result = subprocess.run(in_a_terminal, cwd=tree.workspace, capture_output=True, check=False)
    assert (result.returncode != 0) == confined, result
