"""Agent profiles (built-in claude, codex, gemini merged with the config's) and network presets."""

from __future__ import annotations

from gate.config import AgentProfile, Settings
from rules.hosts import hosts_layer, preset_layer
from rules.model import RuleSet

BUILTIN_PROFILES: dict[str, AgentProfile] = {
    "claude": AgentProfile(
        env=["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"],
        writable=["~/.claude/", "~/.claude.json"],
        hosts=["api.anthropic.com", "statsig.anthropic.com", "claude.ai", "console.anthropic.com"],
    ),
    "codex": AgentProfile(
        env=["OPENAI_API_KEY", "OPENAI_BASE_URL", "CODEX_HOME"],
        writable=["~/.codex/"],
        hosts=["api.openai.com", "chatgpt.com", "auth.openai.com"],
    ),
    "gemini": AgentProfile(
        env=["GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_CLOUD_PROJECT"],
        writable=["~/.gemini/"],
        hosts=[
            "generativelanguage.googleapis.com",
            "oauth2.googleapis.com",
            "cloudcode-pa.googleapis.com",
        ],
    ),
}


def agent_profiles(settings: Settings) -> dict[str, AgentProfile]:
    """Every profile in force: the built-in ones, each extended (or replaced) by the config's.

    A config profile adds its env names, writable paths and hosts to the built-in profile of the
    same name, unless it says `builtin = false`.
    """
    merged = dict(BUILTIN_PROFILES)
    for name, own in settings.agents.items():
        base = BUILTIN_PROFILES.get(name)
        if base is None or not own.builtin:
            merged[name] = own
            continue
        merged[name] = AgentProfile(
            env=_union(base.env, own.env),
            writable=_union(base.writable, own.writable),
            hosts=_union(base.hosts, own.hosts),
        )
    return merged


def profile_layers(settings: Settings, file: str) -> dict[str, RuleSet]:
    """Each profile's hosts as allow rules, by agent name (profiles without hosts left out)."""
    layers: dict[str, RuleSet] = {}
    for name, profile in agent_profiles(settings).items():
        layer = hosts_layer(
            profile.hosts,
            f"profile.{name}",
            f"{file} [agents.{name}]",
            f"a host the {name} agent profile allows",
        )
        if layer is not None:
            layers[name] = layer
    return layers


def _union(first: list[str], second: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def preset_layers(settings: Settings) -> list[RuleSet]:
    """The network presets the config switches on, as allow layers (none when none is on)."""
    layer = preset_layer(settings.network.presets)
    return [layer] if layer is not None else []
