"""The history screen: every decision in the audit log, newest first, filtered as you type."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static

from gate.audit_files import default_path
from tui.history_source import (
    FILTER_HELP,
    HistoryFilter,
    decisions_newest_first,
    searchable,
)
from tui.history_table import HistoryTable
from tui.key_bar import KeyBar
from tui.record_modal import RecordModal
from tui.rules_panels import shown as shown_path

if TYPE_CHECKING:
    from tui.app import WardenApp

AHEAD = 100  # matching rows kept read beyond the cursor (more than a screenful)
CHUNK = 500  # decisions read per step; keys are answered between steps


def audit_path(app: WardenApp) -> Path:
    """The log of the gate the console is attached to: its own gate's, else the default."""
    attachment = app.attachment
    if attachment is not None and attachment.server is not None:
        return attachment.server.gate.audit.path
    return default_path()


class HistoryScreen(Screen[None]):
    """A filter box over a table of decisions; `enter` on a row opens its record."""

    AUTO_FOCUS = "HistoryTable"  # focused before the first layout, not restyled after it

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="history-close"),
        Binding("slash", "focus_filter", "Filter", id="history-filter"),
        Binding("ctrl+l", "clear_filter", "Clear filter", id="history-clear"),
        Binding("j", "table('cursor_down')", "Down", show=False, id="history-down"),
        Binding("k", "table('cursor_up')", "Up", show=False, id="history-up"),
        Binding("g,home", "table('first')", "Newest", show=False, id="history-newest"),
        Binding("G,end", "table('last')", "Oldest", show=False, id="history-oldest"),
    ]

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = path
        self.records: list[dict[str, Any]] = []  # decided records, newest first
        self.matching: list[dict[str, Any]] = []  # those the filter lets through, in the table
        self.texts: dict[int, str] = {}  # searchable text by seq, made as records are read
        self.filter = HistoryFilter()
        self.newest = 0  # seq of the newest decision read
        self.reader: Iterator[dict[str, Any]] = iter(())  # decisions, newest first, read on demand
        self.wanted = AHEAD  # matching rows to have read (the rest is read as you go down)
        self.reading = False  # a chunk is due
        self.to_end = False  # `G`: read to the oldest record and stay there
        self.done = False

    @property
    def warden(self) -> WardenApp:
        """The app, typed."""
        from tui.app import WardenApp

        assert isinstance(self.app, WardenApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield Static(id="history-title")
        yield Input(placeholder=FILTER_HELP, id="history-query")
        yield HistoryTable(id="history-table")
        yield Static(id="history-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.path = self.path or audit_path(self.warden)
        self.reader = decisions_newest_first(self.path)
        self._read()

    def on_screen_resume(self) -> None:
        self.refresh_live()  # the screen is kept between visits: what was decided meanwhile

    @property
    def table(self) -> HistoryTable:
        """The table of decisions."""
        return self.query_one(HistoryTable)

    def _read(self) -> None:
        """Read a chunk of decisions; go on (after answering keys) until `wanted` rows match."""
        self.reading = False
        decided = list(islice(self.reader, CHUNK))
        self.done = len(decided) < CHUNK
        if decided:
            self.newest = self.newest or decided[0]["seq"]
        self._keep(decided)
        self.records.extend(decided)
        self.matching.extend(self._filtered(decided))
        self.table.show(self.matching)
        if self.to_end:
            self.table.action_last()
        self._status()
        self._want()

    def _keep(self, records: list[dict[str, Any]]) -> None:
        """Make the records' searchable texts now, a chunk at a time, not at a filter's key."""
        for record in records:
            self.texts[record["seq"]] = searchable(record)

    def _filtered(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The records the filter lets through (with the searchable texts made as they came)."""
        matches, texts = self.filter.matches, self.texts
        return [r for r in records if matches(r, texts[r["seq"]])]

    def _want(self, rows: int = 0) -> None:
        """Have at least `rows` matching rows read; reading goes on between key presses."""
        self.wanted = max(self.wanted, rows)
        if not self.done and not self.reading and len(self.matching) < self.wanted:
            self.reading = True
            self.call_later(self._read)

    @on(HistoryTable.NearEnd)
    def _near_end(self) -> None:
        self._want((self.table.cursor or 0) + AHEAD)

    def _status(self) -> None:
        shown = f"{len(self.matching):,} shown" + ("" if self.done else ", more below")
        query = self.query_one("#history-query", Input).value.strip()
        what = f"{shown} matching `{query}`" if query else shown
        self._title()
        self.query_one("#history-status", Static).update(
            f" {what} · enter: full record · / filter · escape back"
        )

    def _title(self) -> None:
        """Counts and the log's path; what waits for a person, so it is not missed here."""
        loaded = f"{len(self.records):,} decisions" + ("" if self.done else " read (G: all)")
        waiting = len(self.warden.state.pending)
        self.query_one("#history-title", Static).update(
            Content.assemble(
                (" History ", "bold reverse $primary"),
                f" {loaded} · {shown_path(self.path or '')}",
                (f" · {waiting} waiting: escape" if waiting else "", "bold $warning"),
            )
        )

    def refresh_live(self) -> None:
        """Put decisions made since the last look at the top (the gate reported some)."""
        if self.path is None:
            return
        self._title()
        decided = list(decisions_newest_first(self.path, after=self.newest))
        if not decided:
            return
        self.newest = decided[0]["seq"]
        self._keep(decided)
        self.records[0:0] = decided
        self.matching[0:0] = self._filtered(decided)
        self.table.show(self.matching)
        self._status()

    @on(Input.Changed, "#history-query")
    def _query_changed(self, event: Input.Changed) -> None:
        self.filter = HistoryFilter.parse(event.value)
        self.matching = self._filtered(self.records)
        self.table.show(self.matching, keep_cursor=False)
        self.wanted, self.to_end = AHEAD, False
        self._status()
        self._want()

    @on(Input.Submitted, "#history-query")
    def _query_submitted(self) -> None:
        self.table.focus()

    @on(HistoryTable.Selected)
    def _open(self, event: HistoryTable.Selected) -> None:
        self.app.push_screen(RecordModal(event.record))

    def action_table(self, action: str) -> None:
        """Move in the table (j/k, g newest, G oldest), whatever has focus."""
        self.table.focus()
        self.to_end = action == "last"
        if self.to_end:
            self._want(sys.maxsize)  # the whole log: the cursor follows the reading down
        getattr(self.table, f"action_{action}")()

    def action_focus_filter(self) -> None:
        """Move to the filter box."""
        self.query_one("#history-query", Input).focus()

    def action_clear_filter(self) -> None:
        """Empty the filter: every decision again."""
        self.query_one("#history-query", Input).value = ""

    def action_close(self) -> None:
        """Back to the queue (escape in the filter box first returns to the table)."""
        query = self.query_one("#history-query", Input)
        if query.has_focus:
            self.table.focus()
        else:
            self.dismiss()
