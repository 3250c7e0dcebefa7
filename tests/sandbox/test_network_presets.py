"""Network presets and agent profiles: config checks, and the same judgement in every judge."""

from __future__ import annotations

import pytest

from gate.config import load_config
from gate.errors import ConfigError
from gate.pipeline import Gate
from gate.profiles import BUILTIN_PROFILES, agent_profiles
from rules.action import Action, AgentRef
from rules.engine import default_engine
from rules.hosts import presets
from rules.paths import config_dir
from sandbox.judge import RulesJudge

BLOCK_PYPI = """version = 1
[[network]]
host = "pypi.org"
decision = "block"
reason = "our mirror only"
"""


def write_config(text: str) -> None:
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "config.toml").write_text(text)


def network(host: str, agent: str = "someone") -> Action:
    return Action(
        kind="network", host=host, port=443, executor="warden", agent=AgentRef(name=agent)
    )


def test_unknown_preset_names_the_key_and_the_known_ones() -> None:
    write_config('[network]\npresets = ["pypi", "cpan"]\n')
    with pytest.raises(ConfigError) as caught:
        load_config()
    message = str(caught.value)
    assert "config.toml:2" in message
    assert "network.presets" in message
    assert "unknown network preset 'cpan'; known: pypi, npm, crates, go, rubygems" in message


def test_a_profile_host_must_be_a_host_pattern() -> None:
    write_config('[agents.me]\nhosts = ["https://example.com/x"]\n')
    with pytest.raises(ConfigError, match=r"agents\.me\.hosts.*is not a host pattern"):
        load_config()


def test_every_preset_has_hosts_and_says_what_they_serve() -> None:
    shipped = presets()
    assert {"pypi", "npm", "crates", "go", "rubygems", "github"} <= set(shipped)
    assert shipped["pypi"].hosts == ("pypi.org", "files.pythonhosted.org")
    assert "codeload.github.com" in shipped["github"].hosts
    assert all(p.hosts and p.description for p in shipped.values())


async def test_presets_allow_in_the_gate_and_a_block_rule_still_wins() -> None:
    write_config('[network]\npresets = ["pypi", "npm"]\n')
    (config_dir() / "rules.toml").write_text(BLOCK_PYPI)
    gate = Gate.from_settings(ask_person=False)
    try:
        allowed = await gate.submit(network("files.pythonhosted.org"), "test")
        assert (allowed.decision, allowed.source) == ("allow", "rules")
        assert allowed.rule is not None
        assert allowed.rule.id == "preset.pypi"
        assert allowed.rule.file.endswith("network_presets.toml")
        blocked = await gate.submit(network("pypi.org"), "test")
        assert (blocked.decision, blocked.message) == ("deny", "our mirror only")
        unknown = await gate.submit(network("crates.io"), "test")
        assert unknown.decision == "deny"
    finally:
        await gate.close()


async def test_presets_and_profiles_apply_with_no_gate_too() -> None:
    write_config('[network]\npresets = ["github"]\n[agents.tester]\nhosts = ["*.corp.example"]\n')
    judge = RulesJudge()
    assert (await judge.submit(network("codeload.github.com"))).decision == "allow"
    mine = await judge.submit(network("git.corp.example", agent="tester"))
    assert (mine.decision, mine.rule and mine.rule.id) == ("allow", "profile.tester")
    theirs = await judge.submit(network("git.corp.example", agent="other"))
    assert theirs.decision == "deny"
    assert theirs.message.startswith("no console to ask: start `warden`")


def test_hook_shims_and_warden_check_see_the_presets() -> None:
    assert default_engine().check_host("registry.npmjs.org", 443).decision == "ask"
    write_config('[network]\npresets = ["npm"]\n')
    assert default_engine().check_host("registry.npmjs.org", 443).decision == "allow"


def test_builtin_profiles_are_extended_or_replaced_by_the_config() -> None:
    write_config(
        '[agents.claude]\nhosts = ["proxy.corp.example"]\nenv = ["HTTPS_CA"]\n'
        '[agents.codex]\nbuiltin = false\nwritable = ["~/work/"]\n'
    )
    profiles = agent_profiles(load_config())
    claude = profiles["claude"]
    assert claude.hosts == [*BUILTIN_PROFILES["claude"].hosts, "proxy.corp.example"]
    assert {"ANTHROPIC_API_KEY", "HTTPS_CA"} <= set(claude.env)
    assert "~/.claude/" in claude.writable
    assert (profiles["codex"].writable, profiles["codex"].hosts) == (["~/work/"], [])
    assert "GEMINI_API_KEY" in profiles["gemini"].env
