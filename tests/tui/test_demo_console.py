"""`warden demo` in the console: the notice says what the demo is and whether anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.demo_agent import DemoOptions
from tests.tui.console_helpers import audit_events, make_gate, until
from tui.app import WardenApp
from tui.console_main import demo_main

SIZE = (120, 36)


async def test_the_notice_says_the_executor_is_off_and_the_person_still_decides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARDEN_BWRAP", "/bin/false")  # bubblewrap "cannot start" here
    app = WardenApp(gate_factory=lambda: make_gate(tmp_path), demo=DemoOptions(pace=0))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.state.pending, seconds=20)
        notice = app.screen.query_one("#notice").render()
        assert "EXECUTOR OFF" in str(notice)
        assert "nothing runs" in str(notice)
        assert any("executor off" in (n.title or "") for n in app._notifications)
        for _ in range(400):  # 20 s at most: the person denies each question as it comes
            if app.demo_status and app.demo_status.finished:
                break
            if app.state.pending:
                await pilot.press("n")
            await pilot.pause(0.05)
        else:
            pytest.fail(f"the demo never finished: {app.demo_status}")
        assert "finished" in str(app.screen.query_one("#notice").render())
    by_person = [r for r in audit_events(tmp_path, "action.decided") if r["source"] == "user"]
    assert [r["summary"] for r in by_person][:3] == [
        "connect pypi.org:443",
        "connect calc-demo.example.com:443",
        "connect github.com:443",
    ]
    assert not audit_events(tmp_path, "action.result")  # nothing ran


def test_demo_without_a_terminal_says_what_works_instead(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert demo_main([]) == 2
    assert "--no-console" in capsys.readouterr().err


def test_the_agent_alone_needs_a_running_gate(capsys: pytest.CaptureFixture[str]) -> None:
    assert demo_main(["--no-console"]) == 1
    assert "no gate answers" in capsys.readouterr().err


def test_a_bad_pace_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        demo_main(["--pace", "fast"])
    assert "'fast' is not a number >= 0" in capsys.readouterr().err


def test_a_broken_scenario_stops_warden_demo_before_the_screen_opens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "mine.jsonl"
    scenario.write_text('{"task": "t"}\n{"kind": "exec"}\n')
    assert demo_main(["--scenario", str(scenario)]) == 2
    assert f"{scenario}:2: an exec step needs a command" in capsys.readouterr().err
