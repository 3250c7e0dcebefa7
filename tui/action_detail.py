"""The selected pending action in full: command, where and how it runs, rules, signals, review."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tui.queue_state import summary_of
from tui.risk import RISK_STYLES, age_text


class ActionDetail(VerticalScroll):
    """Everything the person needs to decide one action, scrollable when it is long."""

    def compose(self) -> ComposeResult:
        yield Static(id="detail-body")

    def show(self, pending: dict[str, Any] | None, position: str, now: float) -> None:
        """Render a pending action (None: nothing waits) with its `n of m` position."""
        if pending is None:
            self.border_title = "Nothing waiting"
            empty = Content.assemble(("No action needs you right now.", "$text-muted"))
            self.query_one(Static).update(empty)
            return
        action = pending["action"]
        agent = action["agent"]
        session = f" · session {agent['session']}" if agent.get("session") else ""
        age = age_text(now - pending["queued_at"])
        self.border_title = f"{position} · {agent['name']}{session} · waiting {age}"
        self.query_one(Static).update(Content("\n").join(_lines(action, pending)))


def _lines(action: dict[str, Any], pending: dict[str, Any]) -> list[Content]:
    verdict = pending["verdict"]
    lead = "$ " if action["kind"] == "exec" else ""
    runs = "Warden's sandbox" if action.get("executor") == "warden" else "the agent (unconfined)"
    leaves = "  asks to leave the sandbox: " + (action.get("justification") or "no reason given")
    lines = [
        Content.assemble((lead, "$text-muted"), (summary_of(action), "bold")),
        Content.assemble(
            ("cwd ", "$text-muted"),
            action.get("cwd") or "—",
            ("  runs ", "$text-muted"),
            runs,
            (leaves if action.get("escalate") else "", "bold $warning"),
        ),
        Content(""),
        Content.assemble(
            ("part                        rule                  decision", "$text-muted")
        ),
    ]
    for part in verdict.get("parts", []):
        rule = part.get("rule") or {}
        where = rule.get("id") or part.get("why") or part.get("source", "")
        lines.append(
            Content.assemble(f"{part['text'][:26]:<28}", f"{where[:20]:<22}", part["decision"])
        )
    signals = " · ".join(verdict.get("signals", [])) or "none"
    lines += [Content.assemble(("signals ", "$text-muted"), signals), Content("")]
    lines += _review(pending)
    if action["kind"] == "write" and action.get("diff"):
        lines += [Content(""), Content(action["diff"])]
    return lines


def _review(pending: dict[str, Any]) -> list[Content]:
    review = pending.get("review")
    if pending.get("reviewing"):
        return [Content.assemble(("reviewer ", "$text-muted"), "reviewing…")]
    if not review:
        return [
            Content.assemble(
                ("reviewer ", "$text-muted"),
                ("none: auto-review is off (set [reviewer] model in the config)", "$text-muted"),
            )
        ]
    risk = review.get("risk", "")
    head = Content.assemble(
        ("reviewer ", "$text-muted"),
        (f"{risk} risk", RISK_STYLES.get(risk, "")),
        f" · {review.get('outcome', '')} · user authorization {review.get('user_authorized', '?')}",
    )
    rationale = review.get("rationale") or review.get("error") or ""
    return [head, Content.assemble(" ", (f"“{rationale}”", "italic"))]
