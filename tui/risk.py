"""Risk and decision words with their theme colours: colour is never the only signal."""

from __future__ import annotations

from typing import Any

from textual.content import Content

RISK_STYLES = {
    "low": "$success",
    "medium": "$warning",
    "high": "bold $error",
    "critical": "bold reverse $error",
}
DECISION_STYLES = {"allow": "$success", "deny": "bold $error"}


def risk_word(pending: dict[str, Any]) -> Content:
    """The reviewer's risk as a coloured word; `reviewing…` or `unrated` when there is none."""
    review = pending.get("review") or {}
    risk = review.get("risk")
    if risk in RISK_STYLES:
        return Content.assemble((f"{risk:<9}", RISK_STYLES[risk]))
    word = "reviewing" if pending.get("reviewing") else "unrated"
    return Content.assemble((f"{word:<9}", "$text-muted"))


def decision_word(decision: str) -> Content:
    """`allow` or `deny`, coloured."""
    return Content.assemble((f"{decision:<5}", DECISION_STYLES.get(decision, "")))


def age_text(seconds: float) -> str:
    """A short age: `14 s`, `3 min`, `2 h`."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min"
    return f"{whole // 3600} h"
