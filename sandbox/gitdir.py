"""The parts of a git repository that decide what code git runs, beyond `.git/hooks` and config."""

from __future__ import annotations

import os
import re
from pathlib import Path

# `[core]`, `[remote "origin"]`; a key may follow the header on the same line.
SECTION = re.compile(r'^\s*\[\s*([A-Za-z0-9.-]+)(?:\s+"(?:[^"\\]|\\.)*")?\s*\](.*)$')
HOOKS_PATH = re.compile(r"^\s*hookspath\s*=\s*(.*?)\s*$", re.IGNORECASE)


def git_code_paths(root: Path) -> list[Path]:
    """Existing paths in `root`'s repository that decide what git runs, to be kept read-only.

    A `.git` file (worktree, submodule) is kept as it is, so it cannot be pointed at a git
    directory full of hooks; a `core.hooksPath` folder (husky's `.husky/_`) is kept like
    `.git/hooks`.
    """
    dotgit = root / ".git"
    if dotgit.is_file() and not dotgit.is_symlink():
        return [dotgit]
    config = dotgit / "config"
    if not config.is_file():
        return []
    hooks = hooks_path(config.read_text(errors="replace"))
    if not hooks:
        return []
    target = Path(os.path.expanduser(hooks))
    target = Path(os.path.realpath(target if target.is_absolute() else root / target))
    return [target] if target.exists() else []


def hooks_path(config: str) -> str | None:
    """The last `core.hooksPath` a git config file sets, or None (includes are not followed)."""
    section, found = "", None
    for line in config.splitlines():
        header = SECTION.match(line)
        if header:
            section, line = header.group(1).lower(), header.group(2)
        match = HOOKS_PATH.match(line) if section == "core" else None
        if match:
            found = _value(match.group(1))
    return found


def _value(raw: str) -> str:
    """A git config value without its comment and quotes (escapes other than `\\"` are kept)."""
    out, quoted = [], False
    chars = iter(raw)
    for char in chars:
        if char == "\\":
            out.append(next(chars, ""))
        elif char == '"':
            quoted = not quoted
        elif char in "#;" and not quoted:
            break
        else:
            out.append(char)
    return "".join(out).strip()
