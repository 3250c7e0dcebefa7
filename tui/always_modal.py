"""Approve always: a scope and the rules file (user or project), with the rule it would write."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, RadioButton, RadioSet
from textual.widgets.option_list import Option

from tui.scope_modal import scope_label

Choice = tuple[str, dict[str, Any]]
# Asks the gate what a (target, scope) would write: `{"ok", "file", "rule", "reason"}`.
Preview = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any] | None]]


class AlwaysModal(ModalScreen[Choice | None]):
    """Dismisses `(target, scope)` with target `user` or `project`, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="always-cancel"),
    ]

    def __init__(self, summary: str, scopes: list[dict[str, Any]], preview: Preview) -> None:
        super().__init__()
        self.summary = summary
        self.scopes = scopes
        self.preview = preview

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content.assemble("Always allow, for ", (self.summary, "bold"), ":"))
            with RadioSet(id="target"):
                yield RadioButton("user rules file (every project)", value=True, id="user")
                yield RadioButton("project rules file (this project, if trusted)", id="project")
            options = [Option(scope_label(s), id=str(i)) for i, s in enumerate(self.scopes)]
            yield OptionList(*options, id="scopes")
            yield Label("checking what this would write…", id="preview")
            yield Label("enter write it · escape cancel", classes="hint")

    def on_mount(self) -> None:
        scopes = self.query_one(OptionList)
        scopes.highlighted = 0
        scopes.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss((self._target(), self.scopes[event.option_index]))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_preview()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.show_preview()

    @work(exclusive=True, group="always-preview", exit_on_error=False)
    async def show_preview(self) -> None:
        """Show the rule the chosen scope and file would get, or why the gate would refuse it."""
        index = self.query_one(OptionList).highlighted
        if index is None:
            return
        answer = await self.preview(self._target(), self.scopes[index])
        label = self.query_one("#preview", Label)
        if answer is None:
            label.update("The gate could not say what this would write.")
        elif answer["ok"]:
            note = f"\n{answer['reason']}" if answer.get("reason") else ""
            label.update(
                Content.assemble(
                    "Writes to ",
                    (str(answer["file"]), "bold"),
                    ":\n",
                    (answer["rule"], "italic"),
                    note,
                )
            )
        else:
            label.update(
                Content.assemble(("Would not be written: ", "bold $warning"), answer["reason"])
            )

    def _target(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return pressed.id if pressed is not None and pressed.id else "user"
