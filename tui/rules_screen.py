"""The rules screen: the layers in force, an editor for the user and project files, a try box."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static, TextArea

from rules.atomic import write_atomic
from rules.errors import RulesFileError
from rules.layers import find_project_rules
from rules.loader import decode_rules
from rules.model import Layer
from rules.paths import user_rules_file
from rules.trust import trust_state
from tui.confirm_modal import ConfirmModal
from tui.key_bar import KeyBar
from tui.rules_check import USER_TEMPLATE, FileCheck, check_text, save_rules
from tui.rules_panels import layers_text, plural, report_text, shown, verdict_text
from tui.toml_area import TREE_SITTER_TOML, TomlArea

CHECK_DELAY = 0.25  # seconds of quiet typing before the file is checked again
DISK_POLL = 0.5  # seconds between looks at the file on disk
NARROW = 100  # below this width the editor and the side panes share the width evenly


@dataclass(frozen=True)
class EditableFile:
    """A rules file the screen can edit."""

    label: str
    path: Path
    layer: Layer


class RulesScreen(Screen[None]):
    """Edit, check and save rules files; a saved file is in force in the gate within a second.

    Args:
        cwd: where the project rules file is looked for and tried commands run (default: here).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="rules-save"),
        Binding("ctrl+t", "focus_try", "Try a command", id="rules-try"),
        Binding("ctrl+o", "other_file", "Other file", id="rules-other-file"),
        Binding("ctrl+l", "reload", "Reload from disk", id="rules-reload"),
        Binding("escape", "close", "Back", id="rules-close"),
    ]

    def __init__(self, cwd: Path | None = None) -> None:
        super().__init__()
        self.cwd = cwd or Path.cwd()
        self.files = self._editable()
        self.current = self.files[0]
        self.disk_text = ""
        self.warned_text: str | None = None  # the disk text we already warned about
        self.check = FileCheck()
        self.check_timer: Timer | None = None
        self.readable = True  # False: the file on disk could not be read, so it is not replaced

    def _editable(self) -> list[EditableFile]:
        files = [EditableFile("user rules", user_rules_file(), "user")]
        project = find_project_rules(self.cwd)
        if project is not None and trust_state(project) == "trusted":
            files.append(EditableFile("project rules", project, "project"))
        return files

    def compose(self) -> ComposeResult:
        yield Static(id="rules-layers")
        with Horizontal(id="rules-body"):
            yield TomlArea(id="rules-editor")
            with Vertical(id="rules-side"):
                with VerticalScroll(id="rules-report-box"):
                    yield Static(id="rules-report")
                with Vertical(id="rules-try-box"):
                    yield Input(placeholder="a command, e.g. git push origin main", id="rules-cmd")
                    with VerticalScroll(id="rules-verdict-box"):
                        yield Static(id="rules-verdict")
        yield KeyBar()

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "-narrow")

    def on_mount(self) -> None:
        self.query_one("#rules-report-box").border_title = "Check"
        self.query_one("#rules-try-box").border_title = "Try a command"
        self.open_file(self.current)
        self.set_interval(DISK_POLL, self.watch_disk)
        self.query_one(TomlArea).focus()

    @property
    def editor(self) -> TomlArea:
        """The text area."""
        return self.query_one(TomlArea)

    @property
    def modified(self) -> bool:
        """True when the editor holds edits that are not on disk."""
        return self.editor.text != self.disk_text

    def open_file(self, file: EditableFile) -> None:
        """Load a file into the editor (the user file is created from a template if absent)."""
        self.current = file
        if not file.path.exists() and file.layer == "user":
            try:
                write_atomic(file.path, USER_TEMPLATE)
            except OSError as exc:
                self.notify(f"Cannot create {file.path}: {exc.strerror}", severity="error")
            else:
                self.notify(f"Created {shown(file.path)} from a commented template.")
        text = self._read()
        self.readable = text is not None
        self.disk_text, self.warned_text = text or "", None
        self.editor.load_text(text or "")
        self.run_check()

    def _read(self) -> str | None:
        """The file's text on disk now; None when it cannot be read (a notice says why)."""
        try:
            return decode_rules(self.current.path.read_bytes(), str(self.current.path))
        except OSError as exc:
            self.notify(f"Cannot read {self.current.path}: {exc.strerror}", severity="error")
        except RulesFileError as exc:
            self.notify(str(exc), severity="error")
        return None

    def _show_title(self) -> None:
        state = "modified, not saved" if self.modified else "saved"
        if not self.check.ok:
            state += f" · {plural(len(self.check.problems), 'problem')}"
        self.editor.border_title = f"{state} · {self.current.label} · {shown(self.current.path)}"
        self.editor.border_subtitle = "" if TREE_SITTER_TOML else "TOML colours: built-in scanner"

    @on(TextArea.Changed, "#rules-editor")
    def _edited(self) -> None:
        if self.check_timer is not None:
            self.check_timer.stop()
        self.check_timer = self.set_timer(CHECK_DELAY, self.run_check)
        self._show_title()

    def run_check(self) -> None:
        """Check the editor's text now: problems at their lines, examples, advice."""
        self.check = check_text(self.editor.text, self.current.path, self.current.layer)
        self.editor.mark_errors(self.check.lines)
        self.query_one("#rules-report", Static).update(report_text(self.check))
        self.query_one("#rules-layers", Static).update(layers_text(self.cwd, self.current))
        self._show_title()
        self.try_command()

    @on(Input.Changed, "#rules-cmd")
    def try_command(self) -> None:
        """Judge the command in the try box by the rules as edited."""
        command = self.query_one("#rules-cmd", Input).value.strip()
        verdict = self.query_one("#rules-verdict", Static)
        if not command:
            verdict.update(Content.styled("The verdict and why appear here.", "$text-muted"))
            return
        verdict.update(verdict_text(command, str(self.cwd), self.check))

    def watch_disk(self) -> None:
        """Reload a file changed on disk; with unsaved edits, warn once instead."""
        if not self.current.path.exists():
            return
        text = self._read()
        if text is None or text == self.disk_text or text == self.warned_text:
            return
        if not self.modified:
            self.disk_text = text
            self.editor.load_text(text)
            self.run_check()
            self.notify(f"{shown(self.current.path)} changed on disk: reloaded.")
            return
        self.warned_text = text
        self.notify(
            f"{shown(self.current.path)} changed on disk and you have unsaved edits: "
            "ctrl+l loads the file (dropping your edits), ctrl+s overwrites it.",
            severity="warning",
            timeout=15,
        )

    def action_save(self) -> None:
        """Save when valid: temp file and rename, the old file kept as `.bak`."""
        self.run_check()
        if not self.check.ok:
            first = self.check.problems[0]
            self.notify(
                f"Not saved: line {first.line}: {first.message}",
                title=plural(len(self.check.problems), "problem"),
                severity="error",
                timeout=10,
            )
            return
        if not self.readable:
            self.notify(
                f"Not saved: {shown(self.current.path)} could not be read, so it is not replaced. "
                "Fix it outside the console, then ctrl+l.",
                severity="error",
                timeout=10,
            )
            return
        text = self.editor.text
        try:
            save_rules(self.current.path, text, self.current.layer)
        except (OSError, RulesFileError) as exc:
            self.notify(f"Not saved: {exc}", severity="error", timeout=10)
            return
        self.disk_text, self.warned_text = text, None
        self._show_title()
        self.notify(f"Saved {shown(self.current.path)}: the gate applies it within a second.")

    def action_focus_try(self) -> None:
        """Move to the try box (tab and shift+tab move too)."""
        self.query_one("#rules-cmd", Input).focus()

    @work(group="rules", exclusive=True, exit_on_error=False)
    async def action_other_file(self) -> None:
        """Edit the other file (user or trusted project rules)."""
        if len(self.files) < 2:
            self.notify("Only the user rules file is editable here: no trusted project file.")
            return
        if await self._may_drop_edits():
            index = (self.files.index(self.current) + 1) % len(self.files)
            self.open_file(self.files[index])

    @work(group="rules", exclusive=True, exit_on_error=False)
    async def action_reload(self) -> None:
        """Load the file from disk again, dropping unsaved edits (after asking)."""
        if await self._may_drop_edits():
            self.open_file(self.current)

    @work(group="rules", exclusive=True, exit_on_error=False)
    async def action_close(self) -> None:
        """Back to the queue; unsaved edits are confirmed first."""
        if self.query_one("#rules-cmd", Input).has_focus:
            self.editor.focus()
        elif await self._may_drop_edits():
            if self.modified:  # dropped: the screen is kept, and shows the file next time
                self.editor.load_text(self.disk_text)
                self.run_check()
            self.dismiss()

    def on_screen_resume(self) -> None:
        """Opened again (the screen is kept): the files in reach, and what changed on disk."""
        if not self.is_mounted:
            return  # the first time: `on_mount` opens the file
        self.files = self._editable()
        if self.current not in self.files:  # the project file lost its trust
            self.open_file(self.files[0])
        else:
            self.watch_disk()

    async def _may_drop_edits(self) -> bool:
        if not self.modified:
            return True
        question = f"Drop the unsaved edits to {shown(self.current.path)}?"
        answer: bool = await self.app.push_screen_wait(ConfirmModal(question, "Drop them"))
        return answer
