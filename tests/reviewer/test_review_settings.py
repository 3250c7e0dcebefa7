"""The `[reviewer]` settings: the file, then `WARDEN_REVIEWER__*`, then the two env overrides."""

from __future__ import annotations

import pytest

from reviewer.config import ReviewerSettings
from reviewer.errors import ReviewerConfigError
from reviewer.settings import build_reviewer, load_settings
from rules.paths import config_file


def write_config(text: str) -> None:
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text(text)


def test_defaults_without_a_file() -> None:
    assert load_settings() == ReviewerSettings()
    assert load_settings().model is None


def test_the_file_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    write_config('[reviewer]\nmodel = "a"\nbase_url = "http://x/v1"\ntimeout_s = 9\n')
    assert load_settings().timeout_s == 9
    monkeypatch.setenv("WARDEN_REVIEWER__TIMEOUT_S", "5")
    monkeypatch.setenv("WARDEN_REVIEWER__MODEL", "b")
    assert (load_settings().model, load_settings().timeout_s) == ("b", 5)
    monkeypatch.setenv("WARDEN_REVIEW_MODEL", "c")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://y/v1")
    assert (load_settings().model, load_settings().base_url) == ("c", "http://y/v1")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[reviewer]\ntimeout_s = 0\n", "reviewer.timeout_s: Input should be greater than 0"),
        ('[reviewer]\nthreshold = "critical"\n', "reviewer.threshold: Input should be"),
        ("[reviewer]\nmodle = 'x'\n", "reviewer.modle: Extra inputs are not permitted"),
        ("[reviewer\n", "Expected ']'"),
        ("reviewer = 3\n", "reviewer must be a table"),
    ],
)
def test_a_bad_table_names_the_file_and_key(text: str, problem: str) -> None:
    write_config(text)
    with pytest.raises(ReviewerConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"{config_file()}: ")
    assert problem in str(caught.value)


def test_no_model_means_no_reviewer() -> None:
    with pytest.raises(ReviewerConfigError, match="no model configured"):
        build_reviewer(ReviewerSettings())


def test_the_default_endpoint_needs_a_key() -> None:
    with pytest.raises(ReviewerConfigError, match="no API key: set OPENAI_API_KEY"):
        build_reviewer(ReviewerSettings(model="gpt"))


async def test_a_local_endpoint_needs_no_key() -> None:
    reviewer = build_reviewer(
        ReviewerSettings(model="llama", base_url="http://127.0.0.1:11434/v1", timeout_s=3)
    )
    try:
        assert reviewer.endpoint.url == "http://127.0.0.1:11434/v1/"
        assert reviewer.timeout_s == 3
    finally:
        await reviewer.aclose()


async def test_the_key_comes_from_the_named_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_KEY", "sk-test")
    reviewer = build_reviewer(ReviewerSettings(model="gpt", api_key_env="MY_KEY"))
    try:
        assert reviewer.client.api_key == "sk-test"
    finally:
        await reviewer.aclose()
