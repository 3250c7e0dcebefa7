"""Secrets are redacted from text and JSON-like values; redaction is idempotent and never raises."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.redact import MARK, redact, redact_value

OPENAI = "sk-proj-abc123DEF456ghi789JKL012mno345"
ANTHROPIC = "sk-ant-api03-abcdefghijklmnop1234567890_XYZ"
GITHUB = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
GITHUB_PAT = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"
AWS_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SLACK = "xoxb-1234567890-abcdefghijKLMN"
GOOGLE = "AIzaSyA1234567890abcdefghijklmnopqrstuv"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nq83kd==\n-----END RSA PRIVATE KEY-----"

REDACTED = [
    # (text, expected)
    (f"export OPENAI_API_KEY={OPENAI}", "export OPENAI_API_KEY=[REDACTED]"),
    (f"key {OPENAI} end", "key sk-[REDACTED] end"),
    (f"curl -d {ANTHROPIC}", "curl -d sk-ant-[REDACTED]"),
    (
        f"git clone https://{GITHUB}@github.com/o/r",
        "git clone https://ghp_[REDACTED]@github.com/o/r",
    ),
    (f"echo {GITHUB_PAT}", "echo github_pat_[REDACTED]"),
    (f"id {AWS_ID}", "id AKIA[REDACTED]"),
    (f"aws_secret_access_key = {AWS_SECRET}", "aws_secret_access_key = [REDACTED]"),
    (f"AWS_SECRET_ACCESS_KEY={AWS_SECRET} aws s3 ls", "AWS_SECRET_ACCESS_KEY=[REDACTED] aws s3 ls"),
    (f"post {SLACK}", "post xoxb-[REDACTED]"),
    (f"maps?key2={GOOGLE}", "maps?key2=AIza[REDACTED]"),
    (f"jwt {JWT}", "jwt [REDACTED]"),
    (
        'curl -H "Authorization: Bearer abcdef123456789" https://x',
        'curl -H "Authorization: Bearer [REDACTED]" https://x',
    ),
    (
        "curl -H 'Authorization: Basic dXNlcjpwYXNz' https://x",
        "curl -H 'Authorization: Basic [REDACTED]' https://x",
    ),
    ("mysql --password hunter2 -u root", "mysql --password [REDACTED] -u root"),
    ("mysql --password=hunter2", "mysql --password=[REDACTED]"),
    ("tool --api-key 'a b c' run", "tool --api-key '[REDACTED]' run"),
    ('login --db-password "x y"', 'login --db-password "[REDACTED]"'),
    ("DB_PASSWORD=abc; make", "DB_PASSWORD=[REDACTED]; make"),
    ("GITHUB_TOKEN=abc123 gh pr list", "GITHUB_TOKEN=[REDACTED] gh pr list"),
    ('{"password": "hunter2", "user": "bob"}', '{"password": "[REDACTED]", "user": "bob"}'),
    ("client_secret: s3cr3t", "client_secret: [REDACTED]"),
    ("X-Api-Key: zzz", "X-Api-Key: [REDACTED]"),
    ("https://x/api?token=abc&page=2", "https://x/api?token=[REDACTED]&page=2"),
    ('psql "postgres://bob:s3cret@db:5432/app"', 'psql "postgres://bob:***@db:5432/app"'),
    ("https://u:p%40ss@host/x", "https://u:***@host/x"),
    (
        f"cat key\n{PEM}\nok",
        f"cat key\n-----BEGIN RSA PRIVATE KEY-----{MARK}-----END RSA PRIVATE KEY-----\nok",
    ),
    (
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA (cut at 64 KiB)",
        f"-----BEGIN OPENSSH PRIVATE KEY-----{MARK}",
    ),
    (
        "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----",
        f"-----BEGIN PRIVATE KEY-----{MARK}-----END PRIVATE KEY-----",
    ),
]

KEPT = [
    "git status",
    "git push origin main --force",
    "python -c 'print(1)' --max_tokens=100",
    "max_tokens=100 token_file=/etc/x",
    "password=$DB_PASSWORD",
    'password="${PW}"',
    "--password --verbose",
    "task-abcdefghijklmnopqrstuvwxyz0123",
    "ssh git@github.com",
    "https://host:8080/path@v1",
    "the bearer of bad news",
    "sk-learn",
    "PWD=/home/user",
    "risk: low",
]


@pytest.mark.parametrize(("text", "expected"), REDACTED)
def test_secrets_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_is_kept(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"password": "hunter2"}, {"password": MARK}),
        ({"X-Api-Key": "abc", "GITHUB_TOKEN": "x"}, {"X-Api-Key": MARK, "GITHUB_TOKEN": MARK}),
        ({"token": "$TOKEN"}, {"token": "$TOKEN"}),
        (
            {"reviewer": {"tokens": 812, "risk": "low"}},
            {"reviewer": {"tokens": 812, "risk": "low"}},
        ),
        ({"summary": f"echo {OPENAI}"}, {"summary": "echo sk-[REDACTED]"}),
        (["mysql", "--password", "pw", "-u", "root"], ["mysql", "--password", MARK, "-u", "root"]),
        (("--token=abc", "--token", "-x"), ["--token=[REDACTED]", "--token", "-x"]),
        (
            {"args": [{"api_key": "k"}], "n": None, "ok": True},
            {"args": [{"api_key": MARK}], "n": None, "ok": True},
        ),
        (3.5, 3.5),
    ],
)
def test_redact_value_recurses(value: Any, expected: Any) -> None:
    assert redact_value(value) == expected


def test_redact_value_leaves_its_argument_alone() -> None:
    value = {"password": "hunter2", "argv": ["--token", "t"]}
    redact_value(value)
    assert value == {"password": "hunter2", "argv": ["--token", "t"]}


# Fragments that come near the patterns, mixed with arbitrary text by hypothesis.
FRAGMENTS = [
    OPENAI,
    ANTHROPIC,
    GITHUB,
    AWS_ID,
    SLACK,
    GOOGLE,
    JWT,
    PEM,
    "sk-",
    "ghp_",
    "AKIA",
    "xoxb-",
    "AIza",
    "eyJ",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----END RSA PRIVATE KEY-----",
    "Bearer ",
    "Authorization: Basic ",
    "https://",
    "://",
    "u:",
    "@",
    ":",
    "=",
    "--password",
    "--token ",
    "-",
    "password",
    "token",
    "api_key",
    "secret",
    '"',
    "'",
    " ",
    "\n",
    "$X",
    "[REDACTED]",
    "***",
    "[",
    "{",
    "&",
    ";",
    ",",
    "\\",
    "abc123",
    "x" * 30,
    "0" * 20,
]
TEXT = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=14).map("".join)


@settings(max_examples=800, deadline=None)
@given(TEXT)
def test_redaction_is_idempotent_and_never_raises(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | TEXT,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(["password", "token", "summary", "x"]) | st.text(max_size=5),
                inner,
                max_size=4,
            )
        ),
    )
)
def test_redact_value_is_idempotent(value: Any) -> None:
    once = redact_value(value)
    assert redact_value(once) == once
