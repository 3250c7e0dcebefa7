"""The session panel: gate settings (`set_toggle`), session grants to revoke, paused agents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Select
from textual.widgets.option_list import Option

from tui.scope_modal import scope_label

if TYPE_CHECKING:
    from tui.app import WardenApp

CHOICES: dict[str, tuple[Any, ...]] = {
    "auto_review": (True, False),
    "auto_deny_critical": (True, False),
    "review_threshold": ("low", "medium", "high", "critical"),
    "approval_policy": ("untrusted", "on-request", "on-failure", "never"),
    "sandbox_mode": ("read-only", "workspace-write", "danger-full-access"),
    "unknown_hosts": ("ask", "block"),
}
# Settings that only matter when a reviewer is configured.
REVIEW_SETTINGS = {"auto_review", "review_threshold", "auto_deny_critical"}


class SessionPanel(ModalScreen[None]):
    """Every change goes to the gate, which logs it or refuses it (the control then snaps back)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,t", "dismiss(None)", "Close", id="session-close"),
        Binding("delete,x", "revoke", "Revoke grant", id="revoke-grant"),
    ]

    @property
    def warden(self) -> WardenApp:
        """The app, typed."""
        from tui.app import WardenApp

        assert isinstance(self.app, WardenApp)
        return self.app

    def compose(self) -> ComposeResult:
        state = self.warden.state
        with Vertical(classes="dialog", id="session"):
            yield Label(Content.assemble(("Session settings", "bold")))
            with Grid(id="toggles"):
                yield Label("reviewer")
                model = state.reviewer or "none: set [reviewer] model in the config"
                yield Label(Content(model), id="reviewer")  # plain text, not markup
                for name, choices in CHOICES.items():
                    if name in REVIEW_SETTINGS and state.reviewer is None:
                        continue  # nothing to review with: these settings change nothing
                    # Only what the admin's requirements allow is offered.
                    values = [v for v in choices if v in state.allowed.get(name, choices)]
                    current = state.toggles.get(name, values[0])
                    yield Label(name.replace("_", " "))
                    options = [(_word(v), v) for v in values]
                    yield Select(options, value=current, allow_blank=False, compact=True, id=name)
            yield Label(Content.assemble(("Session grants", "bold")), id="grants-title")
            yield OptionList(id="grants")
            yield Label("", id="paused", classes="hint")
            yield Label("x revoke the highlighted grant · t or escape close", classes="hint")

    def on_mount(self) -> None:
        self.refresh_grants()

    def refresh_grants(self) -> None:
        """Show the grants and paused agents the app knows of now."""
        grants = self.query_one("#grants", OptionList)
        grants.clear_options()
        for grant in self.warden.state.grants:
            owner = (
                "every session"
                if grant.get("all_sessions")
                else f"{grant['agent']} · {grant['session']}"
            )
            grants.add_option(Option(f"{scope_label(grant)}   ({owner})", id=grant["id"]))
        if self.warden.state.grants:
            grants.highlighted = 0
        else:
            grants.add_option(Option("none", disabled=True))
        paused = [
            f"{p['agent']} {p['session'] or '(all sessions)'}" for p in self.warden.state.paused
        ]
        self.query_one("#paused", Label).update("paused: " + (", ".join(paused) or "none"))

    @on(Select.Changed)
    def _selected(self, event: Select.Changed) -> None:
        if event.select.id:
            self.set_toggle(event.select.id, event.value)

    @work(group="gate", exit_on_error=False)
    async def set_toggle(self, name: str, value: Any) -> None:
        """Ask the gate to change a setting; put the control back when it refuses."""
        if value == self.warden.state.toggles.get(name):
            return
        if await self.warden.gate_call("set_toggle", {"name": name, "value": value}) is None:
            control = self.query_one(f"#{name}", Select)
            with control.prevent(Select.Changed):
                control.value = self.warden.state.toggles.get(name)

    @work(group="gate", exit_on_error=False)
    async def action_revoke(self) -> None:
        """Revoke the highlighted grant."""
        grants = self.query_one("#grants", OptionList)
        if grants.highlighted is not None:
            grant_id = grants.get_option_at_index(grants.highlighted).id
            if grant_id:
                await self.warden.gate_call("revoke", {"grant_id": grant_id})


def _word(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)
