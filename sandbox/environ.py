"""The environment of a sandboxed command: a short allowlist, names passed on purpose, no secret."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

ALLOWED = frozenset({"PATH", "HOME", "LANG", "TERM", "USER", "SHELL", "TZ"})
ALLOWED_PREFIXES = ("LC_",)
SECRET = re.compile(
    r"TOKEN|SECRET|KEY|PASS|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|SIGNATURE|CERT", re.IGNORECASE
)


def looks_secret(name: str) -> bool:
    """Whether a variable's name suggests it holds a secret (`GITHUB_TOKEN`, `LC_API_KEY`)."""
    return SECRET.search(name) is not None


def sandbox_env(parent: Mapping[str, str], passthrough: Iterable[str], cwd: Path) -> dict[str, str]:
    """The environment for a sandboxed command.

    Args:
        parent: The environment Warden runs in.
        passthrough: Names passed in when set in `parent`, even if they look secret (an agent
            profile naming its own API key).
        cwd: The command's working directory, given as `PWD`.

    Returns:
        The allowlisted variables that do not look secret, the passthrough names, and `PWD`.
    """
    env = {
        name: value
        for name, value in parent.items()
        if (name in ALLOWED or name.startswith(ALLOWED_PREFIXES)) and not looks_secret(name)
    }
    env.update({name: parent[name] for name in passthrough if name in parent})
    env["PWD"] = str(cwd)
    return env
