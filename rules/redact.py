"""Hide secrets (API keys, tokens, passwords, private keys) in text before it is logged or sent."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

MARK = "[REDACTED]"

# Words that end a name whose value is a secret: `DB_PASSWORD`, `github_token`, `X-Api-Key`.
# The name must end with one, so `max_tokens` and `token_file` keep their values.
_SECRET_NAME = (
    r"(?:pass(?:word|wd|phrase)|token|secret|(?:api|access|secret|private)[_-]?key"
    r"|credentials?|auth)"
)
_NAME_NEEDLES = ("pass", "token", "secret", "key", "credential", "auth")
_KEY = re.compile(rf"(?i)[\w.-]*?{_SECRET_NAME}")
_QUOTED = r"\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'"
# A flag named like a secret (`--password`, `--db-password`, `-token`), after its first dash.
_FLAG_TAIL = rf"-?(?:[\w-]*[_-])?{_SECRET_NAME}"
_FLAG_WORD = re.compile(rf"(?i)-{_FLAG_TAIL}")

Replacement = str | Callable[[re.Match[str]], str]


def _hide_value(match: re.Match[str]) -> str:
    """Replace the third group (a value, perhaps quoted) unless it is no secret itself."""
    name, between, value = match.groups()
    quote = value[0] if value[:1] in ("'", '"') else ""
    inner = value[1:-1] if quote else value
    if _keep(inner):
        return match.group(0)
    return f"{name}{between}{quote}{MARK}{quote}"


# (needles, pattern, replacement): a pattern runs only when one of its needles is in the
# lower-cased text; a substring test is far cheaper than a regex scan, and most text has none.
# Specific token shapes come first, generic names last.
_RULES: list[tuple[tuple[str, ...], re.Pattern[str], Replacement]] = [
    (
        ("-----begin",),
        re.compile(
            r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)[\s\S]*?"
            r"(-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)"
        ),
        rf"\1{MARK}\2",
    ),
    # OpenAI `sk-…`, `sk-proj-…` and Anthropic `sk-ant-…`: long, with at least one digit.
    (("sk-",), re.compile(r"\b(sk-(?:ant-)?)(?=[\w-]*\d)[\w-]{20,}"), rf"\1{MARK}"),
    (
        ("ghp_", "gho_", "ghs_", "ghu_", "ghr_"),
        re.compile(r"\b(gh[opsur]_)[A-Za-z0-9]{30,}"),
        rf"\1{MARK}",
    ),
    (("github_pat_",), re.compile(r"\b(github_pat_)\w{30,}"), rf"\1{MARK}"),
    (("akia", "asia"), re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"), rf"\1{MARK}"),
    (("xox",), re.compile(r"\b(xox[abposr]-)[A-Za-z0-9-]{10,}"), rf"\1{MARK}"),
    (("aiza",), re.compile(r"\b(AIza)[\w-]{30,}"), rf"\1{MARK}"),
    (("eyj",), re.compile(r"\beyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]*"), MARK),
    (
        ("basic",),
        re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?basic\s+)[A-Za-z0-9+/]+=*"),
        rf"\1{MARK}",
    ),
    (("bearer",), re.compile(r"(?i)\b(bearer\s+)[\w.~+/-]{8,}=*"), rf"\1{MARK}"),
    # `https://user:pass@host` keeps the user and host.
    (
        ("://",),
        re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@"),
        r"\1***@",
    ),
    # `--password X`, `--api-key=X`: a flag named like a secret, then its value.
    (
        _NAME_NEEDLES,
        re.compile(rf"(?i)(-(?<![\w-]-){_FLAG_TAIL})(\s+|=)(?!-)({_QUOTED}|[^\s\"']+)"),
        _hide_value,
    ),
    # `password=X`, `"token": "X"`, `API_KEY: X`: the name only has to end with a secret word.
    (
        _NAME_NEEDLES,
        re.compile(rf"(?i)({_SECRET_NAME})\b([\"']?\s*[=:]\s*)({_QUOTED}|[^\s\"'&;,]+)"),
        _hide_value,
    ),
]


# The shortest text any rule above rewrites (`auth=x`): anything shorter is returned as is.
_SHORTEST_SECRET = 6
_ANY_NEEDLE = re.compile(
    "|".join(sorted({re.escape(n) for needles, _, _ in _RULES for n in needles}))
)


def redact(text: str) -> str:
    """Replace every secret in `text` with `[REDACTED]`, keeping a short prefix as a hint.

    Redaction is idempotent (`redact(redact(t)) == redact(t)`) and never raises.

    Args:
        text: any text: a command line, file content, a message.

    Returns:
        The text with keys, tokens, passwords and private key blocks replaced.
    """
    if len(text) < _SHORTEST_SECRET:
        return text
    if len(text) <= _SHORT_TEXT:
        return _redact_short(text)
    return _redact(text)


def _redact(text: str) -> str:
    lowered = text.lower()
    if not _ANY_NEEDLE.search(lowered):
        return text  # most text holds none of the words a secret pattern needs
    for needles, pattern, replacement in _RULES:
        if any(needle in lowered for needle in needles):
            text, count = pattern.subn(replacement, text)
            if count:
                lowered = text.lower()
    return text


# Short texts (ids, decisions, rule names, commands) repeat in every record: remembered.
_SHORT_TEXT = 64
_redact_short = lru_cache(maxsize=4096)(_redact)


def redact_value(obj: Any) -> Any:
    """Redact every string inside `obj`, recursing into dicts, lists and tuples.

    A string stored under a key named like a secret (`password`, `api_key`, `GITHUB_TOKEN`), or
    following a flag like `--password` in a list (an argv), is replaced whole. Keys, numbers,
    booleans and None are kept; tuples come back as lists.

    Args:
        obj: a JSON-like value.

    Returns:
        A redacted copy (`obj` itself is not changed).
    """
    kind = type(obj)
    if kind is str:
        return redact(obj)
    if kind is int or kind is bool or obj is None:
        return obj
    if isinstance(obj, str):
        return redact(obj)
    if isinstance(obj, dict):
        return {key: _redact_item(key, value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return _redact_list(obj)
    return obj


def _redact_list(items: list[Any] | tuple[Any, ...]) -> list[Any]:
    """Redact each item; in an argv, the word after `--password` or `--token` is hidden whole."""
    out: list[Any] = []
    after_flag = False
    for item in items:
        if after_flag and isinstance(item, str) and not item.startswith("-") and not _keep(item):
            out.append(MARK)
        else:
            out.append(redact_value(item))
        after_flag = isinstance(item, str) and _FLAG_WORD.fullmatch(item) is not None
    return out


def _redact_item(key: Any, value: Any) -> Any:
    if isinstance(key, str) and isinstance(value, str) and _secret_key(key):
        return value if _keep(value) else MARK
    return redact_value(value)


@lru_cache(maxsize=4096)
def _secret_key(key: str) -> bool:
    """Whether a mapping key names a secret (`password`, `api_key`); keys repeat, so cached."""
    return _KEY.fullmatch(key) is not None


def _keep(value: str) -> bool:
    """Values that are no secret themselves: empty, a `$VARIABLE` reference, already hidden."""
    return not value or value.startswith(("$", "{", "[", "<", "***"))
