"""The `[reviewer]` settings model, light enough for the gate's config to share it."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from reviewer.verdict import Threshold


class ReviewerSettings(BaseModel):
    """`[reviewer]`: the LLM auto-review subagent (the same keys as the gate's config)."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(None, description="Model name; unset turns auto-review off.")
    base_url: str | None = Field(
        None, description="An OpenAI-compatible endpoint; unset uses the client's default."
    )
    api_key_env: str = Field(
        "OPENAI_API_KEY", description="Name of the environment variable holding the API key."
    )
    timeout_s: float = Field(30.0, gt=0, description="Seconds before a review escalates.")
    threshold: Threshold = Field(
        "low", description="Highest risk the reviewer may approve on its own."
    )
    max_concurrent: int = Field(4, ge=1, description="Reviews in flight at once.")
    daily_token_cap: int | None = Field(
        None, ge=1, description="Tokens per day before auto-review pauses; unset means no cap."
    )

    def with_env(self, environ: Mapping[str, str] = os.environ) -> ReviewerSettings:
        """These settings with `WARDEN_REVIEW_MODEL` and `OPENAI_BASE_URL` applied over them."""
        changes = {
            key: environ[var]
            for key, var in (("model", "WARDEN_REVIEW_MODEL"), ("base_url", "OPENAI_BASE_URL"))
            if environ.get(var)
        }
        return self.model_copy(update=changes)
