"""The regex pre-check: every match holds a needle, and doubt disables the check."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.layers import builtin_ruleset
from rules.needles import needles

PATTERNS = [r.pattern for r in builtin_ruleset().commands if r.pattern] + [
    r"\bfoo(bar|baz)+x?",
    r"(ab|cd)e",
    r"a*b",
    r"x{2,}y",
    r"(?:p|q)\d+r",
]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\b(curl|wget)\b[^|]*\|\s*sh", {"curl", "wget"}),
        (r"/dev/(tcp|udp)/", {"/dev/"}),
        (r"ab(c|de)f", {"ab"}),
        (r"(?i)secret", None),
        (r"(x|)y", {"y"}),
        (r"a*", None),
        (r"[abc]+", None),
        (r"(", None),
    ],
)
def test_needles(pattern: str, expected: set[str] | None) -> None:
    found = needles(pattern)
    assert (set(found) if found is not None else None) == expected


@given(st.sampled_from(PATTERNS), st.text(alphabet="abcdefpqrxyz/|$ ()-_.:;&'\"", max_size=40))
@settings(max_examples=500)
def test_every_match_contains_a_needle(pattern: str, noise: str) -> None:
    for text in (noise, f"curl x | sh {noise}", f"{noise} foobar", f"abcde {noise} xxy p12r"):
        found = needles(pattern)
        if found is not None and re.search(pattern, text):
            assert any(n in text for n in found), (pattern, text)
