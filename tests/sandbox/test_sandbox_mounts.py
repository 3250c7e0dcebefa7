"""The mount plan: writable roots, protected paths (made when missing), hidden folders, errors."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sandbox_tree import Tree, git

from rules.paths import config_dir, runtime_dir, state_dir
from sandbox.errors import SandboxSpecError
from sandbox.mounts import Plan, _own_paths, plan
from sandbox.spec import MODES, SandboxSpec


def workspace_bound(mounts: Plan) -> tuple[Path, ...]:
    """What the plan binds read-only besides Warden's own interpreter and code."""
    own = set(_own_paths())
    return tuple(p for p in mounts.readable if p not in own)


def test_warden_installed_under_tmp_stays_visible(tree: Tree) -> None:
    mounts = plan(spec(tree, mode="read-only"))
    for path in _own_paths():
        if str(path).startswith("/tmp/"):
            assert path in mounts.readable


def spec(tree: Tree, **kwargs: object) -> SandboxSpec:
    return SandboxSpec(workspace=tree.workspace, **kwargs)  # type: ignore[arg-type]


def test_workspace_write_binds_the_workspace_and_protects_warden(tree: Tree) -> None:
    mounts = plan(spec(tree))
    assert mounts.writable == (tree.workspace,)
    assert workspace_bound(mounts) == ()
    assert mounts.protected == (tree.workspace / ".warden",)
    assert (tree.workspace / ".warden").is_dir()  # made so that it cannot be made inside
    assert mounts.cwd == tree.workspace


def test_read_only_binds_nothing_writable_and_creates_nothing(tree: Tree) -> None:
    mounts = plan(spec(tree, mode="read-only"))
    assert (workspace_bound(mounts), mounts.writable, mounts.protected) == ((), (), ())
    assert not (tree.workspace / ".warden").exists()


def test_a_read_only_workspace_under_tmp_is_bound_back(tmp_path: Path) -> None:
    mounts = plan(SandboxSpec(workspace=tmp_path, mode="read-only"))
    assert workspace_bound(mounts) == (tmp_path.resolve(),)


def test_a_repository_gets_git_pinned_and_its_hooks_and_config_protected(
    tree: Tree, repo: Path
) -> None:
    mounts = plan(spec(tree))
    assert mounts.pinned == (repo / ".git",)
    assert mounts.protected == (repo / ".git" / "hooks", repo / ".git" / "config", repo / ".warden")


def test_missing_hooks_are_made_inside_an_existing_git_folder(tree: Tree) -> None:
    (tree.workspace / ".git").mkdir()
    plan(spec(tree))
    assert (tree.workspace / ".git" / "hooks").is_dir()
    assert (tree.workspace / ".git" / "config").read_bytes() == b""


def test_other_writable_roots_get_no_warden_folder_but_their_git_is_kept(tree: Tree) -> None:
    git(tree.outside, "init", "-q")
    mounts = plan(spec(tree, writable_roots=(tree.outside,)))
    assert not (tree.outside / ".warden").exists()
    assert tree.outside / ".git" / "hooks" in mounts.protected
    assert tree.outside / ".git" in mounts.pinned


def test_a_git_file_and_a_hooks_path_are_protected(tree: Tree, repo: Path) -> None:
    (repo / ".husky").mkdir()
    git(repo, "config", "core.hooksPath", ".husky")
    (tree.outside / ".git").write_text(f"gitdir: {repo}/.git\n")
    mounts = plan(spec(tree, writable_roots=(tree.outside,)))
    assert repo / ".husky" in mounts.protected
    assert tree.outside / ".git" in mounts.protected


@pytest.mark.parametrize("link", [".warden", ".git/hooks"])
def test_a_symlinked_protected_path_is_refused(tree: Tree, repo: Path, link: str) -> None:
    target = tree.root / "elsewhere"
    target.mkdir()
    path = repo / link
    if path.exists():
        for child in path.iterdir():
            child.unlink()
        path.rmdir()
    path.symlink_to(target)
    with pytest.raises(SandboxSpecError, match="is a symbolic link"):
        plan(spec(tree))


def test_warden_dirs_are_hidden_when_they_exist(tree: Tree) -> None:
    state_dir().mkdir(parents=True)
    runtime_dir().mkdir(parents=True)
    hidden = plan(spec(tree)).hidden
    assert state_dir() in hidden
    assert runtime_dir().parent in hidden  # $XDG_RUNTIME_DIR, which holds it
    assert runtime_dir() not in hidden  # already out of sight
    assert config_dir() not in hidden  # nothing there to hide
    assert Path("/run") in hidden


def test_missing_warden_dirs_inside_the_workspace_are_made_private(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tree.workspace / "state"))
    hidden = plan(spec(tree)).hidden
    assert state_dir() in hidden
    assert stat.S_IMODE(state_dir().stat().st_mode) == 0o700
    assert stat.S_IMODE((tree.workspace / "state").stat().st_mode) == 0o700


def test_a_workspace_inside_a_hidden_folder_is_refused(tree: Tree) -> None:
    with pytest.raises(SandboxSpecError, match="which sandboxes never see"):
        plan(spec(tree, hidden=(tree.root,)))


@pytest.mark.parametrize(
    ("field", "what"),
    [("workspace", "workspace"), ("writable_roots", "writable root"), ("cwd", "working directory")],
)
def test_missing_folders_are_named(tree: Tree, field: str, what: str) -> None:
    missing = tree.root / "missing"
    value: object = (missing,) if field == "writable_roots" else missing
    with pytest.raises(SandboxSpecError, match=f"the {what} {missing} does not exist"):
        plan(SandboxSpec(**{"workspace": tree.workspace, field: value}))  # type: ignore[arg-type]


def test_a_working_directory_under_the_private_tmp_is_refused(tree: Tree, tmp_path: Path) -> None:
    with pytest.raises(SandboxSpecError, match="not visible inside the sandbox"):
        plan(spec(tree, cwd=tmp_path))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "yolo"}, "unknown sandbox mode"),
        ({"network": "on"}, "unknown network"),
        ({"network": "proxy"}, "proxy_socket is needed"),
        ({"proxy_socket": Path("/s")}, "proxy_socket is needed"),
        ({"protected": ("/etc",)}, "must be relative"),
        ({"protected": ("../x",)}, "must be relative"),
    ],
)
def test_invalid_specs(tree: Tree, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SandboxSpecError, match=message):
        spec(tree, **kwargs)


def test_modes_match_the_config_vocabulary() -> None:
    from typing import get_args

    from gate.config import SandboxMode

    assert get_args(SandboxMode) == MODES
