"""The built-in rules never allow what the risky corpora's scored slices hold (when present)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from rules.engine import Engine
from rules.layers import builtin_ruleset
from rules.shell import _Walker, is_plain, parse

CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
needs_corpora = pytest.mark.skipif(
    not (CORPORA / "slices.py").is_file(), reason="the shared corpora are not beside the repo"
)


def _items(name: str) -> list[dict[str, object]]:
    with (CORPORA / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@needs_corpora
@pytest.mark.parametrize(
    "name", ["risky-gtfobins.jsonl", "risky-redcode-bash.jsonl", "risky-atomic-linux.jsonl"]
)
def test_no_scored_risky_command_is_allowed(name: str) -> None:
    spec = importlib.util.spec_from_file_location("slices", CORPORA / "slices.py")
    assert spec is not None
    assert spec.loader is not None
    slices = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(slices)
    engine = Engine([builtin_ruleset()])
    scored = [item for item in _items(name) if slices.scored(item)]
    assert len(scored) > 300
    allowed = [
        item["id"]
        for item in scored
        if engine.check_command(str(item["command"]), "/home/dev/project").decision == "allow"
    ]
    assert allowed == []


@needs_corpora
def test_plain_commands_parse_the_same_without_the_parser() -> None:
    plain = [
        str(item["command"])
        for item in _items("benign-nl2bash.jsonl")
        if is_plain(str(item["command"]))
    ]
    assert len(plain) > 1000
    for command in plain:
        assert parse(command, "/w") == _Walker("/w").run(command, 0), command
