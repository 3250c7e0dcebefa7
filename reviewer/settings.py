"""The reviewer's settings (the config file's `[reviewer]` table) and a Reviewer built from them."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from openai import AsyncOpenAI
from pydantic import ValidationError

from reviewer.config import ReviewerSettings
from reviewer.errors import ReviewerConfigError
from reviewer.review import Reviewer
from rules.paths import config_file

TABLE_ENV_PREFIX = "WARDEN_REVIEWER__"
NO_MODEL = (
    "no model configured: set `model` under [reviewer] in {file}, "
    "or WARDEN_REVIEW_MODEL, or pass --model"
)


def load_settings(path: Path | None = None) -> ReviewerSettings:
    """The `[reviewer]` table of the config file with every environment override applied.

    `WARDEN_REVIEWER__KEY` variables override keys of the file, then `WARDEN_REVIEW_MODEL`
    and `OPENAI_BASE_URL` override the model and the base URL.

    Args:
        path: the config file (default `~/.config/warden/config.toml`); missing means defaults.

    Raises:
        ReviewerConfigError: the file is unreadable or not TOML, or a value is invalid.
    """
    file = path or config_file()
    try:
        table = tomllib.loads(file.read_text(encoding="utf-8")).get("reviewer", {})
    except FileNotFoundError:
        table = {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ReviewerConfigError(f"{file}: {exc}") from exc
    if not isinstance(table, dict):
        raise ReviewerConfigError(f"{file}: reviewer must be a table")
    for name in ReviewerSettings.model_fields:
        value = os.environ.get(TABLE_ENV_PREFIX + name.upper())
        if value is not None:
            table[name] = value
    try:
        return ReviewerSettings.model_validate(table).with_env()
    except ValidationError as exc:
        problems = "; ".join(
            f"reviewer.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
        )
        raise ReviewerConfigError(f"{file}: {problems}") from exc


def build_reviewer(
    settings: ReviewerSettings,
    *,
    sandbox_mode: str | None = None,
    token_file: Path | None = None,
    circuit_breaker: bool = True,
) -> Reviewer:
    """A Reviewer with its own client, from settings (`load_settings()`, or the gate's config
    passed through `ReviewerSettings.with_env()`).

    Args:
        settings: the `[reviewer]` settings, overrides applied.
        sandbox_mode: the sandbox mode in force, shown to the model.
        token_file: the day's token ledger (default in the state dir).
        circuit_breaker: pause after a run of denials (off for `warden review-eval`).

    Raises:
        ReviewerConfigError: no model is configured, or no API key for the default endpoint.
    """
    if not settings.model:
        raise ReviewerConfigError(NO_MODEL.format(file=config_file()))
    key = os.environ.get(settings.api_key_env)
    if not key and settings.base_url is None:
        raise ReviewerConfigError(
            f"no API key: set {settings.api_key_env}, or set base_url to a local server"
        )
    # Local servers (Ollama, llama.cpp, vLLM) take any key, but the client insists on one.
    client = AsyncOpenAI(api_key=key or "unused", base_url=settings.base_url)
    return Reviewer(
        client,
        model=settings.model,
        timeout_s=settings.timeout_s,
        threshold=settings.threshold,
        max_concurrent=settings.max_concurrent,
        daily_token_cap=settings.daily_token_cap,
        token_file=token_file,
        sandbox_mode=sandbox_mode,
        circuit_breaker=circuit_breaker,
    )
