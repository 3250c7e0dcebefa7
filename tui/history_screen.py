"""The history screen: every decision in the audit log, newest first, filtered as you type."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import get_current_worker

from gate.audit_files import default_path
from tui.history_source import (
    DECIDED,
    FILTER_HELP,
    HistoryFilter,
    records_newest_first,
    row_cells,
)
from tui.record_modal import RecordModal
from tui.rules_panels import shown as shown_path

if TYPE_CHECKING:
    from tui.app import WardenApp

PAGE = 200  # rows added to the table at a time; more come as the cursor nears the end
BATCH = 2_000  # records the background reader hands over at a time
WIDE = 100  # from this width on, the table shows dates and sessions
DECISION_COLOURS = {"allow": "success", "deny": "error"}


def audit_path(app: WardenApp) -> Path:
    """The log of the gate the console is attached to: its own gate's, else the default."""
    attachment = app.attachment
    if attachment is not None and attachment.server is not None:
        return attachment.server.gate.audit.path
    return default_path()


class HistoryScreen(Screen[None]):
    """A filter box over a table of decisions; `enter` on a row opens its record."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="history-close"),
        Binding("slash", "focus_filter", "Filter", id="history-filter"),
        Binding("ctrl+l", "clear_filter", "Clear filter", id="history-clear"),
        Binding("j", "table('cursor_down')", "Down", show=False, id="history-down"),
        Binding("k", "table('cursor_up')", "Up", show=False, id="history-up"),
        Binding("g", "table('scroll_top')", "Newest", show=False, id="history-newest"),
        Binding("G", "table('scroll_bottom')", "Oldest", show=False, id="history-oldest"),
    ]

    class Loaded(Message):
        """The background reader found older records (newest first); `done` when no more."""

        def __init__(self, records: list[dict[str, Any]], done: bool) -> None:
            super().__init__()
            self.records = records
            self.done = done

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = path
        self.records: list[dict[str, Any]] = []  # decided records, newest first
        self.by_seq: dict[str, dict[str, Any]] = {}
        self.filter = HistoryFilter()
        self.scanned = 0  # records looked at for the table so far
        self.matched = 0  # of which in the table
        self.limit = PAGE
        self.newest = 0  # seq of the newest record read (any event)
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
        yield DataTable(cursor_type="row", zebra_stripes=True, id="history-table")
        yield Static(id="history-status")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.path = self.path or audit_path(self.warden)
        wide = self.app.size.width >= WIDE
        table = self.query_one(DataTable)
        # What the other columns, the cell padding and the scrollbar leave (no sideways scroll).
        summary = max(16, self.app.size.width - (80 if wide else 58))
        columns = [
            ("time", 14 if wide else 8),
            ("agent · session" if wide else "agent", 25 if wide else 12),
            ("kind", 7),
            ("summary", summary),
            ("decision", 8),
            ("source", 11 if wide else 9),
        ]
        for label, width in columns:
            table.add_column(label, width=width, key=label.split()[0])
        reader = records_newest_first(self.path)
        first: list[dict[str, Any]] = []
        for record in reader:  # the newest page now, so the first screen is never empty
            self.newest = self.newest or record["seq"]
            if record["event"] == DECIDED:
                first.append(record)
                if len(first) >= PAGE:
                    break
        else:
            self.done = True
        self._add(first)
        if not self.done:
            self.read_older(reader)
        table.focus()

    @work(thread=True, group="history", exit_on_error=False)
    def read_older(self, reader: Iterator[dict[str, Any]]) -> None:
        """Read the rest of the log in the background, handing it over in batches."""
        worker = get_current_worker()
        batch: list[dict[str, Any]] = []
        for record in reader:
            if record["event"] == DECIDED:
                batch.append(record)
                if len(batch) >= BATCH:
                    if worker.is_cancelled:  # the screen closed: stop reading
                        return
                    self.post_message(self.Loaded(batch, done=False))
                    batch = []
        self.post_message(self.Loaded(batch, done=True))

    def on_history_screen_loaded(self, message: Loaded) -> None:
        self.done = message.done
        self._add(message.records)

    def _add(self, records: list[dict[str, Any]]) -> None:
        """Older records arrived: remember them and fill the table up to its limit."""
        self.records.extend(records)
        for record in records:
            self.by_seq[str(record["seq"])] = record
        self._fill()

    def _fill(self) -> None:
        """Add matching rows until the table holds `limit` of them or the records run out."""
        table = self.query_one(DataTable)
        rows = []
        while self.matched < self.limit and self.scanned < len(self.records):
            record = self.records[self.scanned]
            self.scanned += 1
            if self.filter.matches(record):
                rows.append(record)
                self.matched += 1
        for record in rows:
            table.add_row(*self._cells(record), key=str(record["seq"]))
        self._status()

    def _cells(self, record: dict[str, Any]) -> list[Text]:
        when, who, kind, summary, decision, source = row_cells(record, self.app.size.width >= WIDE)
        colour = self.app.theme_variables.get(DECISION_COLOURS.get(decision, ""), "")
        style = Style(color=colour, bold=decision == "deny") if colour else ""
        return [
            Text(when, style="dim"),
            Text(who),
            Text(kind),
            Text(summary, overflow="ellipsis", no_wrap=True),
            Text(decision, style=style),
            Text(source),
        ]

    def _status(self) -> None:
        shown = (
            f"{self.matched:,} shown" if self.matched < self.limit else f"first {self.matched:,}"
        )
        query = self.query_one("#history-query", Input).value.strip()
        what = f"{shown} matching `{query}`" if query else shown
        self._title()
        self.query_one("#history-status", Static).update(
            f" {what} · enter: full record · / filter · escape back"
        )

    def _title(self) -> None:
        """Counts and the log's path; what waits for a person, so it is not missed here."""
        loaded = f"{len(self.records):,} decisions" + ("" if self.done else " so far (reading…)")
        waiting = len(self.warden.state.pending)
        self.query_one("#history-title", Static).update(
            Content.assemble(
                (" History ", "bold reverse $primary"),
                f" {loaded} · {shown_path(self.path or '')}",
                (f" · {waiting} waiting: escape" if waiting else "", "bold $warning"),
            )
        )

    def refresh_live(self) -> None:
        """Put decisions made since the screen opened at the top (the gate reported some)."""
        if self.path is None:
            return
        self._title()
        fresh = []
        for record in records_newest_first(self.path, after=self.newest):
            fresh.append(record)
        if not fresh:
            return
        self.newest = fresh[0]["seq"]
        decided = [r for r in fresh if r["event"] == DECIDED]
        if not decided:
            return
        for record in decided:
            self.by_seq[str(record["seq"])] = record
        self.records[0:0] = decided
        self._rebuild(keep_cursor=True)

    def _rebuild(self, keep_cursor: bool) -> None:
        """Refill the table from the newest record (the filter changed, or new rows came)."""
        table = self.query_one(DataTable)
        selected = None
        if keep_cursor and table.row_count:
            selected = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        table.clear()
        self.scanned = self.matched = 0
        self._fill()
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected), animate=False)

    @on(Input.Changed, "#history-query")
    def _query_changed(self, event: Input.Changed) -> None:
        self.filter = HistoryFilter.parse(event.value)
        self.limit = PAGE
        self._rebuild(keep_cursor=False)

    @on(Input.Submitted, "#history-query")
    def _query_submitted(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowHighlighted)
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.matched - 20 and self.scanned < len(self.records):
            self.limit += PAGE
            self._fill()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        record = self.by_seq.get(str(event.row_key.value))
        if record is not None:
            self.app.push_screen(RecordModal(record))

    def action_table(self, action: str) -> None:
        """Move in the table (j/k, g newest, G oldest loaded), whatever has focus."""
        table = self.query_one(DataTable)
        table.focus()
        getattr(table, f"action_{action}")()

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
            self.query_one(DataTable).focus()
        else:
            self.dismiss()
