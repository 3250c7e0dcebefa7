"""Literal strings that every match of a regular expression contains: a cheap pre-check.

`needles(r"\\b(curl|wget)\\b.*\\|\\s*sh")` is `{"curl", "wget"}`: a text holding neither cannot
match, so the regex need not run. Any doubt (case-insensitive flags, a parse failure, no
literal that every match needs) gives None, meaning "always run the regex".
"""

from __future__ import annotations

import importlib
import re
from typing import Any

_parser: Any = importlib.import_module("re._parser")
_constants: Any = importlib.import_module("re._constants")
_REPEATS = {_constants.MAX_REPEAT, _constants.MIN_REPEAT}
_REPEATS |= {getattr(_constants, "POSSESSIVE_REPEAT", _constants.MAX_REPEAT)}
_ZERO_WIDTH = {_constants.AT}


def needles(pattern: str) -> frozenset[str] | None:
    """Strings one of which occurs in every match of `pattern`, or None if unknown."""
    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, TypeError, ValueError):
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    found = _sequence(list(parsed))
    return frozenset(found) if found and all(found) else None


def _sequence(items: list[tuple[Any, Any]]) -> set[str] | None:
    """The most selective requirement among the elements of a sequence."""
    candidates: list[set[str]] = []
    run: list[str] = []
    for op, arg in items:
        if op is _constants.LITERAL:
            run.append(chr(arg))
            continue
        if op in _ZERO_WIDTH:
            continue  # `\b`, `^`: consume nothing, so literals around them stay adjacent
        if run:
            candidates.append({"".join(run)})
            run = []
        found = _element(op, arg)
        if found:
            candidates.append(found)
    if run:
        candidates.append({"".join(run)})
    return max(candidates, key=lambda needles: min(map(len, needles)), default=None)


def _element(op: Any, arg: Any) -> set[str] | None:
    if op is _constants.SUBPATTERN:
        _group, add_flags, _del_flags, inner = arg
        return None if add_flags & re.IGNORECASE else _sequence(list(inner))
    if op is _constants.BRANCH:
        branches = [_sequence(list(branch)) for branch in arg[1]]
        if any(not branch for branch in branches):
            return None
        return set().union(*[b for b in branches if b])
    if op in _REPEATS:
        low, _high, inner = arg
        return _sequence(list(inner)) if low >= 1 else None
    return None
