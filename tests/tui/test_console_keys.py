"""The queue screen's keys against a real gate: what the agent hears and what the audit log says."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Label, Static

from gate.server import GateServer
from rules.paths import config_file, user_rules_file
from tests.tui.console_helpers import ASK, Agent, audit_events, make_gate, until
from tui.action_detail import ActionDetail
from tui.action_list import ActionList
from tui.app import WardenApp
from tui.confirm_modal import ConfirmModal
from tui.detail_screen import DetailScreen
from tui.history_screen import HistoryScreen
from tui.key_bar import KeyBar
from tui.queue_screen import QueueScreen
from tui.rules_screen import RulesScreen

SIZE = (120, 36)


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[GateServer]:
    async with GateServer(make_gate(tmp_path)) as running:
        yield running


@pytest.fixture
async def agent(server: GateServer) -> AsyncIterator[Agent]:
    submitting = Agent()
    yield submitting
    await submitting.close()


async def test_y_allows_and_the_agent_hears_it(tmp_path: Path, agent: Agent) -> None:
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        answer = agent.submit(ASK)
        await until(pilot, lambda: app.state.pending)
        assert app.origin == "shared gate"
        assert app.window_title == "(1) Warden — 1 waiting"
        await pilot.press("y")
        decision = await answer
    assert (decision["decision"], decision["source"]) == ("allow", "user")
    assert [r["summary"] for r in audit_events(tmp_path, "action.decided")] == [ASK]


async def test_n_denies(agent: Agent) -> None:
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        answer = agent.submit(ASK)
        await until(pilot, lambda: app.state.pending)
        await pilot.press("n")
        assert (await answer)["decision"] == "deny"
        await until(pilot, lambda: not app.state.pending)
        assert app.window_title == "Warden"


async def test_d_sends_the_message_to_the_agent(tmp_path: Path, agent: Agent) -> None:
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        answer = agent.submit(ASK)
        await until(pilot, lambda: app.state.pending)
        await pilot.press("d", *"run the tests instead", "enter")
        decision = await answer
    assert (decision["decision"], decision["message"]) == ("deny", "run the tests instead")
    assert audit_events(tmp_path, "action.decided")[0]["message"] == "run the tests instead"


async def test_s_grants_the_scope_and_a_matching_action_then_passes(
    server: GateServer, agent: Agent
) -> None:
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        answer = agent.submit(ASK)
        await until(pilot, lambda: app.state.pending)
        await pilot.press("s")
        await until(pilot, lambda: app.screen.query("#scopes"))
        await pilot.press("enter")  # the narrowest scope, preselected
        assert (await answer)["source"] == "user"
        await until(pilot, lambda: app.state.grants)
        [grant] = server.gate.grant_store.list()
        assert (grant.scope, grant.value) == ("exact", [ASK])
        again = await agent.submit(ASK)
    assert (again["decision"], again["source"]) == ("allow", "session")


async def test_bulk_approve_covers_every_action_the_grant_covers(agent: Agent) -> None:
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        first, second = agent.submit("frobnicate --now"), agent.submit("frobnicate --later")
        await until(pilot, lambda: len(app.state.pending) == 2)
        await pilot.press("Y")
        await until(pilot, lambda: app.screen.query("#scopes"))
        await pilot.press("end", "enter")  # the widest: the program
        decisions = [await first, await second]
    assert [d["decision"] for d in decisions] == ["allow", "allow"]


async def test_a_writes_a_rule_to_the_user_rules_file(tmp_path: Path, agent: Agent) -> None:
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        answer = agent.submit(ASK)
        await until(pilot, lambda: app.state.pending)
        await pilot.press("a")
        await until(pilot, lambda: app.screen.query("#target"))
        # Before anything is written, the modal shows the rule and the file it goes to.
        preview = app.screen.query_one("#preview", Label)
        await until(pilot, lambda: "Writes to" in str(preview.render()))
        shown = str(preview.render())
        assert str(user_rules_file()).replace(str(Path.home()), "~") in shown
        assert f'exact = "{ASK}"' in shown
        assert not user_rules_file().exists()
        await pilot.press("enter")
        assert (await answer)["decision"] == "allow"
    [changed] = audit_events(tmp_path, "rules.changed")
    assert ASK in changed["rule"]
    assert f'exact = "{ASK}"' in user_rules_file().read_text()


async def test_a_says_before_writing_when_a_guard_would_hold_the_rule(agent: Agent) -> None:
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        agent.submit("cat ~/.ssh/id_rsa")
        await until(pilot, lambda: app.state.pending)
        await pilot.press("a")
        await until(pilot, lambda: app.screen.query("#target"))
        preview = app.screen.query_one("#preview", Label)
        await until(pilot, lambda: "Would not be written" in str(preview.render()))
        await pilot.press("escape")
        await until(pilot, lambda: not app.screen.query("#target"))
        assert app.state.pending  # nothing decided: the action still waits


async def test_p_pauses_and_resumes_the_agent_session(server: GateServer, agent: Agent) -> None:
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        agent.submit(ASK)
        await until(pilot, lambda: app.state.pending)
        await pilot.press("p")
        await until(pilot, lambda: app.state.is_paused("test-agent", "s1"))
        assert ("test-agent", "s1") in server.gate.paused
        await pilot.press("p")
        await until(pilot, lambda: not app.state.paused)


async def test_enter_shows_the_detail_in_full_where_the_keys_still_decide(agent: Agent) -> None:
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        first, second, third = (agent.submit(f"frobnicate --item {n}") for n in (1, 2, 3))
        waiting = app.screen.query_one(ActionList)
        await until(pilot, lambda: waiting.border_title == "Waiting (3)")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen))
        detail = app.screen.query_one(ActionDetail)
        assert detail.outer_size.width == SIZE[0]  # the whole width: no list beside it
        assert str(detail.border_title).startswith("1 of 3")
        assert "frobnicate --item 1" in str(detail.query_one("#detail-body").render())
        await pilot.press("j")  # the next action, still in full
        await until(pilot, lambda: str(detail.border_title).startswith("2 of 3"))
        await pilot.press("y")
        assert (await second)["decision"] == "allow"
        # The decided action leaves; the one after it takes its place here.
        await until(pilot, lambda: str(detail.border_title).startswith("2 of 2"))
        assert "frobnicate --item 3" in str(detail.query_one("#detail-body").render())
        await pilot.press("n")
        assert (await third)["decision"] == "deny"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, QueueScreen))
        await until(pilot, lambda: waiting.border_title == "Waiting (1)")
        assert app.screen.focused is waiting
        assert not first.done()


async def test_the_detail_is_laid_out_again_only_when_its_height_changes(agent: Agent) -> None:
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        long = "frobnicate " + " ".join(f"--option-{n}=value" for n in range(40))
        for command in ("frobnicate --a", "frobnicate --b", long):
            agent.submit(command)
        waiting = app.screen.query_one(ActionList)
        await until(pilot, lambda: waiting.border_title == "Waiting (3)")
        body = app.screen.query_one("#detail-body", Static)

        def fits() -> bool:  # the body is as tall as its text at its width
            rules: Any = body.styles
            return body.size.height == body.visual.get_height(rules, body.size.width)

        await until(pilot, fits)
        short = body.size.height
        await pilot.press("j")  # as tall: shown without a layout pass
        await until(pilot, lambda: "--b" in str(body.visual))
        assert body.size.height == short
        await pilot.press("j")  # taller: laid out again, nothing cut off
        await until(pilot, lambda: "--option-39" in str(body.visual))
        await until(pilot, fits)
        assert body.size.height > short + 3


@pytest.mark.parametrize(
    ("command", "screen_type"), [("History", HistoryScreen), ("Rules", RulesScreen)]
)
async def test_the_palette_opens_the_history_and_rules_screens(
    tmp_path: Path, command: str, screen_type: type[Screen[None]]
) -> None:
    app = WardenApp(gate_factory=lambda: make_gate(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.client is not None)
        await pilot.press("ctrl+p", *command)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, screen_type))
        assert type(app.screen) is screen_type


async def test_a_gate_that_goes_away_is_said_and_its_keys_grey_out(tmp_path: Path) -> None:
    app = WardenApp()
    async with GateServer(make_gate(tmp_path)) as server, app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.client is not None)
        assert app.origin == "shared gate"
        await server.close()
        await until(pilot, lambda: app.origin.startswith("no gate:"))
        assert app.client is None
        assert "closed the connection" in app.origin
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        assert screen.check_action("session_panel", ()) is None


async def test_keys_are_greyed_out_when_nothing_waits(server: GateServer, agent: Agent) -> None:
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.client is not None)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        assert screen.check_action("approve_once", ()) is None
        assert screen.check_action("cursor", (1,)) is True
        bar = screen.query_one(KeyBar)

        def approve_greyed() -> bool:
            line = bar.visual
            assert isinstance(line, Content)
            start = line.plain.index("Approve")
            styles = [str(s.style) for s in line.spans if s.start <= start < s.end]
            return any("disabled" in style for style in styles)

        await until(pilot, approve_greyed)
        agent.submit(ASK)  # now `y` makes sense: the same text, drawn enabled
        await until(pilot, lambda: not approve_greyed())


async def test_q_confirms_when_pending_and_leaves_a_separate_gate_running(
    server: GateServer, agent: Agent
) -> None:
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        agent.submit(ASK)
        await until(pilot, lambda: app.state.pending)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running)
    assert len(server.gate.pending) == 1  # still waiting for another console


async def test_keymap_in_the_config_remaps_a_binding_by_its_id(agent: Agent) -> None:
    config = config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[keymap]\napprove-once = "o"\n')
    app = WardenApp()
    async with app.run_test(size=SIZE) as pilot:
        answer = agent.submit(ASK)
        await until(pilot, lambda: app.state.pending)
        await pilot.press("y")  # no longer bound
        await pilot.pause(0.2)
        assert not answer.done()
        await pilot.press("o")
        assert (await answer)["decision"] == "allow"
