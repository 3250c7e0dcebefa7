"""Choose a grant scope from the gate's `scopes` answer (narrowest first, preselected)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Label, OptionList
from textual.widgets.option_list import Option


def scope_label(spec: dict[str, Any]) -> str:
    """`prefix git push origin`, `folder /src (write)`: as the gate's GrantSpec.label()."""
    access = f" ({spec['access']})" if spec.get("access") else ""
    return f"{spec['scope']} {' '.join(spec['value'])}{access}"


class ScopeModal(ModalScreen[dict[str, Any] | None]):
    """Dismisses the chosen scope (with `all_sessions` set from the checkbox), or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="scope-cancel"),
    ]

    def __init__(self, title: str, scopes: list[dict[str, Any]], note: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.scopes = scopes
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content.assemble((self.title_text, "bold")))
            options = [Option(scope_label(s), id=str(i)) for i, s in enumerate(self.scopes)]
            yield OptionList(*options, id="scopes")
            yield Checkbox("every session, not only this one", id="all-sessions")
            if self.note:
                yield Label(self.note, classes="hint")
            yield Label("enter choose · tab all sessions · escape cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        spec = dict(self.scopes[event.option_index])
        spec["all_sessions"] = self.query_one(Checkbox).value
        self.dismiss(spec)
