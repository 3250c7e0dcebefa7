"""The config file (`~/.config/warden/config.toml`, `WARDEN_…` overrides) as validated settings."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from gate.errors import ConfigError
from reviewer.config import ReviewerSettings
from rules.errors import RulesError
from rules.hosts import check_host, check_presets
from rules.paths import config_file

SCHEMA_FILE = Path(__file__).parent / "data" / "config.schema.json"
ENV_PREFIX = "WARDEN_"
ENV_DELIMITER = "__"

ApprovalPolicy = Literal["untrusted", "on-request", "on-failure", "never"]
SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


ReviewerConfig = ReviewerSettings
"""`[reviewer]`: the LLM auto-review subagent (the reviewer's own settings model)."""


class PolicyConfig(_Section):
    """`[policy]`: what happens to actions no rule decided."""

    approval_policy: ApprovalPolicy = Field(
        "on-request", description="When an action goes to the reviewer and a person (DESIGN §4)."
    )
    sandbox_mode: SandboxMode = Field(
        "workspace-write", description="How confined Warden-executed actions run."
    )
    unknown_hosts: Literal["ask", "block"] = Field(
        "ask", description="What a connection to a host no rule names does."
    )


class SandboxConfig(_Section):
    """`[sandbox]`: paths writable besides the workspace."""

    writable_roots: list[str] = Field(
        default_factory=list, description="Extra writable folders (`~` expands)."
    )


class AgentProfile(_Section):
    """`[agents.NAME]`: what a hosted agent needs inside the sandbox (`warden run`)."""

    env: list[str] = Field(
        default_factory=list, description="Environment variables passed in, secret or not."
    )
    writable: list[str] = Field(
        default_factory=list,
        description="Extra writable paths (`~` expands; a trailing `/` marks a folder, "
        "created when missing).",
    )
    hosts: list[str] = Field(
        default_factory=list, description="Hosts its network proxy allows (block rules still win)."
    )
    builtin: bool = Field(
        True,
        description="Add to Warden's built-in profile of the same name (false: replace it).",
    )

    @field_validator("hosts")
    @classmethod
    def _hosts(cls, hosts: list[str]) -> list[str]:
        try:
            return [check_host(host) for host in hosts]
        except RulesError as exc:
            raise ValueError(str(exc)) from exc


class NetworkConfig(_Section):
    """`[network]`: named sets of hosts to allow."""

    presets: list[str] = Field(
        default_factory=list,
        description="Network presets switched on: pypi, npm, crates, go, rubygems, maven, github.",
    )

    @field_validator("presets")
    @classmethod
    def _presets(cls, names: list[str]) -> list[str]:
        try:
            return check_presets(names)
        except RulesError as exc:
            raise ValueError(str(exc)) from exc


class RulesConfig(_Section):
    """`[rules]`: adjustments to the built-in rules."""

    guards_off: list[str] = Field(
        default_factory=list, description="Ids of built-in guards switched off."
    )


class NotificationsConfig(_Section):
    """`[notifications]`: how the console calls for a person."""

    bell: bool = Field(True, description="Ring the terminal bell when a person is needed.")
    desktop: bool = Field(False, description="Send a desktop notification too.")


class AgentConfig(_Section):
    """`[agent]`: the model behind `warden agent`; unset keys use the `[reviewer]` endpoint's."""

    model: str | None = Field(None, description="Model name; unset uses [reviewer].model.")
    base_url: str | None = Field(
        None, description="An OpenAI-compatible endpoint; unset uses [reviewer].base_url."
    )
    api_key_env: str | None = Field(
        None, description="Variable holding the API key; unset uses [reviewer].api_key_env."
    )
    max_turns: int = Field(30, ge=1, description="Model requests before the agent stops.")
    timeout_s: float = Field(300.0, gt=0, description="Seconds one model request may take.")


class Settings(BaseSettings):
    """The whole config: the file's values, each overridable by a `WARDEN_…` variable."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_DELIMITER,
        extra="forbid",
        title="Warden config",
    )

    reviewer: ReviewerConfig = Field(default_factory=ReviewerConfig)
    agent: AgentConfig = Field(default_factory=AgentConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    sandbox: SandboxConfig = Field(default_factory=SandboxConfig)
    agents: dict[str, AgentProfile] = Field(
        default_factory=dict, description="Agent profiles by agent name."
    )
    network: NetworkConfig = Field(default_factory=NetworkConfig)
    rules: RulesConfig = Field(default_factory=RulesConfig)
    keymap: dict[str, str] = Field(
        default_factory=dict, description='Key binding id → key, e.g. approve-once = "y".'
    )
    notifications: NotificationsConfig = Field(default_factory=NotificationsConfig)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Environment over the file (passed as init values); no dotenv or secrets files."""
        return env_settings, init_settings


def load_config(path: Path | None = None) -> Settings:
    """Load the config file (default `rules.paths.config_file()`) with env overrides.

    A missing file means every default.

    Args:
        path: The file to read instead of the user's config file.

    Returns:
        The validated settings.

    Raises:
        ConfigError: the file is unreadable, not TOML, or has a bad or unknown key.
    """
    file = path if path is not None else config_file()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(file), f"cannot read: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _undecodable(file, text, exc) from exc
    # BaseSettings.__init__ would take these as its own options rather than config keys.
    for key in data:
        if key.startswith("_"):
            raise ConfigError(str(file), f"{key}: unknown key", _line_of(text, (key,)))
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise _invalid(file, text, exc) from exc


def config_schema() -> dict[str, Any]:
    """The JSON Schema of the config file, generated from `Settings`."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **Settings.model_json_schema(),
    }


def config_schema_text() -> str:
    """`config_schema()` as the text shipped in `gate/data/config.schema.json`."""
    return json.dumps(config_schema(), indent=2, ensure_ascii=False) + "\n"


def _undecodable(file: Path, text: str, exc: tomllib.TOMLDecodeError) -> ConfigError:
    """A ConfigError at the place tomllib names (only inside its message before Python 3.14)."""
    message = str(exc)
    if where := re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", message, re.DOTALL):
        return ConfigError(str(file), where[1], int(where[2]), int(where[3]))
    if where := re.fullmatch(r"(.*) \(at end of document\)", message, re.DOTALL):
        return ConfigError(
            str(file), f"{where[1]} at the end of the file", len(text.splitlines()) or 1
        )
    return ConfigError(str(file), message)


def _invalid(file: Path, text: str, exc: ValidationError) -> ConfigError:
    """One ConfigError for all of a validation's problems, each with its line or env variable."""
    env = EnvSettingsSource(Settings)()
    problems: list[tuple[int | None, str]] = []
    for error in exc.errors():
        path = _key_path(error["loc"])
        message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        var = _env_var(env, path)
        if var:
            problems.append((None, f"{'.'.join(path)} (from ${var}): {message}"))
        else:
            problems.append((_line_of(text, path), f"{'.'.join(path)}: {message}"))
    (line, first), *rest = problems
    more = "".join(f"\n{file}{f':{n}' if n else ''}: {what}" for n, what in rest)
    return ConfigError(str(file), first + more, line)


def _key_path(loc: Sequence[int | str]) -> tuple[str, ...]:
    """The TOML key path of a pydantic error location (list indexes cut off)."""
    path: list[str] = []
    for part in loc:
        if isinstance(part, int):
            break
        path.append(part)
    return tuple(path)


def _env_var(env: dict[str, Any], path: tuple[str, ...]) -> str | None:
    """The `WARDEN_…` variable that set `path` (or a table above it), if one did."""
    found: list[str] = []
    node: Any = env
    for key in path:
        if not isinstance(node, dict) or key.lower() not in node:
            break
        found.append(key)
        node = node[key.lower()]
    return ENV_PREFIX + ENV_DELIMITER.join(found).upper() if found else None


_BARE_OR_QUOTED = r"(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')"
_DOTTED = rf"{_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_KEY_PART = re.compile(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)")


def _split_key(dotted: str) -> tuple[str, ...]:
    return tuple("".join(groups) for groups in _KEY_PART.findall(dotted))


def _line_of(text: str, path: tuple[str, ...]) -> int | None:
    """The line (1-based) defining `path`, or the nearest table or key above it."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _HEADER.match(line):
            table = _split_key(header[1])
            lines.setdefault(table, number)
        elif assign := _ASSIGN.match(line):
            lines.setdefault(table + _split_key(assign[1]), number)
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None
