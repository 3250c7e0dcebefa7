"""Loading rules files: rule objects, errors at file:line:col, requirements, examples."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomlkit
from hypothesis import given
from hypothesis import strategies as st

from rules.errors import RulesFileError
from rules.loader import (
    Requirements,
    check_rules_text,
    load_requirements,
    load_rules_file,
    load_rules_text,
    read_rules_file,
)
from rules.locate import locate
from rules.model import CommandRule, NetworkRule, PathRule, ToolRule

GOOD = """\
version = 1   # the format

[[command]]
id = "git-read"
prefix = ["git", ["status", "diff", "log"]]
decision = "allow"
reason = "read-only git"
signals = ["vcs"]
examples = ["git status -s"]
not_examples = ["git push origin main"]

[[command]]
exact = "python -c 'print(1)'"
decision = "allow"

[[path]]
glob = "~/.ssh/**"
access = "write"
decision = "block"
examples = ["~/.ssh/id_rsa"]

[[network]]
host = "*.pythonhosted.org"
ports = [443]
decision = "allow"
examples = ["files.pythonhosted.org:443"]
not_examples = ["pythonhosted.org"]

[[tool]]
name = "mcp__github__*"
decision = "ask"
examples = ["mcp__github__create_issue"]
"""


def test_a_good_file_becomes_rules_of_each_kind() -> None:
    ruleset = load_rules_text(GOOD, "/x/rules.toml", "user")
    git, python = ruleset.commands
    assert git == CommandRule(
        id="git-read",
        decision="allow",
        origin=git.origin,
        reason="read-only git",
        signals=("vcs",),
        examples=("git status -s",),
        not_examples=("git push origin main",),
        prefix=(("git",), ("status", "diff", "log")),
    )
    assert (git.origin.layer, git.origin.file, git.origin.line) == ("user", "/x/rules.toml", 3)
    assert python.exact == "python -c 'print(1)'"
    assert python.id == "user:rules.toml:12"
    assert ruleset.paths == [
        PathRule(
            id="user:rules.toml:16",
            decision="block",
            origin=ruleset.paths[0].origin,
            examples=("~/.ssh/id_rsa",),
            glob="~/.ssh/**",
            access="write",
        )
    ]
    assert isinstance(ruleset.networks[0], NetworkRule)
    assert ruleset.networks[0].ports == (443,)
    assert isinstance(ruleset.tools[0], ToolRule)
    assert [r.origin.line for r in ruleset.all()] == [3, 12, 16, 22, 29]


def test_inline_tables_are_rules_too() -> None:
    text = 'version = 1\ncommand = [\n  { prefix = ["ls"], decision = "allow" },\n]\n'
    (rule,) = load_rules_text(text, "r.toml", "user").commands
    assert (rule.prefix, rule.origin.line, rule.id) == ((("ls",),), 3, "user:r.toml:3")


def test_an_empty_file_holds_no_rules() -> None:
    assert load_rules_text("# nothing yet\n", "r.toml", "user").all() == []


ERRORS = [
    pytest.param(
        'version = 1\n[[command]]\nprefix = ["git"]\ndecison = "allow"\n',
        (4, 1),
        "rule 1 ([[command]] at line 2): `decison` is not a [[command]] key"
        " — did you mean `decision`?",
        id="unknown-key-suggested",
    ),
    pytest.param(
        'version = 1\n[[command]]\nprefix = ["ls"]\ndecision = "ask"\nglob = "/x"\n',
        (5, 1),
        "`glob` is not a [[command]] key (it belongs to [[path]] rules)",
        id="key-of-another-kind",
    ),
    pytest.param(
        'version = 1\n[[command]]\nprefix = ["git"]\n  decision = "alow"\n',
        (4, 3),
        "`decision` must be one of allow, ask, block, not `alow` — did you mean `allow`?",
        id="bad-decision",
    ),
    pytest.param(
        'version = 1\n[[command]]\nprefix = ["git"]\n',
        (2, 1),
        "rule 1 ([[command]] at line 2): a [[command]] rule needs `decision`",
        id="missing-decision",
    ),
    pytest.param(
        'version = 1\n[[command]]\ndecision = "ask"\n',
        (2, 1),
        "needs one of `prefix`, `exact` or `pattern`",
        id="no-match-key",
    ),
    pytest.param(
        'version = 1\n[[command]]\nprefix = ["ls"]\nexact = "ls"\ndecision = "ask"\n',
        (4, 1),
        "use one of `prefix`, `exact` or `pattern`, not `prefix` and `exact` together",
        id="two-match-keys",
    ),
    pytest.param(
        'version = 1\n[[command]]\nprefix = []\ndecision = "ask"\n',
        (3, 1),
        "`prefix` must be a non-empty list of words",
        id="empty-prefix",
    ),
    pytest.param(
        'version = 1\n[[command]]\nprefix = ["", "x"]\ndecision = "ask"\n',
        (3, 11),
        "`prefix` must start with a program name, not an empty word",
        id="empty-first-word",
    ),
    pytest.param(
        'version = 1\n[[command]]\npattern = "(x"\ndecision = "ask"\n',
        (3, 1),
        "`pattern` is not a valid regular expression",
        id="bad-regex",
    ),
    pytest.param(
        'version = 1\n[[command]]\nexact = "ls"\noptions_any = ["-l"]\ndecision = "ask"\n',
        (4, 1),
        "`options_any` narrows `prefix` rules only",
        id="options-with-exact",
    ),
    pytest.param(
        'version = 1\n[[command]]\nprefix = ["ls"]\ndecision = "ask"\nexamples = [\n'
        '  "ls",\n  3,\n]\n',
        (7, 3),
        "`examples` must hold strings only; item 2 is a number",
        id="example-not-a-string",
    ),
    pytest.param(
        'version = 1\n[[path]]\nglob = "src/**"\ndecision = "allow"\n',
        (3, 1),
        "`glob` must be absolute, start with `~/` or with `**/` — not `src/**`",
        id="relative-glob",
    ),
    pytest.param(
        'version = 1\n[[path]]\nglob = "/x"\naccess = "exec"\ndecision = "allow"\n',
        (4, 1),
        "`access` must be one of read, write, any, not `exec`",
        id="bad-access",
    ),
    pytest.param(
        'version = 1\n[[network]]\nhost = "*"\ndecision = "ask"\n',
        (3, 1),
        "`host` `*` is not a host pattern",
        id="bare-star-host",
    ),
    pytest.param(
        'version = 1\n[[network]]\nhost = "**"\ndecision = "ask"\n',
        (3, 1),
        "`host` `**` is not a host pattern",
        id="bare-double-star-host",
    ),
    pytest.param(
        'version = 1\n[[network]]\nhost = "a*.com"\ndecision = "ask"\n',
        (3, 1),
        "`host` `a*.com` is not a host pattern",
        id="inner-star-host",
    ),
    pytest.param(
        'version = 1\n[[network]]\nhost = "x.org"\nports = [443, 0]\ndecision = "ask"\n',
        (4, 15),
        "`ports` must hold port numbers 1-65535; item 2 is not",
        id="bad-port",
    ),
    pytest.param(
        'version = 1\n[[tool]]\nname = "x"\ndecision = "ask"\nsignals = ["Net Work"]\n',
        (5, 12),
        "`Net Work` is not a signal tag",
        id="bad-signal",
    ),
    pytest.param(
        'version = 1\n[[tool]]\nid = "t"\nname = "a"\ndecision = "ask"\n'
        '[[tool]]\nid = "t"\nname = "b"\ndecision = "ask"\n',
        (7, 1),
        "rule 2 ([[tool]] at line 6): id `t` is already used by the rule at line 2",
        id="duplicate-id",
    ),
    pytest.param(
        'version = 1\n[command]\nprefix = ["ls"]\ndecision = "ask"\n',
        (2, 1),
        "`command` must be an array of tables: write each rule under a `[[command]]` header",
        id="table-not-array",
    ),
    pytest.param(
        "version = 1\ncommnd = []\n",
        (2, 1),
        "`commnd` is not a rules file key — did you mean `command`?",
        id="unknown-top-key",
    ),
    pytest.param(
        '[[tool]]\nname = "x"\ndecision = "ask"\n',
        (1, 1),
        "the file needs `version = 1` at the top",
        id="no-version",
    ),
    pytest.param(
        "version = 2\n",
        (1, 1),
        "this Warden reads rules files of version 1; this file says `version = 2`",
        id="other-version",
    ),
    pytest.param(
        'version = 1\nunknown_hosts = "ask"\n',
        (2, 1),
        "`unknown_hosts` is a requirements setting: it belongs only in the requirements file",
        id="requirement-key-in-user-file",
    ),
    pytest.param(
        'version = 1\ncommand = [\n  { prefix = ["ls"], decision = "allow" },\n'
        '  { prefix = ["cat"], decison = "allow" },\n]\n',
        (4, 23),
        "rule 2 ([[command]] at line 4): `decison` is not a [[command]] key",
        id="inline-table-key",
    ),
    pytest.param(
        'version = 1\n[[command]]\n"decision" = "ask"\n',
        (2, 1),
        "a [[command]] rule needs one of",
        id="quoted-key",
    ),
    pytest.param(
        'version = 1\n[[command]]\nprefix = ["git", "status"]\ndecision = "allow"\n'
        'examples = [\n  "git status",\n  "git push",\n]\n',
        (7, 3),
        "rule 1 ([[command]] at line 2): example `git push` does not hit this rule",
        id="failing-example",
    ),
    pytest.param(
        'version = 1\n[[tool]]\nname = "mcp__*"\ndecision = "ask"\n'
        'not_examples = ["Bash", "mcp__x"]\n',
        (5, 25),
        "not_example `mcp__x` hits this rule, but must not",
        id="failing-not-example",
    ),
    pytest.param(
        'version = 1\n[[command]]\nprefix = ["ls"\n',
        (4, 1),
        "not valid TOML: unclosed array",
        id="toml-at-end",
    ),
    pytest.param(
        'version = 1\n[[command]]\nprefix = ["ls"]\nprefix = ["cat"]\n',
        (4, 17),
        "not valid TOML: cannot overwrite a value",
        id="toml-duplicate-key",
    ),
    pytest.param(
        'version = 1\n[[command]]\nexact = """ls\n[[command]]\ndecision = "x"\n"""\ndecision = 3\n',
        (7, 1),
        "rule 1 ([[command]] at line 2): `decision` must be a string, not a number",
        id="header-inside-multiline-string-ignored",
    ),
]


@pytest.mark.parametrize(("text", "where", "message"), ERRORS)
def test_load_errors_name_line_and_column(text: str, where: tuple[int, int], message: str) -> None:
    with pytest.raises(RulesFileError) as caught:
        load_rules_text(text, "r.toml", "user")
    error = caught.value
    assert (error.file, error.line, error.column) == ("r.toml", *where)
    assert message in error.message
    assert str(error).startswith(f"r.toml:{where[0]}:{where[1]}: ")


def test_every_problem_is_listed_in_file_order() -> None:
    text = (
        'version = 1\n[[command]]\nprefix = ["ls"]\ndecision = "nope"\n'
        '[[path]]\nglob = "x"\ndecision = "ask"\n'
    )
    problems = check_rules_text(text, "r.toml", "user")
    assert [(p.line, p.column) for p in problems] == [(4, 1), (6, 1)]


def test_examples_run_only_once_the_file_is_valid() -> None:
    text = 'version = 1\n[[tool]]\nname = "a"\ndecision = "ask"\nexamples = ["b"]\n'
    assert [p.line for p in check_rules_text(text, "r.toml", "user")] == [5]


def test_requirements_reject_allow() -> None:
    text = 'version = 1\n[[network]]\nhost = "x.org"\ndecision = "allow"\n'
    with pytest.raises(RulesFileError) as caught:
        load_rules_text(text, "req.toml", "requirements")
    assert (caught.value.line, caught.value.column) == (4, 1)
    assert "requirements can only tighten" in caught.value.message
    assert load_rules_text(text, "user.toml", "user").networks


def test_requirements_settings(tmp_path: Path) -> None:
    path = tmp_path / "requirements.toml"
    path.write_text(
        "version = 1\n"
        'allowed_approval_policies = ["untrusted", "on-request"]\n'
        'allowed_sandbox_modes = ["read-only"]\n'
        'unknown_hosts = "block"\n'
        '[[command]]\nprefix = ["git", "push"]\ndecision = "ask"\n'
    )
    ruleset, requirements = load_requirements(path)
    assert requirements == Requirements(
        allowed_approval_policies=("untrusted", "on-request"),
        allowed_sandbox_modes=("read-only",),
        unknown_hosts="block",
    )
    assert ruleset.layer == "requirements"
    assert ruleset.commands[0].origin.layer == "requirements"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('allowed_approval_policies = ["sometimes"]', "must be a non-empty list drawn from"),
        ("allowed_sandbox_modes = []", "must be a non-empty list drawn from"),
        ('allowed_sandbox_modes = [["read-only"]]', "must be a non-empty list drawn from"),
        ('unknown_hosts = "allow"', "`unknown_hosts` must be one of ask, block"),
    ],
)
def test_bad_requirements_settings(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "requirements.toml"
    path.write_text(f"version = 1\n{line}\n")
    with pytest.raises(RulesFileError) as caught:
        load_requirements(path)
    assert (caught.value.line, caught.value.column) == (2, 1)
    assert message in caught.value.message


def test_a_missing_requirements_file_requires_nothing(tmp_path: Path) -> None:
    ruleset, requirements = load_requirements(tmp_path / "absent.toml")
    assert ruleset.all() == []
    assert requirements == Requirements()


def test_requirements_file_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "req.toml"
    path.write_text('version = 1\nunknown_hosts = "ask"\n')
    monkeypatch.setenv("WARDEN_REQUIREMENTS", str(path))
    assert load_requirements()[1].unknown_hosts == "ask"


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match="cannot read the file"):
        load_rules_file(tmp_path / "absent.toml", "user")
    path = tmp_path / "latin1.toml"
    path.write_bytes(b"version = 1\n# caf\xe9\n")
    with pytest.raises(RulesFileError) as caught:
        read_rules_file(path)
    assert (caught.value.line, caught.value.column) == (2, 6)


_KEYS = st.text(alphabet='abcd_-. é"\\', min_size=1, max_size=6)
_VALUES = st.recursive(
    st.text(alphabet="ab \"'\\\n[]{}=#.,", max_size=8) | st.integers() | st.booleans(),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=6,
)


@given(
    top=st.dictionaries(_KEYS, _VALUES, max_size=4),
    rules=st.lists(st.dictionaries(_KEYS, _VALUES, max_size=3), max_size=3),
    inline=st.booleans(),
)
def test_locate_finds_every_key_of_any_document(
    top: dict[str, object], rules: list[dict[str, object]], inline: bool
) -> None:
    document = tomlkit.document()
    for key, value in top.items():
        document.add(key, value)
    if inline:
        array = tomlkit.array()
        for rule in rules:
            inline_table = tomlkit.inline_table()
            inline_table.update(rule)
            array.append(inline_table)
        document.add("command", array)
    else:
        aot = tomlkit.aot()
        for rule in rules:
            table = tomlkit.table()
            table.update(rule)
            aot.append(table)
        document.add("command", aot)
    text = tomlkit.dumps(document)
    found = locate(text, frozenset({"command"}))
    assert set(found.root.keys) >= set(top)
    tables = found.arrays.get("command", [])
    assert [set(t.keys) for t in tables] == [set(rule) for rule in rules]
    for loc, rule in zip(tables, rules, strict=True):
        for key, value in rule.items():
            if isinstance(value, list):
                assert len(loc.items[key]) == len(value)
