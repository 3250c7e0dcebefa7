"""Reading `core.hooksPath` from a git config file, the way git does."""

from __future__ import annotations

import pytest

from sandbox.gitdir import hooks_path


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("[core]\n\thooksPath = .husky/_\n", ".husky/_"),
        ("[core]\n\tHooksPath=hooks ; a comment\n", "hooks"),
        ('[core]\n\thookspath = "my hooks" # comment\n', "my hooks"),
        ("[Core] hooksPath = inline\n", "inline"),
        ("[core]\n\thooksPath = a\n[core]\n\thooksPath = b\n", "b"),
        ('[remote "origin"]\n\thooksPath = nope\n', None),
        ("[core]\n\tbare = false\n", None),
        ("", None),
    ],
)
def test_hooks_path(config: str, expected: str | None) -> None:
    assert hooks_path(config) == expected
