"""Risk signals: plain tags that say what an action may do, for the reviewer and the console."""

from __future__ import annotations

from collections.abc import Sequence

from rules.globs import expand
from rules.matching import operands
from rules.model import Rule
from rules.programs import SECRET_VARIABLE, option_set
from rules.shell import Part

NETWORK_PROGRAMS = frozenset(
    {
        "curl",
        "wget",
        "ssh",
        "scp",
        "sftp",
        "rsync",
        "nc",
        "ncat",
        "netcat",
        "socat",
        "telnet",
        "ftp",
        "tftp",
        "ping",
        "dig",
        "nslookup",
        "host",
        "aria2c",
        "http",
        "https",
        "xh",
        "mosh",
        "autossh",
        "lftp",
        "smbclient",
        "openssl",
        "nmap",
        "whois",
        "traceroute",
    }
)
NETWORK_SUBCOMMANDS = frozenset(
    {
        "git push",
        "git pull",
        "git fetch",
        "git clone",
        "git ls-remote",
        "git submodule",
        "pip install",
        "pip download",
        "pip3 install",
        "npm install",
        "npm i",
        "npm ci",
        "npm publish",
        "yarn add",
        "yarn install",
        "pnpm install",
        "pnpm add",
        "cargo install",
        "cargo publish",
        "go get",
        "go install",
        "gem install",
        "docker pull",
        "docker push",
        "docker login",
        "apt install",
        "apt-get install",
        "apt update",
        "apt-get update",
        "brew install",
        "gh",
        "twine upload",
        "uv add",
        "uv pip",
        "poetry add",
        "poetry publish",
    }
)
PUBLISHES = frozenset(
    {
        "git push",
        "npm publish",
        "cargo publish",
        "twine upload",
        "docker push",
        "gh release",
        "gh pr",
        "gh issue",
        "poetry publish",
        "gem push",
        "helm push",
        "yarn publish",
        "pnpm publish",
        "uv publish",
    }
)
PERSISTENCE = frozenset(
    {
        "crontab",
        "at",
        "systemctl enable",
        "systemctl daemon-reload",
        "launchctl load",
        "update-rc.d",
        "chkconfig",
        "loginctl enable-linger",
    }
)
DELETES = frozenset({"rm", "rmdir", "shred", "unlink", "srm", "wipe"})
RECURSIVE = ("-r", "-R", "--recursive")


def _signals_by_name() -> dict[str, frozenset[str]]:
    """What a program or `program subcommand` tells by its name alone."""
    table: dict[str, frozenset[str]] = {}
    for names, signals in (
        (NETWORK_PROGRAMS | NETWORK_SUBCOMMANDS, {"network"}),
        (PUBLISHES, {"publishes", "network"}),
        (PERSISTENCE, {"persistence"}),
    ):
        for name in names:
            table[name] = table.get(name, frozenset()) | signals
    return table


_BY_NAME = _signals_by_name()


def part_signals(part: Part, cwd: str | None) -> set[str]:
    """Signals one part carries by what it runs or touches."""
    found = set(part.signals)
    if part.kind == "write" and part.path is not None:
        if outside(expand(part.path, part.cwd), cwd):
            found.add("writes-outside-workspace")
        return found
    if part.kind != "exec" or not part.argv:
        return found
    argv = part.argv
    found.update(_BY_NAME.get(argv[0], ()))
    if len(argv) > 1 and not part.dynamic[1]:
        found.update(_BY_NAME.get(f"{argv[0]} {argv[1]}", ()))
    args = part.argv[1:]
    if part.program in DELETES:
        found.add("deletes")
        if option_set(RECURSIVE).find(args):
            found.add("deletes-recursively")
    if part.program == "find" and "-delete" in args:
        found.update({"deletes", "deletes-recursively"})
    if True in part.dynamic and any(
        d and SECRET_VARIABLE.search(a) for a, d in zip(args, part.dynamic[1:], strict=False)
    ):
        found.add("secrets")
    return found


def outside(path: str, workspace: str | None) -> bool:
    """True when an absolute path lies outside the workspace (or the workspace is unknown)."""
    if path.startswith("/dev/"):
        return False
    if workspace is None:
        return True
    root = expand(workspace, None)
    return not (path == root or path.startswith(root.rstrip("/") + "/"))


def action_signals(
    parts: Sequence[Part],
    matched: Sequence[Rule],
    cwd: str | None,
    path: str | None = None,
    access: str | None = None,
) -> list[str]:
    """Every signal of an action: from its parts, the rules that matched, the path it writes."""
    found: set[str] = set()
    for part in parts:
        found |= part_signals(part, cwd)
        if part.kind == "exec" and part.program in DELETES:
            for arg in operands(part):
                if outside(expand(arg, part.cwd), cwd):
                    found.add("writes-outside-workspace")
    for rule in matched:
        found.update(rule.signals)
    if path is not None and access == "write" and outside(path, cwd):
        found.add("writes-outside-workspace")
    return sorted(found)
