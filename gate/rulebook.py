"""The rules in force for the gate: one engine per project, reloaded when a file changes."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rules.engine import Engine
from rules.errors import RulesFileError
from rules.layers import Layers, find_project_rules, load_layers
from rules.model import RuleSet
from rules.paths import requirements_file, trust_file, user_rules_file

log = logging.getLogger(__name__)


@dataclass
class Rulebook:
    """Builds and caches engines; a broken file never replaces the rules in force.

    Args:
        extra: rules files added as an extra user-level layer (`warden serve --rules`).
        guards_off: ids of built-in guards the config switches off.
        allow: allow layers added to every engine (the network presets switched on); a
            block rule still wins over them.
        agent_allow: an allow layer per agent name (an agent profile's hosts), added to the
            engine that judges that agent's actions.
    """

    extra: Sequence[Path] = ()
    guards_off: frozenset[str] = frozenset()
    allow: Sequence[RuleSet] = ()
    agent_allow: Mapping[str, RuleSet] = field(default_factory=dict)
    engines: dict[Path | None, tuple[tuple[float, ...], Engine, Layers]] = field(
        default_factory=dict
    )
    problems: list[str] = field(default_factory=list)
    recheck_s: float = 1.0
    checked: dict[str | None, tuple[float, Engine]] = field(default_factory=dict)
    by_agent: dict[tuple[Engine, str], Engine] = field(default_factory=dict)

    def engine_for(self, cwd: str | None, agent: str | None = None) -> Engine:
        """The engine for an action's directory (its trusted project rules included).

        With `agent` naming a profile that allows hosts, those hosts are allowed too.

        Files are looked at again at most every `recheck_s` seconds per directory: an edit
        to a rules file takes effect within that time, and a busy gate does not stat every
        file for every action.

        Raises:
            RulesFileError: the very first load of these files fails (nothing in force yet).
        """
        now = time.monotonic()
        recent = self.checked.get(cwd)
        if recent is not None and now - recent[0] < self.recheck_s:
            return self._for_agent(recent[1], agent)
        engine = self._current(cwd)
        self.checked[cwd] = (now, engine)
        return self._for_agent(engine, agent)

    def _for_agent(self, engine: Engine, agent: str | None) -> Engine:
        layer = self.agent_allow.get(agent) if agent is not None else None
        if layer is None:
            return engine
        key = (engine, layer.file)
        found = self.by_agent.get(key)
        if found is None:
            if len(self.by_agent) > 64:
                self.by_agent.clear()  # engines of files since reloaded
            found = Engine([*engine.rulesets, layer], guards_off=self.guards_off)
            self.by_agent[key] = found
        return found

    def _current(self, cwd: str | None) -> Engine:
        project = find_project_rules(Path(cwd)) if cwd else None
        stamp = self._stamp(project)
        cached = self.engines.get(project)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            layers = load_layers(cwd, list(self.extra))
        except RulesFileError as exc:
            if cached is None:
                raise
            message = f"{exc} — the rules in force stay in force"
            if message not in self.problems:
                self.problems.append(message)
                log.warning("%s", message)
            return cached[1]
        engine = Engine([*layers.rulesets, *self.allow], guards_off=self.guards_off)
        self.engines[project] = (stamp, engine, layers)
        return engine

    def layers_for(self, cwd: str | None) -> Layers:
        """The layers behind `engine_for(cwd)` (for approve-always and the console)."""
        self._current(cwd)
        project = find_project_rules(Path(cwd)) if cwd else None
        return self.engines[project][2]

    def reload(self) -> None:
        """Forget every cached engine: the next action reads the files again."""
        self.engines.clear()
        self.checked.clear()

    def _stamp(self, project: Path | None) -> tuple[float, ...]:
        files = [user_rules_file(), requirements_file(), trust_file(), *self.extra]
        if project is not None:
            files.append(project)
        return tuple(_mtime(path) for path in files)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime_ns / 1e9
    except OSError:
        return -1.0
