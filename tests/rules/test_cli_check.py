"""`warden check`: the JSON contract, exit codes, argv and batch modes, extra rules files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from rules import cli_check
from rules.paths import user_rules_file


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli_check.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("command", "code", "decision"),
    [("git log --oneline", 0, "allow"), ("make deploy", 3, "ask"), ("rm -rf /", 4, "block")],
)
def test_exit_code_and_json_shape(
    capsys: pytest.CaptureFixture[str], command: str, code: int, decision: str
) -> None:
    exit_code, out, _ = run(capsys, "--json", command)
    assert exit_code == code
    data = json.loads(out)
    assert data["decision"] == decision
    assert set(data) >= {"decision", "source", "rule", "parts", "signals"}
    for part in data["parts"]:
        assert set(part) >= {"text", "decision", "source", "rule", "opaque"}


def test_block_names_the_rule_file_and_line(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--json", "rm -rf ~")
    data = json.loads(out)
    assert data["source"] == "builtin"
    assert data["rule"]["id"] == "guard.rm-root-or-home"
    assert data["rule"]["file"].endswith("builtin.toml")
    assert data["rule"]["line"] > 1


def test_unmatched_reports_fallback(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--json", "make deploy")
    data = json.loads(out)
    assert (data["source"], data["rule"]) == ("fallback", None)


def test_argv_after_double_dash_is_not_reparsed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--json", "--", "echo", "$(rm -rf /)")
    assert code == 0
    assert json.loads(out)["parts"][0]["opaque"] is False


def test_readable_output_explains_each_part(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "git status && python3 -c 'import os'")
    assert code == 3
    assert "git status" in out
    assert "[opaque]" in out
    assert "python -c runs code" in out


def test_extra_rules_file_is_a_user_layer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rules = tmp_path / "extra.toml"
    rules.write_text('version = 1\n[[command]]\nprefix = ["make", "deploy"]\ndecision = "allow"\n')
    code, out, _ = run(capsys, "--json", "--rules", str(rules), "make deploy")
    assert code == 0
    assert json.loads(out)["rule"]["file"] == str(rules)


def test_no_user_rules_skips_the_user_file(capsys: pytest.CaptureFixture[str]) -> None:
    path = user_rules_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('version = 1\n[[command]]\nprefix = ["make"]\ndecision = "allow"\n')
    assert run(capsys, "make")[0] == 0
    assert run(capsys, "--no-user-rules", "make")[0] == 3


def test_broken_rules_file_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rules = tmp_path / "bad.toml"
    rules.write_text('version = 1\n[[command]]\nprefix = ["make"]\ndecison = "allow"\n')
    code, _, err = run(capsys, "--rules", str(rules), "make")
    assert code == 2
    assert f"{rules}:4:" in err
    assert "decision" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys)[0] == 2
    assert run(capsys, "--bogus", "ls")[0] == 2


def test_batch_answers_every_line_in_order(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        {"id": "a", "command": "git status"},
        {"id": "b", "argv": ["rm", "-rf", "/"]},
        {"id": "c", "kind": "read", "path": "~/.ssh/id_rsa"},
        {"id": "d", "kind": "write", "path": "~/.bashrc"},
        {"id": "e", "kind": "network", "host": "example.com", "port": 443},
        {"id": "f", "kind": "tool", "tool": "mcp__x__y", "arguments": {}},
        {"id": "g", "command": "ls", "cwd": "/tmp"},
    ]
    raw = "\n".join(json.dumps(x) for x in lines) + "\nnot json\n" + '{"id": "h"}\n'
    monkeypatch.setattr("sys.stdin", io.StringIO(raw))
    code, out, _ = run(capsys, "--batch")
    assert code == 0
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["id"] for a in answers] == ["a", "b", "c", "d", "e", "f", "g", None, "h"]
    decisions = [a.get("decision") for a in answers]
    assert decisions == ["allow", "block", "ask", "block", "ask", "ask", "allow", None, None]
    assert "error" in answers[7]
    assert "error" in answers[8]
