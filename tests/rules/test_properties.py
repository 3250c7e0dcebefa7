"""Property tests: the parser never raises, and opaque code is never allowed by a prefix rule."""

from __future__ import annotations

import shlex
from fnmatch import fnmatchcase

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.engine import Engine
from rules.globs import any_path_matcher, expand, globs_regex, path_matcher
from rules.layers import builtin_ruleset
from rules.loader import load_rules_text
from rules.shell import _Walker, is_plain, parse

SAFE = [
    "ls -la",
    "git status",
    "cat f",
    "grep -n x f",
    "echo hi",
    "make test",
    "rm -f x.o",
    "pytest -q",
    "cargo build",
]
# Templates: `@@` is the inner command, `@Q` the inner command shell-quoted.
OPAQUE = [
    "echo $(@@)",
    "echo `@@`",
    "eval @@",
    "python3 -c @Q",
    "perl -e @Q",
    "node -e @Q",
    "$CMD @@",
    "${TOOL} @@",
    "PATH=/tmp @@",
    "LD_PRELOAD=/x.so @@",
    "@@ | sh",
    "@@ | bash -s",
    "source ./x.sh",
    ". ./x.sh",
    "f() { @@; }",
    "alias x=@Q",
    "find . -exec @@ ';'",
    "awk 'BEGIN{system(\"id\")}'",
    "sed '1e id' f",
    'bash -c "$(@@)"',
    'sh -c "$X"',
    "git -c core.pager=sh log",
    "env -S @Q",
    "diff <(@@) f",
    "cat <<EOF | python3\n@@\nEOF",
    "trap @Q EXIT",
]
CONTEXTS = [
    "@@",
    "ls && @@",
    "@@ ; git status",
    "( @@ )",
    "{ @@; }",
    "bash -c @Q",
    "sudo @@",
    "timeout 5 @@",
    "if true; then @@; fi",
    "echo ok | @@",
]
SHELL_CHARS = [*"$`'\"\\|&;<>(){}[]*?!#~= \n\t-", "$(", "<<", ">>", "&&", "||", "${"]

# An "allow everything" user rules file: only opacity (and guards) can stop it.
ALLOW_ALL = load_rules_text(
    'version = 1\n[[command]]\nprefix = ["*"]\ndecision = "allow"\n', "allow-all.toml", "user"
)
ENGINE = Engine([builtin_ruleset(), ALLOW_ALL])


def _fill(template: str, inner: str) -> str:
    return template.replace("@Q", shlex.quote(inner)).replace("@@", inner)


@given(st.text(max_size=200))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_parser_never_raises_on_random_text(text: str) -> None:
    parse(text, "/w")
    ENGINE.check_command(text, "/w")


@given(
    st.sampled_from(SAFE),
    st.lists(st.tuples(st.integers(0, 60), st.sampled_from(SHELL_CHARS)), max_size=8),
)
@settings(max_examples=400)
def test_parser_never_raises_on_mutated_commands(base: str, edits: list[tuple[int, str]]) -> None:
    text = base
    for position, fragment in edits:
        cut = position % (len(text) + 1)
        text = text[:cut] + fragment + text[cut:]
    verdict = ENGINE.check_command(text, "/w")
    assert verdict.decision in ("allow", "ask", "block")


@given(st.sampled_from(OPAQUE), st.sampled_from(SAFE), st.sampled_from(CONTEXTS))
@settings(max_examples=400)
def test_opaque_code_is_never_allowed_without_an_exact_rule(
    opaque: str, inner: str, context: str
) -> None:
    command = _fill(context, _fill(opaque, inner))
    verdict = ENGINE.check_command(command, "/w")
    assert verdict.decision != "allow", (command, verdict)


@given(st.sampled_from(SAFE), st.sampled_from(CONTEXTS))
@settings(max_examples=100)
def test_transparent_commands_are_allowed_by_the_allow_all_rule(inner: str, context: str) -> None:
    command = _fill(context, inner)
    verdict = ENGINE.check_command(command, "/w")
    if "sudo" not in command:
        assert verdict.decision == "allow", (command, verdict)


PLAIN_WORD = st.text(alphabet="abcxyz019_./:@%+,=^~-", min_size=1, max_size=8)


@given(st.lists(PLAIN_WORD, min_size=1, max_size=6))
@settings(max_examples=300)
def test_plain_fast_path_agrees_with_the_parser(words: list[str]) -> None:
    command = " ".join(words)
    if is_plain(command):
        assert parse(command, "/w") == _Walker("/w").run(command, 0)


GLOB_CHARS = st.sampled_from(["*", "?", "a", "b", ".", "/", "[ab]", "[!a]", "-", "\n"])


@given(
    st.lists(st.lists(GLOB_CHARS, max_size=6).map("".join), min_size=1, max_size=4),
    st.text(alphabet="ab./-\n*?", max_size=8),
)
@settings(max_examples=500)
def test_one_search_regex_agrees_with_fnmatch_for_any_of_the_globs(
    globs: list[str], word: str
) -> None:
    regex = globs_regex(globs)
    assert regex is not None
    assert bool(regex.search(word)) == any(fnmatchcase(word, g) for g in globs)


PATH_GLOBS = [
    "**/.git/{hooks/**,config}",
    "**/.env*",
    "**/*.pem",
    "~/.ssh/**",
    "/etc/{shadow,sudoers.d/**}",
    "**/**/secret",
    "/srv/*/data/**",
    "**/id_[rd]sa",
]
PATH_PIECES = st.sampled_from(
    [
        *("", ".git", "hooks", "config", ".env", ".envrc", "x.pem", ".ssh", "etc", "shadow"),
        *("a", "sudoers.d", "secret", "srv", "data", "id_rsa", "id_dsa", "~"),
    ]
)


@given(
    st.lists(st.sampled_from(PATH_GLOBS), min_size=1, max_size=4, unique=True),
    st.lists(PATH_PIECES, min_size=1, max_size=5),
)
@settings(max_examples=500)
def test_one_screening_regex_agrees_with_the_globs_one_by_one(
    globs: list[str], pieces: list[str]
) -> None:
    home_dir = "/home/u"
    path = expand("/" + "/".join(pieces), None, home_dir)
    screen = any_path_matcher(globs, home_dir)
    assert screen is not None
    each = any(path_matcher(g, home_dir)(path) for g in globs)
    assert (screen(path) is not None) == each
