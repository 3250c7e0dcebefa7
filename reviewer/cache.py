"""Per-session verdict cache: an identical action in the same context reuses the verdict."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any

from reviewer.verdict import ModelVerdict

CACHE_SIZE = 1024


def cache_key(session: tuple[str, str], model: str, prompt: str, document: dict[str, Any]) -> str:
    """The key of a review: the agent session, the model, the prompt version and what it saw."""
    text = json.dumps([*session, model, prompt, document], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class VerdictCache:
    """A bounded map of review keys to the model's verdicts, least recently used dropped first."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._verdicts: OrderedDict[str, ModelVerdict] = OrderedDict()

    def get(self, key: str) -> ModelVerdict | None:
        """The verdict stored under `key`, if any."""
        verdict = self._verdicts.get(key)
        if verdict is not None:
            self._verdicts.move_to_end(key)
        return verdict

    def put(self, key: str, verdict: ModelVerdict) -> None:
        """Remember a verdict (only verdicts are kept; failures are asked again)."""
        self._verdicts[key] = verdict
        self._verdicts.move_to_end(key)
        while len(self._verdicts) > self.size:
            self._verdicts.popitem(last=False)
