"""One audit record in full, as JSON, in a modal (opened from the history screen)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea


class RecordModal(ModalScreen[None]):
    """The record's JSON, read-only (select and copy work), closed by escape, enter or q."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "dismiss(None)", "Close", id="record-close"),
    ]

    def __init__(self, record: dict[str, Any]) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        seq, event = self.record.get("seq"), self.record.get("event")
        with Vertical(classes="dialog", id="record"):
            yield Label(Content.assemble((f"Audit record {seq} · {event}", "bold")))
            text = json.dumps(self.record, indent=2, ensure_ascii=False, sort_keys=True)
            yield TextArea(text, read_only=True, soft_wrap=True, id="record-json")
            yield Label("escape, enter or q close · the log is `warden log --json`", classes="hint")
