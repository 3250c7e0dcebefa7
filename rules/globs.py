"""Glob matching for paths (`~`, `*`, `**`), hosts (`*.x`, `**.x`) and names."""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
import warnings
from collections.abc import Callable, Sequence
from fnmatch import fnmatchcase
from functools import lru_cache


def home() -> str:
    """The home directory paths with `~` refer to (read at call time: tests move it)."""
    return os.environ.get("HOME") or os.path.expanduser("~")


def expand(path: str, cwd: str | None, home_dir: str | None = None) -> str:
    """An absolute, normalised path: `~` expanded, relative paths joined to `cwd`.

    With no known `cwd`, a relative path is placed under `/?` so that only globs that
    start with `**/` (or `/**`) can match it. `home_dir` defaults to the current home.
    """
    if path == "~" or path.startswith("~/"):
        path = (home_dir or home()) + path[1:]
    elif path.startswith("~") and (other := os.path.expanduser(path)) != path:
        path = other  # `~user/...`
    elif not path.startswith("/"):
        base = _base(cwd, home_dir or home()) if cwd else "/?"
        if path and "/" not in path and path not in (".", ".."):
            return base.rstrip("/") + "/" + path  # nothing to normalise
        path = posixpath.join(base, path)
    normal = posixpath.normpath(path)
    return "/" if normal == "//" else normal


@lru_cache(maxsize=256)
def _base(cwd: str, home_dir: str) -> str:
    """A working directory made absolute (commands of a session share a few)."""
    return expand(cwd, None, home_dir)


@lru_cache(maxsize=4096)
def _path_regex(glob: str, home_dir: str) -> re.Pattern[str]:
    if glob == "~" or glob.startswith("~/"):
        glob = home_dir + glob[1:]
    body = _convert(glob, top=True)
    return re.compile(body + r"/?\Z")


def _split_braces(text: str) -> list[str]:
    """Split the inside of `{a,b{c,d}}` on its top-level commas."""
    out, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return out


