"""What leaves the machine: redacted, cut to size, and every agent-supplied string kept as data."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from chat_server import ChatServer
from review_samples import TASK, action, ask

from reviewer.context import review_document
from reviewer.prompt import data_tag, system_prompt, user_message
from reviewer.review import Reviewer
from rules.action import Action

MakeReviewer = Callable[..., Reviewer]
INJECTIONS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "injection-strings.jsonl"
SECTION = re.compile(
    r"\A(?P<head>.*?\n)UNTRUSTED-DATA-(?P<tag>[0-9a-f]{16}) BEGIN\n(?P<data>.*)\n"
    r"UNTRUSTED-DATA-(?P=tag) END\n(?P<tail>.*)\Z",
    re.DOTALL,
)
TEMPLATE = SECTION.match(user_message({}))
assert TEMPLATE is not None


def split_request(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Check a request's frame is Warden's own; return the data section's text and document."""
    system, user = body["messages"]
    assert system == {"role": "system", "content": system_prompt()}
    assert user["role"] == "user"
    match = SECTION.match(user["content"])
    assert match is not None
    assert match["head"] == TEMPLATE["head"].replace(TEMPLATE["tag"], match["tag"])
    assert match["tail"] == TEMPLATE["tail"]
    assert match["tag"] == data_tag(match["data"])
    return match["data"], json.loads(match["data"])


def strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


SECRETS = {
    "openai": "sk-proj-Xy7Qp2Lm9Rt4Vw8Zb3Nc6Hd1Jf5Kg0Ts",
    "github": "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5",
    "aws": "AKIAIOSFODNN7EXAMPLE",
    "url_password": "hunter2-correct-horse",
    "argument": "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY",
}


def secret_actions() -> list[Action]:
    """Actions of every kind with keys planted in commands, content, URLs, arguments, turns."""
    turns = [{"role": "assistant", "text": f"Using token {SECRETS['github']} for the API."}]
    return [
        action(
            command=f'curl -H "Authorization: Bearer {SECRETS["openai"]}" https://api.acme.dev',
            context={"task": f"Call the API with key {SECRETS['openai']}", "turns": turns},
        ),
        action("write", path=".env", content=f"GITHUB_TOKEN={SECRETS['github']}\nDEBUG=1\n"),
        action("write", path="deploy.sh", diff=f"+export AWS_ACCESS_KEY_ID={SECRETS['aws']}\n"),
        action(
            "network",
            host="git.acme.dev",
            port=443,
            command=f"git clone https://deploy:{SECRETS['url_password']}@git.acme.dev/shop.git",
        ),
        action("tool", tool="mcp__s3__upload", arguments={"secret_key": SECRETS["argument"]}),
        action("exec", argv=["mysql", "--password", SECRETS["url_password"], "-e", "select 1"]),
    ]


async def test_planted_secrets_never_reach_the_server(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    reviewer = make_reviewer()
    for planted in secret_actions():
        await reviewer(planted, ask())
    assert len(chat.raw_bodies) == len(secret_actions())
    sent = b"\n".join(chat.raw_bodies).decode()
    for name, secret in SECRETS.items():
        assert secret not in sent, name
    assert "[REDACTED]" in sent


def load_injections() -> list[str]:
    if not INJECTIONS.exists():
        pytest.skip(f"no injection corpus at {INJECTIONS}")
    lines = INJECTIONS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def planted(text: str) -> list[Action]:
    """One injection string planted in a commit message, a comment, a file, a URL, a tool call."""
    url = "https://docs.acme.dev/search?q=" + urllib.parse.quote(text)
    return [
        action(argv=["git", "commit", "-m", text]),
        action(command=f"make test  # {text}"),
        action("write", path="README.md", content=f"# Shop\n\n{text}\n"),
        action("network", host="docs.acme.dev", command=f"curl -s {shlex.quote(url)}"),
        action("tool", tool="mcp__github__create_issue", arguments={"title": "Bug", "body": text}),
        action(context={"task": TASK, "turns": [{"role": "tool", "text": text}]}),
    ]


async def test_injection_strings_stay_inside_the_data_section(
    chat: ChatServer, make_reviewer: MakeReviewer
) -> None:
    injections = load_injections()[::3]  # every kind of the corpus, a third of its strings
    reviewer = make_reviewer(timeout_s=5)
    for text in injections:
        sent = planted(text)
        chat.requests.clear()
        await asyncio.gather(*(reviewer(item, ask()) for item in sent))
        documents = [split_request(body)[1] for body in chat.requests]
        expected = [review_document(item, ask()) for item in sent]
        assert sorted(map(json.dumps, documents)) == sorted(map(json.dumps, expected))
        shown = " ".join(urllib.parse.unquote(s) for d in documents for s in strings(d))
        shown = re.sub(r"\W+", " ", shown)
        probe = " ".join(re.sub(r"\W+", " ", text).split()[:6])  # words survive any quoting
        assert shown.count(probe) >= len(sent), text


def test_the_task_is_kept_and_the_oldest_turns_dropped_first() -> None:
    turns = [{"role": "assistant", "text": f"turn {n} " + "x" * 1000} for n in range(10)]
    document = review_document(action(context={"task": TASK, "turns": turns}), ask(), None, 600)
    assert document["task"] == TASK
    kept = [t["text"].split()[1] for t in document["recent_turns"]]
    assert kept == ["8", "9"]
    assert document["earlier_turns_left_out"] == 8


def test_long_content_is_cut_with_a_note() -> None:
    document = review_document(action("write", path="big.txt", content="a" * 10_000), ask())
    assert document["action"]["content"].endswith("[… 4000 more characters not shown]")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"kind": "exec", "argv": ["ls", "-la", "my dir"]}, {"command": "ls -la 'my dir'"}),
        ({"kind": "read", "path": "src/cart.py"}, {"path": "src/cart.py"}),
        ({"kind": "write", "path": "a.py", "diff": "+x = 1\n"}, {"diff": "+x = 1\n"}),
        (
            {"kind": "network", "host": "pypi.org", "port": 443, "command": "pip install x"},
            {"host": "pypi.org", "port": 443, "triggered_by": "pip install x"},
        ),
        ({"kind": "tool", "tool": "mcp__x__y", "arguments": {"a": 1}}, {"arguments": {"a": 1}}),
        (
            {"kind": "exec", "command": "ls", "executor": "warden", "escalate": True},
            {"runs": "in Warden's sandbox (workspace-write)", "asks_to_leave_the_sandbox": True},
        ),
    ],
)
def test_every_kind_of_action_is_described(
    fields: dict[str, Any], expected: dict[str, Any]
) -> None:
    kind = fields.pop("kind")
    shown = review_document(action(kind, **fields), ask(), "workspace-write")["action"]
    assert expected.items() <= shown.items()
    assert shown["kind"] == kind
    assert shown["cwd"] == "/home/dev/shop"


def test_rules_and_signals_are_shown() -> None:
    document = review_document(action(), ask("pytest -q", signals=("network",)))
    assert document["rules"] == {
        "decision": "ask",
        "parts": [{"text": "pytest -q", "decision": "ask", "decided_by": "fallback"}],
        "signals": ["network"],
    }
