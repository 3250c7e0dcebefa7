"""The task and turns read out of Claude Code's and Codex's transcripts, and odd transcripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.adapters.transcript import MAX_TURNS, TAIL_BYTES, context

EMPTY = {"task": "", "turns": []}


def jsonl(path: Path, *entries: object) -> str:
    path.write_text("\n".join(e if isinstance(e, str) else json.dumps(e) for e in entries) + "\n")
    return str(path)


def test_codex_rollout_lines(tmp_path: Path) -> None:
    def message(role: str, text: str) -> dict[str, object]:
        content = [{"type": "input_text", "text": text}]
        return {
            "type": "response_item",
            "payload": {"type": "message", "role": role, "content": content},
        }

    path = jsonl(
        tmp_path / "rollout.jsonl",
        {"type": "session_meta", "payload": {"id": "x"}},
        message("user", "<environment_context>cwd</environment_context>"),
        message("user", "add a --verbose flag"),
        message("assistant", "on it"),
    )
    assert context(path) == {
        "task": "add a --verbose flag",
        "turns": [
            {"role": "user", "text": "add a --verbose flag"},
            {"role": "assistant", "text": "on it"},
        ],
    }


def test_a_long_transcript_keeps_the_first_task_and_the_last_turns(tmp_path: Path) -> None:
    said = [
        {"type": "assistant", "message": {"role": "assistant", "content": f"step {i} " + "x" * 500}}
        for i in range(2000)
    ]
    first = {"type": "user", "message": {"role": "user", "content": "the real task"}}
    path = jsonl(tmp_path / "t.jsonl", first, *said)
    assert Path(path).stat().st_size > TAIL_BYTES
    found = context(path)
    assert found["task"] == "the real task"
    assert len(found["turns"]) == MAX_TURNS
    assert found["turns"][-1]["text"].startswith("step 1999 ")


@pytest.mark.parametrize("path", [None, "", 3, "/nonexistent/t.jsonl", ["a"]])
def test_missing_or_odd_paths_give_no_context(path: object) -> None:
    assert context(path) == EMPTY


def test_a_transcript_of_garbage_gives_no_context(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "g.jsonl", "{", "[]", {"message": "x"}, {"message": {"role": "system"}})
    assert context(path) == EMPTY
    (tmp_path / "bin").write_bytes(b"\xff\xfe\x00" * 100)
    assert context(str(tmp_path / "bin")) == EMPTY
    assert context(str(tmp_path)) == EMPTY  # a directory