def _closing_brace(glob: str, start: int) -> int:
    depth = 0
    for i in range(start, len(glob)):
        if glob[i] == "{":
            depth += 1
        elif glob[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _convert(glob: str, top: bool = False) -> str:
    """A path glob as a regular expression body (`{a,b}` alternatives allowed)."""
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("/**", i) and (i + 3 == len(glob) or glob[i + 3] == "/"):
            out.append("(?:/.*)?")  # `/**` is zero or more whole segments
            i += 3
            continue
        if glob.startswith("**/", i) and i == 0:
            out.append("(?:.*/)?")
            i += 3
            continue
        char = glob[i]
        if char == "{" and (end := _closing_brace(glob, i)) != -1:
            alternatives = _split_braces(glob[i + 1 : end])
            out.append("(?:" + "|".join(_convert(a) for a in alternatives) + ")")
            i = end + 1
            continue
        if char == "*":
            out.append(".*" if glob.startswith("**", i) else "[^/]*")
            i += 2 if glob.startswith("**", i) else 1
            continue
        if char == "?":
            out.append("[^/]")
        elif char == "[" and (end := glob.find("]", i + 1)) != -1:
            inside = glob[i + 1 : end].replace("\\", "\\\\").replace("[", "\\[")
            cls = "[^" + inside[1:] + "]" if inside.startswith("!") else "[" + inside + "]"
            out.append(cls if _valid(cls) else re.escape(glob[i : end + 1]))
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    body = "".join(out)
    return body.rstrip("/") if top and len(glob) > 1 and body.endswith("/") else body


PathMatcher = Callable[[str], "re.Match[str] | None"]


def path_matcher(glob: str, home_dir: str) -> PathMatcher:
    """A fast test of an absolute path against a glob.

    `**/tail` globs search for `/tail` at the end of the path: a literal start lets the
    regex engine skip ahead instead of trying every split of the path.
    """
    if glob.startswith("**/") and not glob.startswith("**/**"):
        return re.compile("/" + _convert(glob[3:], top=True) + r"/?\Z").search
    return path_regex(glob, home_dir).match


def any_path_matcher(globs: list[str], home_dir: str) -> PathMatcher | None:
    """One test of a path against many globs: a match when any of them matches (None: none).

    Used to rule out a group of globs at once; which one matched is asked one by one.
    """
    if not globs:
        return None
    alternatives = []
    for glob in globs:
        if glob.startswith("**/") and not glob.startswith("**/**"):
            alternatives.append("/" + _convert(glob[3:], top=True) + r"/?\Z")
        else:
            alternatives.append(r"\A" + path_regex(glob, home_dir).pattern)
    return re.compile("|".join(alternatives)).search


def path_regex(glob: str, home_dir: str | None = None) -> re.Pattern[str]:
    """The compiled form of a path glob, `~` taken as `home_dir` (default: the home now)."""
    return _path_regex(glob, home_dir or home())


def path_matches(glob: str, path: str) -> bool:
    """True when an absolute, normalised `path` matches a path glob.

    `~` is the home directory, `*` and `?` stay within one segment, `**` spans any
    number of segments (`~/.ssh/**` covers `~/.ssh` itself and everything below it).
    """
    return _path_regex(glob, home()).match(path) is not None


def brace_alternatives(glob: str) -> list[str]:
    """`a/{b,c}/d` → `a/b/d`, `a/c/d` (nested braces too)."""
    start = glob.find("{")
    end = _closing_brace(glob, start) if start != -1 else -1
    if end == -1:
        return [glob]
    head, tail = glob[:start], glob[end + 1 :]
    return [
        out
        for alternative in _split_braces(glob[start + 1 : end])
        for out in brace_alternatives(head + alternative + tail)
    ]


_WILDCARD = re.compile(r"\*\*|\*|\?|\[!?([^\]])[^\]]*\]")


@lru_cache(maxsize=4096)
def witnesses(glob: str, home_dir: str) -> tuple[str, ...]:
    """Concrete paths a path glob matches, one per alternative, wildcards filled in.

    Used to ask whether a shell pattern such as `~/.s?h/*` can reach a guarded file:
    it can if it matches one of the guard's witnesses.
    """
    out = []
    for alternative in brace_alternatives(glob):
        if alternative == "~" or alternative.startswith("~/"):
            alternative = home_dir + alternative[1:]
        out.append(_WILDCARD.sub(lambda m: m.group(1) or "x", alternative))
    return tuple(out)


@lru_cache(maxsize=4096)
def shell_pattern(pattern: str) -> re.Pattern[str]:
    """A shell file pattern (`~/.s?h/*`) as a regex over newline-separated paths.

    As in the shell, `*` and `?` never match `/`; `[...]` is a character class.
    """
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            out.append("[^/\n]*")
        elif char == "?":
            out.append("[^/\n]")
        elif char == "[" and (end := pattern.find("]", i + 2)) != -1:
            inside = pattern[i + 1 : end].replace("\\", "\\\\").replace("[", "\\[")
            negated = inside[:1] in ("!", "^")
            cls = ("[^\n" + inside[1:] if negated else "[" + inside) + "]"
            out.append(cls if _valid(cls) else "[^/\n]")  # a class bash would reject: any
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("^" + "".join(out) + "$", re.MULTILINE)


def _valid(regex: str) -> bool:
    """True when a character class compiles cleanly (no error, no future-syntax warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            re.compile(regex)
        except (re.error, FutureWarning):
            return False
    return True


def has_wildcard(path: str) -> bool:
    """True when a path holds shell pattern characters."""
    return _PATTERN_CHARS.search(path) is not None


_PATTERN_CHARS = re.compile(r"[*?\[]")


def glob_literal_dir(glob: str, home_dir: str | None = None) -> str:
    """The longest directory of a path glob free of wildcards (used to index path rules)."""
    if glob == "~" or glob.startswith("~/"):
        glob = (home_dir or home()) + glob[1:]
    literal = re.split(r"[*?\[{]", glob, maxsplit=1)[0]
    if literal == glob:
        return literal.rstrip("/") or "/"
    return literal.rsplit("/", 1)[0] or "/"


def host_matches(pattern: str, host: str) -> bool:
    """`example.com` exact; `*.example.com` subdomains only; `**.example.com` both."""
    host = host.lower().rstrip(".")
    pattern = pattern.lower()
    if pattern.startswith("**."):
        suffix = pattern[3:]
        return host == suffix or host.endswith("." + suffix)
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and host != pattern[2:]
    return host == pattern


def globs_regex(globs: Sequence[str]) -> re.Pattern[str] | None:
    """One regex whose `search` says whether a whole word matches any of the fnmatch globs.

    Leading `*`s become an unanchored start, so `*secret*` is one scan of the word rather
    than a backtracking match per alternative. None when there are no globs.
    """
    if not globs:
        return None
    alternatives = []
    for glob in globs:
        rest = glob.lstrip("*")
        body = fnmatch.translate(rest)  # `(?s:...)\Z`: anchored at the end already
        alternatives.append(body if rest != glob else r"\A" + body)
    return re.compile("|".join(alternatives))


def word_matches(pattern: str, word: str) -> bool:
    """A prefix word: an fnmatch glob whose `*` never spans a `/`."""
    if not any(c in pattern for c in "*?["):
        return pattern == word
    return fnmatchcase(word, pattern) and ("/" in pattern or "/" not in word)
