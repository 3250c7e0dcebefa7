"""The sandbox environment: the allowlist, names passed on purpose, secrets dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.environ import looks_secret, sandbox_env

PARENT = {
    "PATH": "/usr/bin",
    "HOME": "/home/u",
    "LANG": "C.UTF-8",
    "LC_ALL": "C",
    "LC_API_KEY": "secret",
    "TERM": "xterm",
    "USER": "u",
    "SHELL": "/bin/sh",
    "TZ": "UTC",
    "PWD": "/elsewhere",
    "GITHUB_TOKEN": "ghp_x",
    "AWS_SECRET_ACCESS_KEY": "x",
    "OPENAI_API_KEY": "sk-x",
    "SSH_AUTH_SOCK": "/tmp/ssh",
    "LD_PRELOAD": "/evil.so",
    "EDITOR": "vim",
}


def test_only_the_allowlist_passes_and_pwd_is_the_working_directory() -> None:
    env = sandbox_env(PARENT, (), Path("/w"))
    assert env == {
        "PATH": "/usr/bin",
        "HOME": "/home/u",
        "LANG": "C.UTF-8",
        "LC_ALL": "C",
        "TERM": "xterm",
        "USER": "u",
        "SHELL": "/bin/sh",
        "TZ": "UTC",
        "PWD": "/w",
    }


def test_named_variables_pass_even_when_they_look_secret() -> None:
    env = sandbox_env(PARENT, ("OPENAI_API_KEY", "EDITOR", "NOT_SET"), Path("/w"))
    assert env["OPENAI_API_KEY"] == "sk-x"
    assert env["EDITOR"] == "vim"
    assert "NOT_SET" not in env
    assert "GITHUB_TOKEN" not in env


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("GITHUB_TOKEN", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("PGPASSWORD", True),
        ("npm_config__authToken", True),
        ("LC_API_KEY", True),
        ("PATH", False),
        ("LANG", False),
        ("LC_ALL", False),
    ],
)
def test_looks_secret(name: str, secret: bool) -> None:
    assert looks_secret(name) is secret
