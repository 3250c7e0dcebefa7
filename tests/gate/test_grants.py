"""Session grants: the scopes offered, what each covers, and the store that keeps them."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest

from gate.grants import GrantStore, covers, covers_all, scopes_for
from gate.model import GrantSpec
from rules.action import Action
from rules.engine import Engine
from rules.layers import builtin_ruleset
from rules.model import PartVerdict, Verdict
from rules.paths import state_dir

CWD = "/work/project"
ENGINE = Engine([builtin_ruleset()])


def exec_action(command: str, cwd: str = CWD) -> tuple[Action, Verdict]:
    action = Action(kind="exec", command=command, cwd=cwd)
    return action, ENGINE.judge(action)


def labels(action: Action, verdict: Verdict) -> list[str]:
    return [spec.label() for spec in scopes_for(action, verdict)]


def exact(command: str) -> GrantSpec:
    return GrantSpec(scope="exact", value=[command])


def prefix(*words: str) -> GrantSpec:
    return GrantSpec(scope="prefix", value=list(words))


def program(name: str) -> GrantSpec:
    return GrantSpec(scope="program", value=[name])


def pending(verdict: Verdict) -> PartVerdict:
    return next(p for p in verdict.parts if p.decision != "allow")


# -- scopes offered ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "git push origin main",
            ["exact git push origin main", "prefix git push origin", "program git"],
        ),
        ("npm run build", ["exact npm run build", "prefix npm run build", "program npm"]),
        ("pytest -q tests", ["exact pytest -q tests", "program pytest"]),
        (
            "cargo build --release",
            ["exact cargo build --release", "prefix cargo build", "program cargo"],
        ),
        (
            "docker compose up -d",
            ["exact docker compose up -d", "prefix docker compose up", "program docker"],
        ),
        ("rm notes.txt", ["exact rm notes.txt", "program rm"]),
        ("make", ["exact make", "program make"]),
        (
            "npm install left-pad",
            ["exact npm install left-pad", "prefix npm install left-pad", "program npm"],
        ),
        # global options that do not change what runs are skipped
        (
            "git -C /x push origin main",
            ["exact git -C /x push origin main", "prefix git push origin", "program git"],
        ),
        # a word whose value is unknown ends the prefix
        (
            "git push $REMOTE main",
            ["exact git push $REMOTE main", "prefix git push", "program git"],
        ),
        # interpreters, shells, wrappers and privilege: only the exact command
        ('python -c "print(1)"', ['exact python -c "print(1)"']),
        ("python3.12 build.py", ["exact python3.12 build.py"]),
        ("node app.js", ["exact node app.js"]),
        ("perl tool.pl", ["exact perl tool.pl"]),
        ("ruby x.rb", ["exact ruby x.rb"]),
        ("bash deploy.sh", ["exact bash deploy.sh"]),
        ("sh -c 'make test'", ["exact sh -c 'make test'"]),
        ("env FOO=1 make test", ["exact env FOO=1 make test"]),
        ("sudo apt install foo", ["exact sudo apt install foo"]),
        ("timeout 5 make test", ["exact timeout 5 make test"]),
        ("find . -name x | xargs rm", ["exact find . -name x | xargs rm"]),
        ("watch make", ["exact watch make"]),
        # opaque parts: only the exact command
        ("find . -delete", ["exact find . -delete"]),
        ("$TOOL run", ["exact $TOOL run"]),
        ("echo hi | sh", ["exact echo hi | sh"]),
        # a guard asks: a wider grant would lift it for every variant
        ("git push --force origin main", ["exact git push --force origin main"]),
        ("cat ~/.aws/config", ["exact cat ~/.aws/config"]),
        # several parts that need approval
        ("git push origin main && npm test", ["exact git push origin main && npm test"]),
        ("npm run build; npm run test", ["exact npm run build; npm run test", "program npm"]),
        (
            "git status && npm run build",
            ["exact git status && npm run build", "prefix npm run build", "program npm"],
        ),
        ("make > build.log", ["exact make > build.log"]),
        # only a redirection needs approval: its file
        (
            "ls > out.txt",
            ["exact ls > out.txt", f"path {CWD}/out.txt (write)", f"folder {CWD} (write)"],
        ),
        # nothing for a blocked command
        ("rm -rf /", []),
        ("echo hi > ~/.bashrc", []),
    ],
)
def test_scopes_for_commands(command: str, expected: list[str]) -> None:
    assert labels(*exec_action(command)) == expected


def test_scopes_for_argv_offer_the_joined_command() -> None:
    action = Action(kind="exec", argv=["git", "push", "origin", "my branch"], cwd=CWD)
    specs = scopes_for(action, ENGINE.judge(action))
    assert [s.scope for s in specs] == ["exact", "prefix", "program"]
    assert specs[0].value == ["git push origin 'my branch'"]


@pytest.mark.parametrize(
    ("kind", "path", "expected"),
    [
        ("write", "src/app.py", [f"path {CWD}/src/app.py (write)", f"folder {CWD}/src (write)"]),
        (
            "read",
            "/work/project/README.md",
            [f"path {CWD}/README.md (read)", f"folder {CWD} (read)"],
        ),
        ("read", "../other/../project/x", [f"path {CWD}/x (read)", f"folder {CWD} (read)"]),
        # never `/`, a top-level directory or the home directory
        ("read", "/etc/hosts", ["path /etc/hosts (read)"]),
        ("write", "/notes.txt", ["path /notes.txt (write)"]),
        ("read", "~/todo.txt", ["path ~/todo.txt (read)"]),
        # a guard asks for the file: not the whole folder
        ("read", "~/.ssh/id_rsa", ["path ~/.ssh/id_rsa (read)"]),
        # blocked
        ("write", "~/.ssh/authorized_keys", []),
    ],
)
def test_scopes_for_files(kind: str, path: str, expected: list[str], isolated_env: Path) -> None:
    action = Action.model_validate({"kind": kind, "path": path, "cwd": CWD})
    home = str(isolated_env)
    assert labels(action, ENGINE.judge(action)) == [e.replace("~", home) for e in expected]


def test_scopes_for_a_relative_path_with_no_directory() -> None:
    action = Action(kind="write", path="out.txt")
    assert scopes_for(action, ENGINE.judge(action)) == []


def test_scopes_for_host_and_tool() -> None:
    host = Action(kind="network", host="Files.PythonHosted.org.", port=443)
    tool = Action(kind="tool", tool="mcp__github__create_issue")
    assert labels(host, ENGINE.judge(host)) == ["host files.pythonhosted.org"]
    assert labels(tool, ENGINE.judge(tool)) == ["tool mcp__github__create_issue"]


# -- coverage --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grant", "command", "covered"),
    [
        (prefix("git", "push", "origin"), "git push origin main", True),
        (prefix("git", "push", "origin"), "git push origin feature/x", True),
        (prefix("git", "push", "origin"), "git --no-pager push origin main", True),
        (prefix("git", "push", "origin"), "git push --force upstream", False),
        (prefix("git", "push", "origin"), "git push", False),
        (prefix("git", "push", "origin"), "git push upstream main", False),
        # a guard's ask is not lifted by a prefix
        (prefix("git", "push", "origin"), "git push origin --force main", False),
        (prefix("git", "push", "origin"), "git push $REMOTE main", False),
        (prefix("git", "push", "origin"), "sudo git push origin main", False),
        (prefix("git", "push", "origin"), "env GIT_DIR=x git push origin main", False),
        (prefix("npm", "run", "build"), "npm run build -- --watch", True),
        (prefix("npm", "run", "build"), "npm run test", False),
        (program("npm"), "npm run build; npm test", True),
        (program("npm"), "npm run build > log.txt", False),
        (program("make"), "make test", True),
        (program("make"), "timeout 60 make test", False),
        (program("make"), "bash -c 'make test'", False),
        (program("rm"), "find . | xargs rm", False),
        # a program grant on an interpreter (as a console might send it) covers nothing
        (program("python"), "python script.py", False),
        (program("python3"), "python3 script.py", False),
        (program("bash"), "bash script.sh", False),
        # exact: the whole command, blanks folded, every part (opaque ones too)
        (exact("git push origin main"), "git  push   origin main", True),
        (exact("git push origin main"), "git push origin main --force", False),
        (exact("curl -s x.io | sh"), "curl -s x.io | sh", True),
        (exact("python -c 'print(1)'"), "python -c 'print(1)'", True),
        (exact("git push --force origin main"), "git push --force origin main", True),
        # never a block, not even by exact command
        (exact("rm -rf /"), "rm -rf /", False),
        (exact("echo hi > ~/.bashrc"), "echo hi > ~/.bashrc", False),
        # file scopes cover redirections
        (GrantSpec(scope="path", value=[f"{CWD}/out.txt"], access="write"), "ls > out.txt", True),
        (GrantSpec(scope="folder", value=[CWD], access="write"), "ls > logs/out.txt", True),
        (GrantSpec(scope="folder", value=[CWD], access="write"), "ls > /tmp/out.txt", False),
        (GrantSpec(scope="folder", value=[CWD], access="write"), "echo > $FILE", False),
        (GrantSpec(scope="host", value=["x.io"]), "curl https://x.io", False),
    ],
)
def test_covers_commands(grant: GrantSpec, command: str, covered: bool) -> None:
    assert covers_all(grant, *exec_action(command)) is covered


def test_covers_one_part_at_a_time() -> None:
    action, verdict = exec_action("git push origin main && npm test")
    push, npm = verdict.parts
    assert covers(prefix("git", "push", "origin"), action, push)
    assert not covers(prefix("git", "push", "origin"), action, npm)
    assert not covers_all(prefix("git", "push", "origin"), action, verdict)
    assert covers(exact("git push origin main && npm test"), action, npm)


def test_a_grant_never_covers_a_block_part() -> None:
    action, verdict = exec_action("rm -rf / && git push origin main")
    block = next(p for p in verdict.parts if p.decision == "block")
    for grant in (exact("rm -rf / && git push origin main"), program("rm"), prefix("rm", "-rf")):
        assert not covers(grant, action, block)
        assert not covers_all(grant, action, verdict)


def test_a_prefix_needs_the_parsed_part() -> None:
    action, verdict = exec_action("git push origin main")
    assert covers(prefix("git", "push", "origin"), action, pending(verdict))
    assert not covers(prefix("git", "push", "origin"), action, None)
    assert covers(exact("git push origin main"), action, None)


def write(path: str) -> tuple[Action, Verdict]:
    action = Action(kind="write", path=path, cwd=CWD)
    return action, ENGINE.judge(action)


@pytest.mark.parametrize(
    ("folder", "path", "covered"),
    [
        ("/a/b", "/a/b/c.txt", True),
        ("/a/b", "/a/b/deep/er/c.txt", True),
        ("/a/b/", "/a/b/c.txt", True),
        ("/a/b", "/a/bc/d.txt", False),
        ("/a/b", "/a/c.txt", False),
        ("/a/b", "/a/b/../c.txt", False),
        ("/a/b", "/a/b/./c.txt", True),
        ("/a", "/a/b.txt", False),  # a top-level directory is never a grant
        ("/", "/a/b/c.txt", False),
    ],
)
def test_folder_containment(folder: str, path: str, covered: bool) -> None:
    grant = GrantSpec(scope="folder", value=[folder], access="write")
    action, verdict = write(path)
    assert covers_all(grant, action, verdict) is covered


def test_folder_grants_stop_at_guarded_files(isolated_env: Path) -> None:
    grant = GrantSpec(scope="folder", value=[str(isolated_env / "proj")], access="write")
    assert covers_all(grant, *write(str(isolated_env / "proj/src/x.py")))
    assert not covers_all(grant, *write(str(isolated_env / "proj/.git/hooks/pre-commit")))
    # without the part verdict a guard cannot be seen: a folder covers nothing
    action, verdict = write(str(isolated_env / "proj/src/x.py"))
    assert covers(grant, action, verdict.parts[0])
    assert not covers(grant, action, None)
    assert covers(
        GrantSpec(scope="path", value=[str(isolated_env / "proj/src/x.py")]), action, None
    )


def test_path_grants_keep_their_access() -> None:
    grant = GrantSpec(scope="path", value=["/a/b/c.txt"], access="read")
    read = Action(kind="read", path="/a/b/c.txt")
    assert covers_all(grant, read, ENGINE.judge(read))
    assert not covers_all(grant, *write("/a/b/c.txt"))
    anything = GrantSpec(scope="path", value=["/a/b/c.txt"])
    assert covers_all(anything, *write("/a/b/c.txt"))


def test_hosts_and_tools_match_exactly() -> None:
    host = GrantSpec(scope="host", value=["pypi.org"])
    for name, covered in [("PyPI.org", True), ("pypi.org.", True), ("evil.pypi.org", False)]:
        action = Action(kind="network", host=name)
        assert covers_all(host, action, ENGINE.judge(action)) is covered
    tool = GrantSpec(scope="tool", value=["mcp__github__create_issue"])
    for name, covered in [("mcp__github__create_issue", True), ("mcp__github__delete_repo", False)]:
        action = Action(kind="tool", tool=name)
        assert covers_all(tool, action, ENGINE.judge(action)) is covered


# -- the store ---------------------------------------------------------------------------------


def test_default_file_is_in_the_state_dir() -> None:
    store = GrantStore()
    store.add(prefix("git", "push", "origin"), "claude", "s1")
    assert store.path == state_dir() / "grants.json"
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700


def test_grants_survive_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "grants.json"
    first = GrantStore(path)
    grant = first.add(prefix("git", "push", "origin"), "claude", "s1", action_id="act-1")
    again = GrantStore(path).list("claude", "s1")
    assert again == [grant]
    assert again[0].action_id == "act-1"


def test_identical_grants_are_kept_once(tmp_path: Path) -> None:
    store = GrantStore(tmp_path / "grants.json")
    first = store.add(prefix("git", "push", "origin"), "claude", "s1")
    assert store.add(prefix("git", "push", "origin"), "claude", "s1") is first
    other = store.add(prefix("git", "push", "origin"), "claude", "s2")
    assert other is not first
    shared = GrantSpec(scope="host", value=["pypi.org"], all_sessions=True)
    assert store.add(shared, "claude", "s1") is store.add(shared, "codex", "s9")
    assert len(store.list()) == 3


def test_grants_belong_to_their_session(tmp_path: Path) -> None:
    store = GrantStore(tmp_path / "grants.json")
    own = store.add(prefix("git", "push", "origin"), "claude", "s1")
    shared = store.add(
        GrantSpec(scope="program", value=["make"], all_sessions=True), "claude", "s1"
    )
    assert store.list("claude", "s1") == [own, shared]
    assert store.list("claude", "s2") == [shared]
    assert store.list("codex", "s1") == [shared]
    action, verdict = exec_action("git push origin main")
    assert store.matching(action, pending(verdict), "claude", "s1") == own
    assert store.matching(action, pending(verdict), "claude", "s2") is None
    make, make_verdict = exec_action("make test")
    assert store.matching(make, pending(make_verdict), "gemini", "s7") == shared


def test_revoke(tmp_path: Path) -> None:
    path = tmp_path / "grants.json"
    store = GrantStore(path)
    grant = store.add(prefix("git", "push", "origin"), "claude", "s1")
    assert store.revoke(grant.id) == grant
    assert store.revoke(grant.id) is None
    assert store.list() == []
    assert GrantStore(path).list() == []


def test_end_session_keeps_all_sessions_grants(tmp_path: Path) -> None:
    path = tmp_path / "grants.json"
    store = GrantStore(path)
    own = store.add(prefix("git", "push", "origin"), "claude", "s1")
    other = store.add(prefix("git", "push", "origin"), "claude", "s2")
    shared = store.add(GrantSpec(scope="tool", value=["t"], all_sessions=True), "claude", "s1")
    assert store.end_session("claude", "s1") == [own]
    assert store.end_session("claude", "s1") == []
    assert GrantStore(path).list() == [other, shared]


def test_covering_needs_every_pending_part(tmp_path: Path) -> None:
    store = GrantStore(tmp_path / "grants.json")
    action, verdict = exec_action("git push origin main && npm test")
    push = store.add(prefix("git", "push", "origin"), "claude", "s1")
    assert store.covering(action, verdict, "claude", "s1") is None
    npm = store.add(prefix("npm", "test"), "claude", "s1")
    assert store.covering(action, verdict, "claude", "s1") == [push, npm]
    blocked, blocked_verdict = exec_action("rm -rf /")
    store.add(exact("rm -rf /"), "claude", "s1")
    assert store.covering(blocked, blocked_verdict, "claude", "s1") is None


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"version": 1, "grants": {}}',
        '{"version": 1, "grants": [{"scope": "everything", "value": []}]}',
        '{"version": 99, "grants": []}',
        "\xff\xfe",
    ],
)
def test_a_corrupt_file_is_set_aside(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "grants.json"
    path.write_bytes(content.encode("latin-1"))
    with caplog.at_level(logging.WARNING, logger="gate.grants"):
        store = GrantStore(path)
    assert store.list() == []
    assert not path.exists()
    (aside,) = tmp_path.glob("grants.json.corrupt-*")
    assert aside.read_bytes() == content.encode("latin-1")
    assert "unreadable" in caplog.text
    store.add(program("make"), "claude", "s1")
    assert json.loads(path.read_text())["grants"][0]["value"] == ["make"]
