"""Lint: repeated rules, broad allows, allows that a guard or requirement makes useless."""

from __future__ import annotations

import pytest

from rules.layers import builtin_ruleset
from rules.lint import LintFinding, lint
from rules.loader import load_rules_text


def _lint(body: str) -> list[str]:
    ruleset = load_rules_text(f"version = 1\n{body}", "/u/rules.toml", "user")
    requirements = load_rules_text(
        'version = 1\n[[network]]\nid = "no-paste"\nhost = "pastebin.com"\ndecision = "block"\n',
        "/etc/warden/requirements.toml",
        "requirements",
    )
    return [str(f) for f in lint(ruleset, [requirements, builtin_ruleset()])]


@pytest.mark.parametrize(
    ("body", "findings"),
    [
        pytest.param(
            '[[command]]\nprefix = ["git", "status"]\ndecision = "allow"\n'
            '[[command]]\nprefix = ["git", "status"]\ndecision = "allow"\n',
            [
                "/u/rules.toml:5: rule `user:rules.toml:5` is shadowed: the rule at line 2 "
                "matches the same and is as strict (allow)"
            ],
            id="repeat",
        ),
        pytest.param(
            '[[command]]\nid = "a"\nprefix = ["git", "push"]\ndecision = "allow"\n'
            '[[command]]\nid = "b"\nprefix = ["git", "push"]\ndecision = "ask"\n',
            [
                "/u/rules.toml:6: rule `a` at line 2 is shadowed: this ask rule matches "
                "the same and is stricter"
            ],
            id="stricter-repeat",
        ),
        pytest.param(
            '[[path]]\nglob = "/srv/**"\naccess = "read"\ndecision = "allow"\n'
            '[[path]]\nglob = "/srv/**"\naccess = "write"\ndecision = "ask"\n'
            '[[command]]\nprefix = ["ls"]\noptions_any = ["-R"]\ndecision = "ask"\n'
            '[[command]]\nprefix = ["ls"]\ndecision = "ask"\n',
            [],
            id="different-access-or-narrowing-is-no-repeat",
        ),
        pytest.param(
            '[[command]]\nprefix = ["python3"]\ndecision = "allow"\n',
            [
                "/u/rules.toml:2: allow rule `user:rules.toml:2` is broad: `python3` runs "
                "other programs or code: name the subcommand or use `exact`"
            ],
            id="interpreter",
        ),
        pytest.param(
            '[[command]]\nprefix = [["make", "b*"]]\ndecision = "allow"\n',
            [
                "/u/rules.toml:2: allow rule `user:rules.toml:2` is broad: the program `b*` "
                "is a glob: name the programs"
            ],
            id="glob-program",
        ),
        pytest.param(
            '[[command]]\npattern = "^make"\ndecision = "allow"\n',
            ["a `pattern` allow matches any text containing it"],
            id="pattern-allow",
        ),
        pytest.param(
            '[[command]]\nprefix = ["bash", "build.sh"]\ndecision = "allow"\n'
            '[[command]]\nprefix = ["python"]\ndecision = "ask"\n',
            [],
            id="narrowed-or-not-allow",
        ),
        pytest.param(
            '[[path]]\nglob = "~/**"\ndecision = "allow"\n',
            ["`~/**` covers every file under `~/`"],
            id="home-tree",
        ),
        pytest.param(
            '[[path]]\nglob = "/**"\naccess = "read"\ndecision = "allow"\n',
            ["`/**` covers every file under `/`"],
            id="root-tree",
        ),
        pytest.param(
            '[[path]]\nglob = "**/.env.example"\ndecision = "allow"\n',
            [],
            id="one-name-anywhere",
        ),
        pytest.param(
            '[[network]]\nhost = "**.com"\ndecision = "allow"\n',
            ["`**.com` covers every host under the top-level domain `.com`"],
            id="tld",
        ),
        pytest.param(
            '[[tool]]\nname = "mcp__*"\ndecision = "allow"\n',
            ["`mcp__*` covers every tool"],
            id="every-tool",
        ),
        pytest.param(
            '[[command]]\nprefix = ["rm"]\ndecision = "allow"\nexamples = ["rm -rf /"]\n',
            ["takes no effect: `rm -rf /` is held by the built-in guard"],
            id="held-by-guard",
        ),
        pytest.param(
            '[[network]]\nhost = "pastebin.com"\ndecision = "allow"\n',
            ["takes no effect: `pastebin.com` is held by the requirement `no-paste`"],
            id="held-by-requirement",
        ),
        pytest.param(
            '[[command]]\nprefix = ["make", "test"]\ndecision = "allow"\n'
            'examples = ["make test"]\n'
            '[[network]]\nhost = "*.pythonhosted.org"\ndecision = "allow"\n',
            [],
            id="clean",
        ),
    ],
)
def test_lint(body: str, findings: list[str]) -> None:
    found = _lint(body)
    assert len(found) == len(findings), found
    for got, want in zip(found, findings, strict=True):
        assert want in got


def test_findings_come_in_line_order() -> None:
    found = _lint(
        '[[tool]]\nname = "*"\ndecision = "allow"\n'
        '[[command]]\nprefix = ["node"]\ndecision = "allow"\n'
    )
    assert [f.split(":")[1] for f in found] == ["2", "5"]


def test_a_finding_reads_as_file_line_message() -> None:
    assert str(LintFinding("/u/rules.toml", 3, "x")) == "/u/rules.toml:3: x"
