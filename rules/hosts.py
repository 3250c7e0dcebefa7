"""Hosts allowed in bulk: the network presets, and an agent profile's hosts, as allow layers."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from rules.errors import RulesError
from rules.fields import FieldError, build_rule
from rules.model import NetworkRule, Origin, RuleSet

PRESETS_RESOURCE = "data/network_presets.toml"


class UnknownPreset(RulesError):
    """A network preset name that Warden does not ship (the message lists the known ones)."""


@dataclass(frozen=True, slots=True)
class Preset:
    """A named set of hosts: a package registry, a code host.

    Attributes:
        name: The name used in `[network] presets`.
        description: What the hosts serve.
        hosts: Host patterns (`example.com`, `*.example.com`, `**.example.com`).
        line: The line of the preset's table in the shipped file.
    """

    name: str
    description: str
    hosts: tuple[str, ...]
    line: int


@cache
def presets() -> dict[str, Preset]:
    """Every preset Warden ships, by name (`rules/data/network_presets.toml`)."""
    text = files("rules").joinpath(PRESETS_RESOURCE).read_text(encoding="utf-8")
    lines = {
        line.strip()[1:-1]: number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.startswith("[")
    }
    return {
        name: Preset(name, table["description"], tuple(table["hosts"]), lines[name])
        for name, table in tomllib.loads(text).items()
    }


def check_presets(names: Iterable[str]) -> list[str]:
    """The names as given, once each.

    Raises:
        UnknownPreset: a name is not a shipped preset.
    """
    known = presets()
    for name in names:
        if name not in known:
            raise UnknownPreset(f"unknown network preset {name!r}; known: {', '.join(known)}")
    return list(dict.fromkeys(names))


def preset_layer(names: Sequence[str]) -> RuleSet | None:
    """Allow rules for the hosts of the named presets, or None when none is named.

    Raises:
        UnknownPreset: a name is not a shipped preset.
    """
    chosen = check_presets(names)
    if not chosen:
        return None
    file = str(files("rules").joinpath(PRESETS_RESOURCE))
    layer = RuleSet(layer="extra", file=file)
    for name in chosen:
        preset = presets()[name]
        reason = f"network preset {name}: {preset.description}"
        layer.networks.extend(
            _allow(host, f"preset.{name}", reason, Origin("extra", file, preset.line))
            for host in preset.hosts
        )
    return layer


def hosts_layer(hosts: Sequence[str], rule_id: str, file: str, reason: str) -> RuleSet | None:
    """Allow rules for some hosts (an agent profile's), or None when there are none.

    Args:
        hosts: Host patterns.
        rule_id: The id every rule carries (shown as the deciding rule).
        file: Where the hosts were written, for the rule's origin.
        reason: Why they are allowed.

    Raises:
        RulesError: a host is not a host pattern.
    """
    if not hosts:
        return None
    origin = Origin("extra", file, 0)
    return RuleSet(
        layer="extra", file=file, networks=[_allow(h, rule_id, reason, origin) for h in hosts]
    )


def check_host(host: str) -> str:
    """The host pattern as given.

    Raises:
        RulesError: it is not `example.com`, `*.example.com`, `**.example.com` or an address.
    """
    return _allow(host, "check", "", Origin("extra", "", 0)).host


def _allow(host: str, rule_id: str, reason: str, origin: Origin) -> NetworkRule:
    table = {"id": rule_id, "host": host, "decision": "allow", "reason": reason}
    try:
        rule = build_rule("network", table, origin, rule_id)
    except FieldError as exc:
        raise RulesError(exc.message) from exc
    assert isinstance(rule, NetworkRule)
    return rule
