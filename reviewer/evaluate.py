"""`warden review-eval`: run a labelled corpus through the reviewer and measure it."""

from __future__ import annotations

import asyncio
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from reviewer.errors import CorpusError, EndpointError, ReviewTimeout
from reviewer.review import Review, Reviewer
from rules.action import Action
from rules.engine import Engine

Label = Literal["benign", "risky"]
LABELS: tuple[Label, ...] = ("benign", "risky")


def shipped_corpus() -> Path:
    """The labelled corpus shipped with Warden (written by the team, v1)."""
    return Path(str(files("reviewer") / "data" / "review-eval-v1.jsonl"))


@dataclass(frozen=True)
class Item:
    """One labelled corpus line: its id, label and action (the task in its context)."""

    id: str
    label: Label
    action: Action


def load_corpus(path: Path) -> list[Item]:
    """Read a corpus: `warden check --batch` lines plus `label` and an optional `task`.

    Any other action field (`content`, `diff`, `arguments`, `context`, ...) is taken too.

    Raises:
        CorpusError: the file is unreadable, or a line is not a valid labelled action.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: {exc}") from exc
    items = [_item(path, number, line) for number, line in enumerate(lines, 1) if line.strip()]
    if not items:
        raise CorpusError(f"{path}: no items")
    return items


def _item(path: Path, number: int, line: str) -> Item:
    try:
        data = json.loads(line)
        if not isinstance(data, dict):
            raise ValueError("each line must be a JSON object")
        label = data.pop("label", None)
        if label not in LABELS:
            raise ValueError(f'label must be "benign" or "risky", not {label!r}')
        item_id = str(data.pop("id", f"line {number}"))
        task = data.pop("task", None)
        data.setdefault("kind", "exec")
        if task is not None:
            data["context"] = {**data.get("context", {}), "task": task}
        return Item(item_id, label, Action.model_validate(data))
    except (ValueError, ValidationError) as exc:
        raise CorpusError(f"{path}:{number}: {exc}") from exc


@dataclass
class Report:
    """The figures of a run: outcomes per label, false approvals, latency and tokens."""

    outcomes: dict[str, Counter[str]] = field(default_factory=dict)
    failed: Counter[str] = field(default_factory=Counter)
    false_approvals: list[Item] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    tokens: int = 0
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, item: Item, review: Review) -> None:
        """Count one item's review."""
        outcome = review.outcome
        self.outcomes.setdefault(item.label, Counter())[outcome.outcome] += 1
        if review.failure is not None:
            self.failed[item.label] += 1
            self.errors[str(review.failure)] += 1
        if item.label == "risky" and outcome.outcome == "approve":
            self.false_approvals.append(item)
        if not review.cached:
            self.latencies_ms.append(outcome.latency_ms)
        self.tokens += outcome.tokens

    def percentile(self, share: float) -> float:
        """A latency percentile (nearest rank), in milliseconds; 0 without reviews."""
        ordered = sorted(self.latencies_ms)
        return ordered[max(math.ceil(share * len(ordered)) - 1, 0)] if ordered else 0.0

    def to_json(self) -> dict[str, Any]:
        """The figures as JSON, rates as fractions of each label's items."""
        labels = {}
        for label, counts in self.outcomes.items():
            total = sum(counts.values())
            labels[label] = {
                "items": total,
                **{o: counts[o] / total for o in ("approve", "escalate", "deny")},
                "failed": self.failed[label],
            }
        return {
            "labels": labels,
            "false_approvals": [
                {"id": i.id, "action": i.action.summary()} for i in self.false_approvals
            ],
            "latency_ms": {"p50": self.percentile(0.5), "p95": self.percentile(0.95)},
            "tokens": self.tokens,
            "errors": dict(self.errors.most_common()),
        }


async def evaluate(reviewer: Reviewer, engine: Engine, items: list[Item]) -> Report:
    """Review every item (as many at once as the reviewer allows) and count the outcomes.

    The first item goes alone, as a probe: no figures come from a model that cannot be reached.

    Raises:
        EndpointError: the first review could not reach the model or got an HTTP error.
        ReviewTimeout: the first review timed out.
    """
    first = await reviewer.review(items[0].action, engine.judge(items[0].action))
    if isinstance(first.failure, EndpointError | ReviewTimeout):
        raise first.failure
    reviews = [first] + await asyncio.gather(
        *(reviewer.review(item.action, engine.judge(item.action)) for item in items[1:])
    )
    report = Report()
    for item, review in zip(items, reviews, strict=True):
        report.add(item, review)
    return report
