"""The config file: defaults, loading, env overrides, errors that name file and line, schema."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from gate.config import SCHEMA_FILE, Settings, config_schema, load_config
from gate.errors import ConfigError, GateError
from rules.paths import config_file


def write_config(text: str) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_defaults() -> None:
    assert config_file().is_relative_to(os.environ["XDG_CONFIG_HOME"])
    assert not config_file().exists()
    settings = load_config()
    assert settings == Settings()
    assert settings.reviewer.model is None
    assert settings.reviewer.api_key_env == "OPENAI_API_KEY"
    assert settings.reviewer.threshold == "low"
    assert settings.policy.approval_policy == "on-request"
    assert settings.policy.sandbox_mode == "workspace-write"
    assert settings.notifications.bell is True


def test_file_values_are_loaded() -> None:
    write_config(
        """
[reviewer]
model = "gpt-4.1-mini"
base_url = "http://127.0.0.1:11434/v1"
timeout_s = 12.5
daily_token_cap = 200000

[policy]
approval_policy = "untrusted"
unknown_hosts = "block"

[sandbox]
writable_roots = ["~/scratch"]

[agents.claude-code]
env = ["ANTHROPIC_API_KEY"]
writable = ["~/.claude"]
hosts = ["api.anthropic.com"]

[rules]
guards_off = ["guard.git-force-push"]

[keymap]
approve-once = "a"
"""
    )
    settings = load_config()
    assert settings.reviewer.model == "gpt-4.1-mini"
    assert settings.reviewer.timeout_s == 12.5
    assert settings.reviewer.daily_token_cap == 200_000
    assert settings.policy.approval_policy == "untrusted"
    assert settings.policy.unknown_hosts == "block"
    assert settings.sandbox.writable_roots == ["~/scratch"]
    assert settings.agents["claude-code"].hosts == ["api.anthropic.com"]
    assert settings.rules.guards_off == ["guard.git-force-push"]
    assert settings.keymap == {"approve-once": "a"}


def test_env_overrides_the_file_key_by_key(monkeypatch: pytest.MonkeyPatch) -> None:
    write_config('[reviewer]\nmodel = "from-file"\ntimeout_s = 5\n')
    monkeypatch.setenv("WARDEN_REVIEWER__MODEL", "from-env")
    monkeypatch.setenv("WARDEN_POLICY__SANDBOX_MODE", "read-only")
    monkeypatch.setenv("WARDEN_SANDBOX__WRITABLE_ROOTS", '["/srv/a", "/srv/b"]')
    settings = load_config()
    assert settings.reviewer.model == "from-env"
    assert settings.reviewer.timeout_s == 5
    assert settings.policy.sandbox_mode == "read-only"
    assert settings.sandbox.writable_roots == ["/srv/a", "/srv/b"]


def test_other_warden_variables_are_not_config_keys() -> None:
    # WARDEN_REQUIREMENTS (set by the autouse fixture) names the requirements file.
    assert load_config() == Settings()


def test_bad_toml_names_file_line_and_column() -> None:
    path = write_config('[reviewer]\nmodel = "a"\ntimeout_s = = 3\n')
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert isinstance(caught.value, GateError)
    assert (caught.value.file, caught.value.line) == (str(path), 3)
    assert str(caught.value).startswith(f"{path}:3:")


def test_toml_cut_short_names_the_last_line() -> None:
    path = write_config('[sandbox]\nwritable_roots = ["/a",\n')
    with pytest.raises(ConfigError, match=f"^{path}:2: "):
        load_config()


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("[reviewer]\nmodel = 'm'\nmodle = 'x'\n", 3, "reviewer.modle: unknown key"),
        ("colour = 'red'\n", 1, "colour: unknown key"),
        ("_env_prefix = 'X_'\n", 1, "_env_prefix: unknown key"),
        (
            "[agents.codex]\nenv = []\n\n[agents.codex.extra]\n",
            4,
            "agents.codex.extra: unknown key",
        ),
        ("[policy]\n# c\napproval_policy = 'sometimes'\n", 3, "policy.approval_policy: Input"),
        ("reviewer.timeout_s = 'soon'\n", 1, "reviewer.timeout_s: Input should be a valid number"),
        ("[reviewer]\nmax_concurrent = 0\n", 2, "reviewer.max_concurrent: Input should be greater"),
        ("[sandbox]\nwritable_roots = [\n  '/a',\n  3,\n]\n", 2, "sandbox.writable_roots: Input"),
    ],
)
def test_invalid_values_name_key_and_line(text: str, line: int, key: str) -> None:
    path = write_config(text)
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: {key}")


def test_every_problem_is_listed() -> None:
    path = write_config("[reviewer]\nmodel = 1\n\n[notifications]\nbell = 'loud'\n")
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert str(caught.value).splitlines() == [
        f"{path}:2: reviewer.model: Input should be a valid string",
        f"{path}:5: notifications.bell: Input should be a valid boolean, unable to interpret input",
    ]


def test_bad_env_override_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    write_config("[reviewer]\ntimeout_s = 3\n")
    monkeypatch.setenv("WARDEN_REVIEWER__TIMEOUT_S", "soon")
    with pytest.raises(
        ConfigError, match=r"reviewer\.timeout_s \(from \$WARDEN_REVIEWER__TIMEOUT_S\)"
    ):
        load_config()


def test_unreadable_file_is_a_config_error() -> None:
    path = write_config("")
    path.write_bytes(b"model = '\xff'\n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config()


def test_shipped_schema_is_the_models_schema() -> None:
    shipped = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert shipped == config_schema(), (
        "gate/data/config.schema.json is stale; regenerate it with "
        "`.venv/bin/warden config schema > gate/data/config.schema.json`"
    )


def test_schema_accepts_defaults_and_rejects_unknown_keys() -> None:
    schema = config_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(Settings().model_dump(mode="json"), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"reviewer": {"modle": "x"}}, schema)
