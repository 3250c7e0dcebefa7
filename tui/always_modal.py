"""Approve always: a scope and the rules file (user or project) the narrowed rule goes to."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, RadioButton, RadioSet
from textual.widgets.option_list import Option

from tui.scope_modal import scope_label

Choice = tuple[str, dict[str, Any]]


class AlwaysModal(ModalScreen[Choice | None]):
    """Dismisses `(target, scope)` with target `user` or `project`, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="always-cancel"),
    ]

    def __init__(self, summary: str, scopes: list[dict[str, Any]]) -> None:
        super().__init__()
        self.summary = summary
        self.scopes = scopes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content.assemble("Always allow, for ", (self.summary, "bold"), ":"))
            with RadioSet(id="target"):
                yield RadioButton("user rules file (every project)", value=True, id="user")
                yield RadioButton("project rules file (this project, if trusted)", id="project")
            options = [Option(scope_label(s), id=str(i)) for i, s in enumerate(self.scopes)]
            yield OptionList(*options, id="scopes")
            yield Label(
                "The gate writes the narrowed rule and refuses one a guard or requirement "
                "would stop; enter choose · escape cancel",
                classes="hint",
            )

    def on_mount(self) -> None:
        scopes = self.query_one(OptionList)
        scopes.highlighted = 0
        scopes.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        pressed = self.query_one(RadioSet).pressed_button
        target = pressed.id if pressed is not None and pressed.id else "user"
        self.dismiss((target, self.scopes[event.option_index]))
