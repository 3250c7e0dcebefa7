"""Grant scopes: which a person may approve for a session, and which parts of an action they cover.

Narrow scopes (exact command, path, host, tool) name one thing the person saw and lift any
`ask`. Broad scopes (command prefix, program, folder) never lift the `ask` of a built-in guard
or a requirement, never reach a part run through a wrapper, a shell or an interpreter, nor an
opaque part. No scope lifts a `block`.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from pathlib import PurePosixPath
from typing import Literal

from gate.model import GrantSpec
from rules.action import Action
from rules.globs import expand, home
from rules.matching import normalize_command, prefix_words
from rules.model import PartVerdict, Verdict
from rules.programs import (
    COMMAND_RUNNERS,
    INLINE_CODE_OPTIONS,
    INTERPRETER_NAME,
    SHELLS,
    STDIN_INTERPRETERS,
    WRAPPERS,
    interpreter_family,
)
from rules.shell import Part

MAX_PREFIX_WORDS = 3
# A word that reads as a subcommand or a name (`push`, `origin`, `build:prod`), not an
# option, a path, a file name, a URL or a long value.
_SUBCOMMAND = re.compile(r"[A-Za-z0-9][A-Za-z0-9_:@+-]{0,31}")
# Programs that run code or other commands: a grant on their name would grant anything.
_CODE_RUNNERS = (
    SHELLS
    | frozenset(WRAPPERS)
    | frozenset(INLINE_CODE_OPTIONS)
    | STDIN_INTERPRETERS
    | COMMAND_RUNNERS
)
_HELD_BY = ("builtin", "requirements")
_BROAD = ("prefix", "program", "folder")


def command_text(action: Action) -> str:
    """The command string of an exec action (an argv joined as the rules engine joins it)."""
    return action.command if action.command is not None else shlex.join(action.argv or [])


def scopes_for(action: Action, verdict: Verdict) -> list[GrantSpec]:
    """The scopes a person may approve "for this session", narrowest first.

    A scope is offered only when it covers every part of the action that needs approval;
    the exact command is always offered for a command. A blocked action gets none.

    Args:
        action: the pending action.
        verdict: the rules' verdict on it.

    Returns:
        Grant specs to choose from; the console preselects the first.
    """
    if verdict.decision == "block":
        return []
    match action.kind:
        case "exec":
            exact = GrantSpec(scope="exact", value=[command_text(action)])
            candidates = _part_specs(verdict)
            return [exact, *(s for s in candidates if covers_all(s, action, verdict))]
        case "read" | "write":
            assert action.path is not None
            candidates = _path_specs(action.path, action.cwd, action.kind)
        case "network":
            assert action.host is not None
            candidates = [GrantSpec(scope="host", value=[_host(action.host)])]
        case _:
            assert action.tool is not None
            candidates = [GrantSpec(scope="tool", value=[action.tool])]
    return [spec for spec in candidates if covers_all(spec, action, verdict)]


def _part_specs(verdict: Verdict) -> list[GrantSpec]:
    """Candidate scopes from the first file part and the first command part needing approval."""
    pending = [p.part for p in verdict.parts if p.decision == "ask" and p.part is not None]
    specs: list[GrantSpec] = []
    first_file = next((p for p in pending if p.kind != "exec" and p.path), None)
    if first_file is not None and first_file.path is not None:
        specs.extend(_path_specs(first_file.path, first_file.cwd, first_file.kind))
    first_command = next((p for p in pending if p.kind == "exec"), None)
    if first_command is not None:
        specs.extend(_command_specs(first_command))
    return specs


def _command_specs(part: Part) -> list[GrantSpec]:
    """The program plus its subcommand words (at most three), and the program alone."""
    words, dynamic = prefix_words(part)
    if not words:
        return []
    kept = [words[0]]
    for word, unknown in zip(words[1:], dynamic[1:], strict=True):
        if len(kept) == MAX_PREFIX_WORDS or unknown or not _SUBCOMMAND.fullmatch(word):
            break
        kept.append(word)
    program = GrantSpec(scope="program", value=[words[0]])
    return [GrantSpec(scope="prefix", value=kept), program] if len(kept) > 1 else [program]


def _path_specs(path: str, cwd: str | None, access: str) -> list[GrantSpec]:
    """The exact path and, when it is not too wide, its folder (`access`: read or write)."""
    full = _absolute(path, cwd)
    if full is None:
        return []
    rw: Literal["read", "write"] = "read" if access == "read" else "write"
    specs = [GrantSpec(scope="path", value=[full], access=rw)]
    folder = posixpath.dirname(full)
    if _folder_allowed(folder):
        specs.append(GrantSpec(scope="folder", value=[folder], access=rw))
    return specs


def covers(grant: GrantSpec, action: Action, part: PartVerdict | None) -> bool:
    """Whether a grant covers one part of an action.

    Args:
        grant: the grant's scope and value.
        action: the action.
        part: the verdict on one part, for every kind of action (for an exec action it
            carries the parsed part). None judges the whole action blind to a `block` or a
            guard's `ask`: then only the narrow scopes (exact, path, host, tool) can cover it.

    Returns:
        True when the grant covers the part. Never for a `block` part.
    """
    if part is not None and part.decision == "block":
        return False
    if grant.scope == "exact":
        return (
            action.kind == "exec"
            and len(grant.value) == 1
            and normalize_command(command_text(action)) == normalize_command(grant.value[0])
        )
    if grant.scope in _BROAD and (part is None or _held(part)):
        return False
    match grant.scope:
        case "prefix" | "program":
            return _covers_command(grant, action, part)
        case "path" | "folder":
            return _covers_path(grant, action, part)
        case "host":
            return (
                action.kind == "network"
                and action.host is not None
                and grant.value == [_host(action.host)]
            )
        case _:
            return action.kind == "tool" and grant.value == [action.tool]


def covers_all(grant: GrantSpec, action: Action, verdict: Verdict) -> bool:
    """Whether a grant covers every part of an action that needs approval (and none blocks)."""
    if verdict.decision == "block":
        return False
    pending = [p for p in verdict.parts if p.decision != "allow"]
    return bool(pending) and all(covers(grant, action, p) for p in pending)


def _held(part: PartVerdict) -> bool:
    """True when a built-in guard or a requirement (not "no rule matched") asks for the part."""
    return part.decision != "allow" and part.source in _HELD_BY


def _covers_command(grant: GrantSpec, action: Action, verdict: PartVerdict | None) -> bool:
    if action.kind != "exec" or verdict is None or verdict.part is None or verdict.opaque:
        return False
    part = verdict.part
    if part.kind != "exec" or not _plain_program(part):
        return False
    if grant.scope == "program" and len(grant.value) != 1:
        return False
    words, dynamic = prefix_words(part)
    size = len(grant.value)
    return size > 0 and list(words[:size]) == grant.value and not any(dynamic[:size])


def _plain_program(part: Part) -> bool:
    """A part a prefix or program grant may cover: seen through, run directly, not code."""
    if part.opaque or part.via or "privilege" in part.signals or not part.argv:
        return False
    if part.dynamic[0]:
        return False
    name = posixpath.basename(part.program)
    return not (interpreter_family(name) in _CODE_RUNNERS or INTERPRETER_NAME.match(name))


def _covers_path(grant: GrantSpec, action: Action, verdict: PartVerdict | None) -> bool:
    target = _target(action, verdict)
    if target is None or len(grant.value) != 1:
        return False
    full, access = target
    if grant.access is not None and grant.access != access:
        return False
    root = _absolute(grant.value[0], None)
    if root is None:
        return False
    if grant.scope == "path":
        return full == root
    return _folder_allowed(root) and PurePosixPath(full).is_relative_to(root)


def _target(action: Action, verdict: PartVerdict | None) -> tuple[str, str] | None:
    """The absolute path and access a read/write action, or a redirection part, touches."""
    if action.kind in ("read", "write"):
        assert action.path is not None
        full = _absolute(action.path, action.cwd)
        return (full, action.kind) if full else None
    if action.kind != "exec" or verdict is None or verdict.part is None or verdict.opaque:
        return None
    part = verdict.part
    if part.kind == "exec" or part.opaque or not part.path:
        return None
    full = _absolute(part.path, part.cwd)
    return (full, part.kind) if full else None


def _absolute(path: str, cwd: str | None) -> str | None:
    """The absolute, normalised path; None for a relative path with no known directory."""
    full = expand(path, cwd)
    return None if full.startswith("/?") else full


def _folder_allowed(folder: str) -> bool:
    """False for `/`, a top-level directory (`/etc`, `/usr`), the home directory or above."""
    if folder.count("/") < 2:
        return False
    home_dir = posixpath.normpath(home())
    return folder != home_dir and not home_dir.startswith(folder + "/")


def _host(host: str) -> str:
    return host.lower().rstrip(".")
