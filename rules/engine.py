"""The verdict procedure of DESIGN §3: each part judged, the strictest of what matched wins."""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection, Sequence
from typing import NamedTuple

from rules.action import Action
from rules.globs import expand
from rules.matching import RuleIndex, home_variable, operands, takes_effect
from rules.model import (
    STRICTNESS,
    CommandRule,
    Outcome,
    PartVerdict,
    Rule,
    RuleSet,
    Verdict,
    VerdictSource,
    strictest,
)
from rules.shell import Part, parse, parse_argv
from rules.signals import action_signals

LAYER_SOURCE: dict[str, VerdictSource] = {
    "builtin": "builtin",
    "requirements": "requirements",
    "user": "rules",
    "extra": "rules",
    "project": "rules",
}
# Which source a tie between equally strict rules is credited to.
LAYER_RANK = {"requirements": 0, "builtin": 1, "user": 2, "extra": 3, "project": 4}


class _Hit(NamedTuple):
    rule: Rule
    decision: Outcome
    why: str = ""


def _rank(hit: _Hit) -> tuple[int, int]:
    """Stricter first; between equals, the layer a tie is credited to."""
    return STRICTNESS[hit.decision], -LAYER_RANK[hit.rule.origin.layer]


def _settle(
    text: str,
    kind: str,
    hits: list[_Hit],
    opaque: str,
    needs_person: str = "",
    part: Part | None = None,
) -> PartVerdict:
    """A part's verdict from the rules that matched it (or the fallback when none did).

    With no rule, an opaque part, or one `needs_person` gives a reason for (privilege),
    is a real `ask` from the built-in rules rather than "unmatched".
    """
    if hits:
        top = hits[0] if len(hits) == 1 else max(hits, key=_rank)
        return PartVerdict(
            text=text,
            kind=kind,
            decision=top.decision,
            source=LAYER_SOURCE[top.rule.origin.layer],
            rule=top.rule.ref,
            opaque=bool(opaque),
            why=top.why or top.rule.reason or opaque,
            part=part,
        )
    if opaque or needs_person:
        return PartVerdict(
            text=text,
            kind=kind,
            decision="ask",
            source="builtin",
            opaque=bool(opaque),
            why=opaque or needs_person,
            part=part,
        )
    return PartVerdict(
        text=text, kind=kind, decision="ask", source="fallback", why="no rule matches", part=part
    )


class Engine:
    """Judges actions against layered rule sets.

    Args:
        rulesets: the layers in force (requirements, builtin, user, extra, project).
        guards_off: ids of built-in guards the user switched off in the config.
    """

    def __init__(self, rulesets: Sequence[RuleSet], guards_off: Collection[str] = ()) -> None:
        self.rulesets = list(rulesets)
        self.guards_off = frozenset(guards_off)
        self.index = RuleIndex(self.rules())

    def rules(self) -> list[Rule]:
        """Every rule in force, layer by layer, less the guards switched off."""
        return [
            rule
            for ruleset in self.rulesets
            for rule in ruleset.all()
            if not (rule.origin.layer == "builtin" and rule.id in self.guards_off)
        ]

    # -- entry points ----------------------------------------------------------------------
    def judge(self, action: Action) -> Verdict:
        """The rules' verdict on any kind of action."""
        match action.kind:
            case "exec":
                if action.command is not None:
                    return self.check_command(action.command, action.cwd)
                return self.check_argv(action.argv or [], action.cwd)
            case "read" | "write":
                assert action.path is not None
                return self.check_path(action.path, action.kind, action.cwd)
            case "network":
                assert action.host is not None
                return self.check_host(action.host, action.port)
            case _:
                assert action.tool is not None
                return self.check_tool(action.tool)

    def check_command(self, command: str, cwd: str | None = None) -> Verdict:
        """Judge a shell command string."""
        return self._judge_parts(command, parse(command, cwd), cwd)

    def check_argv(self, argv: Sequence[str], cwd: str | None = None) -> Verdict:
        """Judge a command given as an argv (no shell)."""
        return self._judge_parts(shlex.join(argv), parse_argv(argv, cwd), cwd)

    def check_path(self, path: str, access: str, cwd: str | None = None) -> Verdict:
        """Judge reading or writing a file."""
        full = expand(path, cwd, self.index.home)
        hits = [_Hit(r, r.decision) for r in self.index.path_hits(full, access)]
        part = _settle(f"{access} {path}", access, hits, "")
        return self._verdict([part], action_signals([], [h.rule for h in hits], cwd, full, access))

    def check_host(self, host: str, port: int | None = None) -> Verdict:
        """Judge a connection to a host."""
        hits = [_Hit(r, r.decision) for r in self.index.network_hits(host, port)]
        text = f"{host}:{port}" if port else host
        part = _settle(text, "network", hits, "")
        return self._verdict(
            [part], sorted({"network", *(s for h in hits for s in h.rule.signals)})
        )

    def check_tool(self, tool: str) -> Verdict:
        """Judge a tool call by the tool's name."""
        hits = [_Hit(r, r.decision) for r in self.index.tool_hits(tool)]
        part = _settle(tool, "tool", hits, "")
        return self._verdict([part], sorted({s for h in hits for s in h.rule.signals}))

    # -- commands --------------------------------------------------------------------------
    def _judge_parts(self, command: str, parts: list[Part], cwd: str | None) -> Verdict:
        verdicts: list[PartVerdict] = []
        matched: list[Rule] = []
        whole_exact = self.index.exact_hits(command)
        for part in parts:
            hits = self._part_hits(part, whole_exact)
            matched.extend(h.rule for h in hits)
            label = part.text if part.kind == "exec" else f"{part.kind} {part.path}"
            if part.kind == "read" and not hits and not part.opaque:
                # Reading a file no guard covers is what the command around it does anyway.
                verdicts.append(
                    PartVerdict(
                        text=label,
                        kind="read",
                        decision="allow",
                        source="builtin",
                        why="no guard covers this file",
                        part=part,
                    )
                )
                continue
            privileged = "runs with raised privileges" if "privilege" in part.signals else ""
            verdicts.append(
                _settle(label or command, part.kind, hits, part.opaque, privileged, part)
            )
        patterns = self.index.pattern_hits(command)
        if patterns:
            matched.extend(patterns)
            verdicts.append(_settle(command, "exec", [_Hit(r, r.decision) for r in patterns], ""))
        if not parts and not patterns:
            verdicts.append(
                PartVerdict(text=command, decision="allow", source="builtin", why="runs nothing")
            )
        return self._verdict(verdicts, action_signals(parts, matched, cwd))

    def _part_hits(self, part: Part, whole_exact: list[CommandRule]) -> list[_Hit]:
        if part.kind != "exec":
            assert part.path is not None
            full = expand(part.path, part.cwd, self.index.home)
            if part.opaque:
                return []
            return [_Hit(r, r.decision) for r in self.index.path_hits(full, part.kind)]
        hits = [_Hit(r, r.decision) for r in whole_exact]
        hits.extend(
            _Hit(rule, rule.decision)
            for rule in self.index.command_hits(part)
            if takes_effect(rule, part)
        )
        hits.extend(self._argument_hits(part, hits, _subcommand_words(hits)))
        return hits

    def _argument_hits(self, part: Part, hits: list[_Hit], skip: int = 0) -> list[_Hit]:
        """Path rules on a command's arguments: they can only make the part stricter.

        A program allowed as read-only reads its arguments; any other program may also
        write them, which is judged as a write but never more than `ask` (it is a guess).
        """
        if not self.index.has_paths():
            return []
        read_only = bool(hits) and all(h.decision == "allow" for h in hits)
        found: list[_Hit] = []
        for value in _path_arguments(part, skip):
            full = expand(value, part.cwd, self.index.home)
            for rule in self.index.path_hits(full, "any"):
                if rule.decision == "allow":
                    continue
                if rule.access != "write":
                    found.append(_Hit(rule, rule.decision, f"reads {value}: {rule.reason}"))
                elif not read_only:
                    found.append(_Hit(rule, "ask", f"may write {value}: {rule.reason}"))
            for rule in self.index.reach_hits(full):
                if rule.decision != "allow" and (rule.access != "write" or not read_only):
                    found.append(_Hit(rule, "ask", f"{value} reaches guarded files: {rule.reason}"))
        return found

    @staticmethod
    def _verdict(parts: list[PartVerdict], signals: list[str]) -> Verdict:
        if len(parts) == 1:
            top = parts[0]
            decision = top.decision
        else:
            decision = strictest([p.decision for p in parts])
            candidates = [p for p in parts if p.decision == decision]
            # A real `ask` (a rule, a guard, an opaque part) outranks "no rule matched".
            top = next((p for p in candidates if p.source != "fallback"), candidates[0])
        return Verdict(
            decision=decision, source=top.source, rule=top.rule, parts=parts, signals=signals
        )


