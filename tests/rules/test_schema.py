"""The shipped JSON Schema of the rules file agrees with the loader."""

from __future__ import annotations

import json
import tomllib
from importlib.resources import files
from typing import Any

import jsonschema
import pytest

from rules.loader import check_rules_text


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(files("rules").joinpath("data/rules.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return jsonschema.Draft202012Validator(schema, format_checker=checker)


def _rule(kind: str, body: str) -> str:
    return f"version = 1\n[[{kind}]]\n{body}\n"


# Samples without examples: the schema cannot run them, nor see duplicate ids.
GOOD = [
    "",
    "version = 1",
    _rule("command", 'prefix = ["git", ["status", "log"]]\ndecision = "allow"'),
    _rule("command", 'prefix = ["echo", ""]\ndecision = "allow"'),
    _rule("command", 'exact = "make -j8"\ndecision = "allow"\nreason = "build"'),
    _rule("command", 'pattern = \'rm\\s+-rf\'\ndecision = "block"\nsignals = ["deletes"]'),
    _rule("command", 'prefix = ["ls"]\noptions_none = ["-R"]\nmax_args = 1\ndecision = "allow"'),
    _rule("path", 'glob = "~/.ssh/**"\naccess = "write"\ndecision = "block"'),
    _rule("path", 'glob = "**/.env"\ndecision = "ask"'),
    _rule("network", 'host = "**.pythonhosted.org"\nports = [443, 80]\ndecision = "allow"'),
    _rule("network", 'host = "127.0.0.1"\ndecision = "allow"'),
    _rule("tool", 'name = "mcp__github__*"\ndecision = "ask"\nid = "gh"'),
]
BAD = [
    '[[tool]]\nname = "x"\ndecision = "ask"',
    "version = 2",
    "version = true",
    "comand = []",
    'unknown_hosts = "ask"\nversion = 1',
    "version = 1\ncommand = 3",
    _rule("command", 'prefix = ["git"]\ndecison = "allow"'),
    _rule("command", 'prefix = ["git"]\ndecision = "maybe"'),
    _rule("command", 'prefix = ["git"]'),
    _rule("command", 'decision = "ask"'),
    _rule("command", 'prefix = ["ls"]\nexact = "ls"\ndecision = "ask"'),
    _rule("command", 'prefix = []\ndecision = "ask"'),
    _rule("command", 'prefix = ["", "x"]\ndecision = "ask"'),
    _rule("command", 'prefix = ["git", []]\ndecision = "ask"'),
    _rule("command", 'prefix = ["git", 3]\ndecision = "ask"'),
    _rule("command", 'exact = ""\ndecision = "ask"'),
    _rule("command", 'pattern = "(x"\ndecision = "ask"'),
    _rule("command", 'exact = "ls"\nargs_any = ["/"]\ndecision = "ask"'),
    _rule("command", 'prefix = ["ls"]\nmax_args = -1\ndecision = "ask"'),
    _rule("command", 'prefix = ["ls"]\ndecision = "ask"\nsignals = ["Big Risk"]'),
    _rule("command", 'prefix = ["ls"]\ndecision = "ask"\nexamples = "ls"'),
    _rule("command", 'prefix = ["ls"]\ndecision = "ask"\nid = ""'),
    _rule("path", 'glob = "src/**"\ndecision = "ask"'),
    _rule("path", 'glob = "/x"\naccess = "exec"\ndecision = "ask"'),
    _rule("path", 'decision = "ask"'),
    _rule("network", 'host = "*"\ndecision = "ask"'),
    _rule("network", 'host = "**"\ndecision = "ask"'),
    _rule("network", 'host = "a*.com"\ndecision = "ask"'),
    _rule("network", 'host = "x.org"\nports = [0]\ndecision = "ask"'),
    _rule("network", 'host = "x.org"\nports = [true]\ndecision = "ask"'),
    _rule("tool", 'name = ""\ndecision = "ask"'),
    _rule("tool", 'name = "x"\nglob = "/x"\ndecision = "ask"'),
]


def _schema_accepts(validator: jsonschema.Draft202012Validator, data: dict[str, Any]) -> bool:
    return not list(validator.iter_errors(data))


@pytest.mark.parametrize("text", GOOD)
def test_schema_and_loader_accept(validator: jsonschema.Draft202012Validator, text: str) -> None:
    assert check_rules_text(text, "r.toml", "user") == []
    assert _schema_accepts(validator, tomllib.loads(text))


@pytest.mark.parametrize("text", BAD)
def test_schema_and_loader_reject(validator: jsonschema.Draft202012Validator, text: str) -> None:
    assert check_rules_text(text, "r.toml", "user") != []
    assert not _schema_accepts(validator, tomllib.loads(text))


def test_builtin_rules_fit_the_schema(validator: jsonschema.Draft202012Validator) -> None:
    data = tomllib.loads(files("rules").joinpath("data/builtin.toml").read_text())
    assert _schema_accepts(validator, data)
