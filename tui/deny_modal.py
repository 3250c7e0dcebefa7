"""Deny with a message: the text goes to the agent as the reason."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class DenyModal(ModalScreen[str | None]):
    """Dismisses the message (enter), or None (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="deny-cancel"),
    ]

    def __init__(self, summary: str) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content.assemble("Deny ", (self.summary, "bold"), " and tell the agent:"))
            yield Input(placeholder="for example: run the tests instead", id="message")
            yield Label("enter deny · escape cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())
