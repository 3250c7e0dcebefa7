"""The selected pending action in full: command, where and how it runs, rules, signals, review."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content, Span
from textual.widgets import Static

from tui.queue_state import summary_of
from tui.risk import RISK_STYLES, age_text

DIFF_STYLES = {"+": "$success", "-": "$error", "@": "$text-muted"}
# Why an action has no review, by what the console knows of the gate's reviewer.
NO_MODEL = "none: auto-review is off (set [reviewer] model in the config)"
REVIEW_OFF = "none: auto-review is off (t turns it on, then r reviews this one)"
NOT_REVIEWED = "none yet (r reviews it)"
# The task and what the agent said are cut to about three lines of an 80-column detail.
TEXT_CUT = 200


class ActionDetail(VerticalScroll):
    """Everything the person needs to decide one action, scrollable when it is long."""

    _shown: tuple[dict[str, Any] | None, str, float, str] = (None, "", 0.0, NO_MODEL)
    _drawn: tuple[str, Sequence[Span]] | None = None  # the body's text and styles

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._body = Static(id="detail-body")  # here at once: `show` may come before mounting

    def compose(self) -> ComposeResult:
        yield self._body

    def show(
        self, pending: dict[str, Any] | None, position: str, now: float, no_review: str = NO_MODEL
    ) -> None:
        """Render a pending action (None: nothing waits) with its `n of m` position.

        `no_review` says why there is no review when there is none (NO_MODEL, REVIEW_OFF, ...).
        """
        if pending is not self._shown[0] and self.scroll_offset.y:
            self.scroll_home(animate=False)  # another action: from its top
        self._shown = (pending, position, now, no_review)
        body = self._body
        if pending is None:
            self._title("Nothing waiting")
            self._update(body, Content.assemble(("No action needs you right now.", "$text-muted")))
            return
        action = pending["action"]
        agent = action["agent"]
        session = f" · session {agent['session']}" if agent.get("session") else ""
        age = age_text(now - pending["queued_at"])
        self._title(f"{position} · {agent['name']}{session} · waiting {age}")
        width = max(20, self.scrollable_content_region.width)
        self._update(body, Content("\n").join(_lines(action, pending, width, no_review)))

    def _title(self, title: str) -> None:
        if title != self.border_title:  # setting it repaints, even to the same text
            self.border_title = title

    def _update(self, body: Static, content: Content) -> None:
        """Replace the body only when it changed, and lay it out again only when its height
        changes (a layout pass can cost a frame; the next action is often as tall)."""
        drawn = (content.plain, content.spans)  # Content's == compares the text alone
        if drawn != self._drawn:
            self._drawn = drawn
            width, height = body.size
            # Textual measures a widget's content the same way (Widget.get_content_height); its
            # styles stand in for the rules mapping the annotation asks for.
            rules: Any = body.styles
            same = bool(width) and content.get_height(rules, width) == height
            body.update(content, layout=not same)

    def on_resize(self, event: events.Resize) -> None:
        self.show(*self._shown)  # the parts table fits the width


def _lines(
    action: dict[str, Any], pending: dict[str, Any], width: int, no_review: str
) -> list[Content]:
    verdict = pending["verdict"]
    lead = "$ " if action["kind"] == "exec" else ""
    runs = "Warden's sandbox" if action.get("executor") == "warden" else "the agent (unconfined)"
    lines = [
        Content.assemble((lead, "$text-muted"), (summary_of(action), "bold")),
        Content.assemble(("cwd  ", "$text-muted"), action.get("cwd") or "—"),
        Content.assemble(("runs ", "$text-muted"), runs),
    ]
    lines += _context(action.get("context") or {})
    if action.get("escalate"):
        why = action.get("justification") or "no reason given"
        lines.append(Content.assemble(("asks to leave the sandbox: ", "bold $warning"), why))
    elif action.get("justification"):
        lines.append(Content.assemble(("why  ", "$text-muted"), action["justification"]))
    if action["kind"] == "tool" and action.get("arguments"):
        arguments = json.dumps(action["arguments"], ensure_ascii=False)
        lines.append(Content.assemble(("args ", "$text-muted"), arguments))
    lines += [Content(""), *_parts(verdict, width)]
    signals = " · ".join(verdict.get("signals", [])) or "none"
    lines += [Content.assemble(("signals ", "$text-muted"), signals), Content("")]
    lines += _review(pending, no_review)
    if action["kind"] == "write" and action.get("diff"):
        lines.append(Content(""))
        lines += [
            Content.assemble((line, DIFF_STYLES.get(line[:1], "")))
            for line in action["diff"].splitlines()
        ]
    return lines


def _context(context: dict[str, Any]) -> list[Content]:
    """What the action came from: the user's task, the command it is part of, what the agent
    said last (each cut to a few lines)."""
    turns = context.get("turns") or []
    lines = []
    if context.get("task"):
        lines.append(Content.assemble(("task ", "$text-muted"), _cut(context["task"], TEXT_CUT)))
    for turn in turns:
        if turn.get("role") == "command":
            lines.append(Content.assemble(("from ", "$text-muted"), "$ ", turn.get("text", "")))
    said = [t for t in turns if t.get("role") == "assistant" and t.get("text")]
    if said:
        text = _cut(" ".join(said[-1]["text"].split()), TEXT_CUT)
        lines.append(Content.assemble(("said ", "$text-muted"), (text, "italic")))
    return lines


def _parts(verdict: dict[str, Any], width: int) -> list[Content]:
    """Each parsed part with its rule (or reason) and decision, in columns that fit `width`."""
    decision_width = 8
    room = max(8, width - decision_width)
    text_width = min(48, room * 11 // 20)
    rule_width = min(36, room - text_width)
    head = f"{'part':<{text_width}}{'rule':<{rule_width}}decision"
    lines = [Content.assemble((head, "$text-muted"))]
    for part in verdict.get("parts", []):
        rule = part.get("rule") or {}
        where = rule.get("id") or part.get("why") or part.get("source", "")
        lines.append(
            Content.assemble(
                f"{_cut(part['text'], text_width - 2):<{text_width}}",
                (f"{_cut(where, rule_width - 2):<{rule_width}}", "$text-muted"),
                part["decision"],
            )
        )
    return lines


def _review(pending: dict[str, Any], no_review: str) -> list[Content]:
    review = pending.get("review")
    if pending.get("reviewing"):
        return [Content.assemble(("reviewer ", "$text-muted"), "reviewing…")]
    if not review:
        return [Content.assemble(("reviewer ", "$text-muted"), (no_review, "$text-muted"))]
    if review.get("error"):
        return [
            Content.assemble(
                ("reviewer ", "$text-muted"), ("failed", "bold $error"), " · waits for you"
            ),
            Content.assemble(" ", (review["error"], "$error")),
            Content.assemble((" r re-runs the review", "$text-muted")),
        ]
    risk = review.get("risk", "")
    outcome = {"approve": "approves", "escalate": "asks you", "deny": "denies"}
    facts = [f"user authorization {review.get('user_authorized') or '?'}"]
    if review.get("latency_ms"):
        facts.append(f"{review['latency_ms'] / 1000:.1f} s")
    if review.get("tokens"):
        facts.append(f"{review['tokens']} tok")
    return [
        Content.assemble(
            ("reviewer ", "$text-muted"),
            (f"{risk} risk", RISK_STYLES.get(risk, "")),
            f" · {outcome.get(review.get('outcome', ''), review.get('outcome', ''))}",
        ),
        Content.assemble((" · ".join(facts), "$text-muted")),
        Content.assemble(" ", (f"“{review.get('rationale', '')}”", "italic")),
    ]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"
