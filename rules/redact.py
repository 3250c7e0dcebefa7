"""Hide secrets (API keys, tokens, passwords, private keys) in text before it is logged or sent."""

from __future__ import annotations

import re
from typing import Any

MARK = "[REDACTED]"

# Names whose value is a secret: `DB_PASSWORD`, `github_token`, `X-Api-Key`, `client_secret`.
# The name must end with one of these words, so `max_tokens` and `token_file` keep their values.
_SECRET_NAME = (
    r"(?:pass(?:word|wd|phrase)|pwd|token|secret|(?:api|access|secret|private)[_-]?key"
    r"|credentials?|auth)"
)
_NAME = re.compile(rf"(?i)\w*?[_.-]?{_SECRET_NAME}")
_QUOTED = r"\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'"

# (pattern, replacement) applied in order; specific token shapes first, generic names last.
_RULES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)"
        ),
        rf"\1{MARK}\2",
    ),
    # OpenAI `sk-…`, `sk-proj-…` and Anthropic `sk-ant-…`: long, with at least one digit.
    (re.compile(r"\b(sk-(?:ant-)?)(?=[\w-]*\d)[\w-]{20,}"), rf"\1{MARK}"),
    (re.compile(r"\b(gh[opsur]_)[A-Za-z0-9]{30,}"), rf"\1{MARK}"),
    (re.compile(r"\b(github_pat_)\w{30,}"), rf"\1{MARK}"),
    (re.compile(r"\b((?:AKIA|ASIA)[A-Z0-9]{16})\b"), MARK),
    (re.compile(r"\b(xox[abposr]-)[A-Za-z0-9-]{10,}"), rf"\1{MARK}"),
    (re.compile(r"\b(AIza)[\w-]{35}"), rf"\1{MARK}"),
    (re.compile(r"\beyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]*"), MARK),
    (re.compile(r"(?i)\b(bearer\s+)[\w.~+/-]{8,}=*"), rf"\1{MARK}"),
    # `https://user:pass@host` keeps the user and host.
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@"), r"\1***@"),
]
# `--password X`, `--api-key=X`: a flag named like a secret, then its value.
_FLAG = re.compile(rf"(?i)(--?[\w-]*?{_SECRET_NAME})(\s+|=)(?!-)({_QUOTED}|[^\s\"']+)")
# `password=X`, `"token": "X"`, `API_KEY: X`: an assignment to a name that holds a secret.
_ASSIGN = re.compile(
    rf"(?i)\b(\w*?{_SECRET_NAME})\b([\"']?\s*[=:]\s*)({_QUOTED}|[^\s\"'&;,]+)"
)


def redact(text: str) -> str:
    """Replace every secret in `text` with `[REDACTED]`, keeping a short prefix as a hint.

    Redaction is idempotent (`redact(redact(t)) == redact(t)`) and never raises.

    Args:
        text: any text: a command line, file content, a message.

    Returns:
        The text with keys, tokens, passwords and private key blocks replaced.
    """
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    text = _FLAG.sub(_hide_value, text)
    return _ASSIGN.sub(_hide_value, text)


def redact_value(obj: Any) -> Any:
    """Redact every string inside `obj`, recursing into dicts, lists and tuples.

    A string stored under a key named like a secret (`password`, `api_key`, `GITHUB_TOKEN`) is
    replaced whole. Keys, numbers, booleans and None are kept; tuples come back as lists.

    Args:
        obj: a JSON-like value.

    Returns:
        A redacted copy (`obj` itself is not changed).
    """
    if isinstance(obj, str):
        return redact(obj)
    if isinstance(obj, dict):
        return {key: _redact_item(key, value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return [redact_value(item) for item in obj]
    return obj


def _redact_item(key: Any, value: Any) -> Any:
    if isinstance(key, str) and isinstance(value, str) and _NAME.fullmatch(key):
        return value if _keep(value) else MARK
    return redact_value(value)


def _hide_value(match: re.Match[str]) -> str:
    name, between, value = match.groups()
    quote = value[0] if value[:1] in ("'", '"') else ""
    inner = value[1:-1] if quote else value
    if _keep(inner):
        return match.group(0)
    return f"{name}{between}{quote}{MARK}{quote}"


def _keep(value: str) -> bool:
    """Values that are no secret themselves: empty, a `$VARIABLE` reference, already hidden."""
    return not value or value.startswith(("$", "{", "[", "(", "<", "%")) or value == "***"
