"""The demo agent's script: a task, then JSON lines of actions, each with what the agent says."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.errors import SandboxSpecError

BUNDLED = Path(__file__).with_name("data") / "demo-scenario.jsonl"
KINDS = ("exec", "read", "write")
DEFAULT_PAUSE = 1.2
STEP_KEYS = frozenset({"say", "pause", "kind", "command", "path", "content", "edit", "network"})


class ScenarioError(SandboxSpecError):
    """A scenario line that cannot be replayed; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Step:
    """One action of the scenario.

    Attributes:
        say: The agent's turn before it acts (the reviewer and the console show it).
        kind: `exec`, `read` or `write`.
        pause: Seconds the agent "thinks" before acting.
        command: The shell command of an `exec` (`~` is the throwaway HOME).
        path: The file of a `read` or `write`: relative to the project, or under `~`.
        content: A `write`'s whole new content.
        edit: A `write` that replaces one exact text of the file with another (old, new).
        network: `host:port` the command reaches, asked on its behalf when nothing runs.
    """

    say: str
    kind: str
    pause: float = DEFAULT_PAUSE
    command: str | None = None
    path: str | None = None
    content: str | None = None
    edit: tuple[str, str] | None = None
    network: tuple[tuple[str, int], ...] = ()

    def target(self, home: Path, workspace: Path) -> Path:
        """The file a `read` or `write` names, made absolute in the throwaway dirs."""
        path = self.path or ""
        if path == "~" or path.startswith("~/"):
            return home / path[2:]
        return workspace / path

    def new_content(self, file: Path) -> tuple[str, str]:
        """A `write`'s new content and its unified diff against the file as it is now.

        Raises:
            ScenarioError: the edit's old text is not in the file.
        """
        before = file.read_text() if file.exists() else ""
        if self.edit is None:
            after = self.content or ""
        elif self.edit[0] in before:
            after = before.replace(self.edit[0], self.edit[1], 1)
        else:
            raise ScenarioError(f"{file}: the text {self.edit[0]!r} to replace is not there")
        name = self.path or file.name
        lines = difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            "/dev/null" if not file.exists() else f"a/{name}",
            f"b/{name}",
        )
        return after, "".join(lines)


@dataclass(frozen=True, slots=True)
class Scenario:
    """The user's task and the steps the agent takes for it."""

    task: str
    steps: tuple[Step, ...]


def load_scenario(path: Path = BUNDLED) -> Scenario:
    """Read a scenario: a first line `{"task": ...}`, then one step per line.

    Raises:
        ScenarioError: the file cannot be read, or a line is not a valid step.
    """
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise ScenarioError(f"cannot read the demo scenario {path}: {exc.strerror}") from exc
    task: str | None = None
    steps: list[Step] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ScenarioError(f"{where}: not JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise ScenarioError(f"{where}: a line must be a JSON object")
        if task is None:
            if not isinstance(record.get("task"), str) or len(record) != 1:
                raise ScenarioError(f'{where}: the first line must be {{"task": "..."}}')
            task = record["task"]
            continue
        steps.append(_step(record, where))
    if task is None or not steps:
        raise ScenarioError(f"{path}: a scenario needs a task line and at least one step")
    return Scenario(task, tuple(steps))


def _step(record: dict[str, Any], where: str) -> Step:
    unknown = sorted(set(record) - STEP_KEYS)
    if unknown:
        raise ScenarioError(f"{where}: unknown field(s) {', '.join(unknown)}")
    kind = record.get("kind")
    if kind not in KINDS:
        raise ScenarioError(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    needs = "command" if kind == "exec" else "path"
    if not isinstance(record.get(needs), str) or not record[needs]:
        raise ScenarioError(f"{where}: an {kind} step needs a {needs}")
    if kind != "exec" and not _inside(record["path"]):
        raise ScenarioError(
            f"{where}: a path must stay in the throwaway dirs: relative to the project, or "
            f"under ~/, without '..' (not {record['path']!r})"
        )
    if kind == "write" and ("content" in record) == ("edit" in record):
        raise ScenarioError(f"{where}: a write step needs either content or an edit")
    edit = record.get("edit")
    if edit is not None and not (
        isinstance(edit, dict) and set(edit) == {"old", "new"} and isinstance(edit["old"], str)
    ):
        raise ScenarioError(f'{where}: edit must be {{"old": "...", "new": "..."}}')
    pause = record.get("pause", DEFAULT_PAUSE)
    if not isinstance(pause, int | float) or pause < 0:
        raise ScenarioError(f"{where}: pause must be a number of seconds >= 0")
    return Step(
        say=str(record.get("say", "")),
        kind=kind,
        pause=float(pause),
        command=record.get("command"),
        path=record.get("path"),
        content=record.get("content"),
        edit=(edit["old"], str(edit["new"])) if edit else None,
        network=tuple(_host(h, where) for h in record.get("network", [])),
    )


def _host(value: Any, where: str) -> tuple[str, int]:
    host, _, port = str(value).rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ScenarioError(f"{where}: network entries are 'host:port', not {value!r}")
    return host, int(port)


def _inside(path: str) -> bool:
    relative = path[2:] if path.startswith("~/") else path
    return bool(relative) and not Path(relative).is_absolute() and ".." not in Path(relative).parts