def _path_values(arg: str) -> list[str]:
    """The file names an argument may name: itself, and the value of `key=value` forms."""
    if "=" in arg and not arg.startswith(("/", "~", ".")):
        return [arg.split("=", 1)[1]]
    return [arg]


def _subcommand_words(hits: list[_Hit]) -> int:
    """How many operands the matched prefix rules name as words (`git status`: one)."""
    return min(
        (
            len(hit.rule.prefix) - 1
            for hit in hits
            if isinstance(hit.rule, CommandRule) and hit.rule.prefix
        ),
        default=0,
    )


def _path_arguments(part: Part, skip: int = 0) -> list[str]:
    """Every word of a command that may name a file: operands and `--opt=value` values.

    The first `skip` operands are subcommand words a rule named (`status` in `git status`).
    """
    values = [v for arg in operands(part)[skip:] for v in _path_values(arg)]
    values.extend(
        home_variable(arg.split("=", 1)[1])
        for arg in part.argv[1:]
        if arg.startswith("-") and "=" in arg
    )
    return [v for v in values if v and not ("://" in v and _URL.match(v))]


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def default_engine(cwd: str | None = None, extra: Sequence[str] = (), user: bool = True) -> Engine:
    """The engine a `warden` command uses: every layer in force for `cwd`.

    Raises:
        RulesFileError: a user, project, extra or requirements file is broken.
    """
    from pathlib import Path

    from rules.layers import load_layers

    layers = load_layers(cwd, [Path(e) for e in extra], user=user, project=user)
    presets = _presets_on()
    return Engine([*layers.rulesets, *([presets] if presets else [])], guards_off=_guards_off())


def _guards_off() -> frozenset[str]:
    """Guard ids switched off in the config file (`[rules] guards_off`), read cheaply."""
    return frozenset(_config_list("rules", "guards_off"))


def _presets_on() -> RuleSet | None:
    """The network presets the config switches on (`[network] presets`), known ones only."""
    from rules.hosts import preset_layer, presets

    return preset_layer([n for n in _config_list("network", "presets") if n in presets()])


def _config_list(table: str, key: str) -> list[str]:
    """A list of strings from the config file, read cheaply (empty when unreadable)."""
    import tomllib

    from rules.paths import config_file

    try:
        with config_file().open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return []
    section = data.get(table, {})
    items = section.get(key, []) if isinstance(section, dict) else []
    return [str(i) for i in items] if isinstance(items, list) else []
