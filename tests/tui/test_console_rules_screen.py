"""The rules screen against a real gate: checked at each edit, saved only when valid, obeyed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from rules.paths import user_rules_file
from rules.trust import trust_project, trust_state
from tests.tui.console_helpers import ASK, Agent, make_gate, until
from tui.app import WardenApp
from tui.rules_screen import RulesScreen
from tui.toml_area import TomlArea

SIZE = (120, 36)
MINE = "# my own notes: keep them\nversion = 1\n"
BROKEN_RULE = """
# let the frobnicator run
[[command]]
id = "frob"
prefix = ["frobnicate"]
decision = "alow"
examples = ["frobnicate --now"]
"""


def _text(widget: Static) -> str:
    return str(widget.content)


def _end(editor: TomlArea) -> tuple[int, int]:
    return editor.document.end


def _mine(tmp_path: Path) -> tuple[Path, WardenApp]:
    """The user rules file holding MINE, and a console on a gate of its own."""
    path = user_rules_file()
    path.parent.mkdir(parents=True)
    path.write_text(MINE)
    return path, WardenApp(gate_factory=lambda: make_gate(tmp_path))


async def _open(pilot: Pilot[None], app: WardenApp) -> RulesScreen:
    await until(pilot, lambda: app.client is not None)
    await pilot.press("ctrl+r")
    await until(pilot, lambda: isinstance(app.screen, RulesScreen))
    screen = app.screen
    assert isinstance(screen, RulesScreen)
    return screen


async def test_error_at_its_line_then_fixed_saves_and_the_gate_applies_it(
    tmp_path: Path,
) -> None:
    path, app = _mine(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        editor = screen.editor
        assert editor.text == MINE
        editor.insert(BROKEN_RULE, _end(editor))
        await until(pilot, lambda: not screen.check.ok)

        decision_line = (MINE + BROKEN_RULE).splitlines().index('decision = "alow"') + 1
        assert screen.check.lines == {decision_line}
        assert editor.error_lines == {decision_line}
        report = _text(screen.query_one("#rules-report", Static))
        assert f"line {decision_line}:" in report
        assert "alow" in report

        await pilot.press("ctrl+s")
        await pilot.pause()
        assert path.read_text() == MINE  # an invalid file is never written
        assert not path.with_name("rules.toml.bak").exists()
        assert "modified" in str(editor.border_title)

        row = decision_line - 1
        column = editor.document.get_line(row).index("alow")
        editor.replace("allow", (row, column), (row, column + 4))
        await until(pilot, lambda: screen.check.ok)
        assert editor.error_lines == frozenset()
        assert [(e.rule_id, e.total, e.failures) for e in screen.check.examples] == [
            ("frob", 1, ())
        ]

        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = path.read_text()
        assert saved == MINE + BROKEN_RULE.replace("alow", "allow")
        assert saved.startswith("# my own notes: keep them")  # comments kept
        assert path.with_name("rules.toml.bak").read_text() == MINE
        assert not list(path.parent.glob(".rules.toml.*.tmp"))  # the temp file was renamed
        assert "saved" in str(editor.border_title)

        agent = Agent()
        try:
            decided = await asyncio.wait_for(agent.submit(ASK), timeout=10)
        finally:
            await agent.close()
        assert decided["decision"] == "allow"
        assert decided["source"] == "rules"
        assert decided["rule"]["id"] == "frob"
        assert decided["rule"]["line"] == decision_line - 3


async def test_try_box_judges_by_the_edited_rules_before_saving(tmp_path: Path) -> None:
    path, app = _mine(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        await pilot.press("ctrl+t", *ASK)
        assert screen.query_one("#rules-cmd", Input).value == ASK
        verdict = screen.query_one("#rules-verdict", Static)
        await until(pilot, lambda: "no rule matches" in _text(verdict))
        assert _text(verdict).lstrip().startswith("ask")

        fixed = BROKEN_RULE.replace("alow", "allow")
        screen.editor.insert(fixed, _end(screen.editor))
        await until(pilot, lambda: "decided by your rules" in _text(verdict))
        shown = _text(verdict)
        assert shown.lstrip().startswith("allow")
        assert (
            f"frob · warden/rules.toml:{(MINE + fixed).splitlines().index('[[command]]') + 1}"
            in shown
        )
        assert path.read_text() == MINE  # trying saves nothing

        await pilot.press("ctrl+t", "ctrl+u", *"rm -rf ~")
        await until(pilot, lambda: "block" in _text(verdict))
        assert "built-in" in _text(verdict)


async def test_a_file_changed_on_disk_reloads_unless_edits_are_unsaved(tmp_path: Path) -> None:
    path, app = _mine(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        elsewhere = MINE + '\n[[tool]]\nname = "mcp__github__*"\ndecision = "ask"\n'
        path.write_text(elsewhere)
        await until(pilot, lambda: screen.editor.text == elsewhere)
        assert not screen.modified
        assert [e.rule_id for e in screen.check.examples] == ["user:rules.toml:4"]

        screen.editor.insert("# mine, unsaved\n", (0, 0))
        again = elsewhere + '\n[[network]]\nhost = "example.org"\ndecision = "block"\n'
        path.write_text(again)
        await until(pilot, lambda: screen.warned_text == again)
        assert screen.editor.text.startswith("# mine, unsaved\n")
        assert any("unsaved edits" in n.message for n in app._notifications)

        await pilot.press("ctrl+l")  # reload, dropping the edit: asks first
        await until(pilot, lambda: app.screen.query("#yes"))
        await pilot.press("y")
        await until(pilot, lambda: screen.editor.text == again)


async def test_the_screen_is_kept_but_dropped_edits_are_gone_and_disk_changes_shown(
    tmp_path: Path,
) -> None:
    path, app = _mine(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        screen.editor.insert("# mine, unsaved\n", (0, 0))
        await pilot.press("escape")  # unsaved edits: asks first
        await until(pilot, lambda: app.screen.query("#yes"))
        await pilot.press("y")
        await until(pilot, lambda: not isinstance(app.screen, RulesScreen))
        changed = MINE + "# changed while the screen was away\n"
        path.write_text(changed)
        assert await _open(pilot, app) is screen  # the same screen, shown again
        await until(pilot, lambda: screen.editor.text == changed)
        assert not screen.modified


async def test_absent_user_file_is_created_from_the_template(tmp_path: Path) -> None:
    path = user_rules_file()
    app = WardenApp(gate_factory=lambda: make_gate(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        assert path.read_text() == screen.editor.text
        assert screen.editor.text.startswith("# Your Warden rules")
        assert screen.check.ok
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, RulesScreen))


async def test_trusted_project_file_is_editable_and_stays_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "shop"
    (project / ".git").mkdir(parents=True)
    rules = project / ".warden" / "rules.toml"
    rules.parent.mkdir()
    rules.write_text("# shop rules\nversion = 1\n")
    trust_project(rules)
    monkeypatch.chdir(project)
    app = WardenApp(gate_factory=lambda: make_gate(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        assert [f.layer for f in screen.files] == ["user", "project"]
        await pilot.press("ctrl+o")
        await until(pilot, lambda: screen.current.layer == "project")
        assert screen.editor.text == "# shop rules\nversion = 1\n"
        assert "project ✎" in str(screen.query_one("#rules-layers", Static).content)
        screen.editor.insert(
            '\n[[network]]\nhost = "*.corp.example"\ndecision = "block"\n', _end(screen.editor)
        )
        await until(pilot, lambda: screen.modified and screen.check.ok)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not screen.modified)
        assert "corp.example" in rules.read_text()
        assert trust_state(rules) == "trusted"  # Warden's own edit keeps the trust


async def test_untrusted_project_file_is_not_offered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "shop"
    (project / ".git").mkdir(parents=True)
    (project / ".warden").mkdir()
    (project / ".warden" / "rules.toml").write_text("version = 1\n")
    monkeypatch.chdir(project)
    app = WardenApp(gate_factory=lambda: make_gate(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        assert [f.layer for f in screen.files] == ["user"]
        assert "(not trusted)" in str(screen.query_one("#rules-layers", Static).content)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert screen.current.layer == "user"


async def test_an_unreadable_file_is_never_replaced(tmp_path: Path) -> None:
    path = user_rules_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"version = 1\n# caf\xe9\n")  # Latin-1, not UTF-8
    app = WardenApp(gate_factory=lambda: make_gate(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        assert any("not UTF-8" in n.message for n in app._notifications)
        screen.editor.insert("version = 1\n", (0, 0))
        await until(pilot, lambda: screen.check.ok)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert path.read_bytes() == b"version = 1\n# caf\xe9\n"
        assert any("could not be read" in n.message for n in app._notifications)
