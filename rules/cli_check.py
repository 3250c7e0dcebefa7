"""`warden check`: judge a command, an argv or a batch of actions against the rules in force."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from rules.engine import Engine, default_engine
from rules.errors import RulesFileError
from rules.model import Verdict

EXIT_CODES = {"allow": 0, "ask": 3, "block": 4}
USAGE_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="warden check",
        description="Judge a shell command (one string) or an argv (after --) by the rules.",
        epilog="Exit code: 0 allow, 3 ask, 4 block, 2 usage or rules-file error.",
    )
    parser.add_argument(
        "--rules",
        action="append",
        default=[],
        metavar="FILE",
        help="add a rules file as an extra user-level layer (repeatable)",
    )
    parser.add_argument(
        "--no-user-rules",
        action="store_true",
        help="skip the user and project rules (built-in and requirements apply)",
    )
    parser.add_argument(
        "--cwd",
        default=None,
        metavar="DIR",
        help="the directory the command runs in (default: this one)",
    )
    parser.add_argument("--json", action="store_true", help="print the verdict as JSON")
    parser.add_argument(
        "--batch",
        action="store_true",
        help="read JSON lines from stdin, write one verdict line per input",
    )
    parser.add_argument("words", nargs="*", help='"SHELL STRING", or -- ARGV...')
    return parser


def explain(verdict: Verdict) -> str:
    """A readable account of a verdict: each part, what decided it and why."""
    head = {"allow": "allow", "ask": "ask", "block": "BLOCK"}[verdict.decision]
    lines = [f"{head}  ({_source_words(verdict.source)})"]
    for part in verdict.parts:
        rule = part.rule
        where = f"{rule.id} ({rule.file}:{rule.line})" if rule else part.source
        opaque = "  [opaque]" if part.opaque else ""
        lines.append(f"  {part.decision:<5}  {part.text}{opaque}")
        lines.append(f"         {where}: {part.why}" if part.why else f"         {where}")
    if verdict.signals:
        lines.append("signals: " + ", ".join(verdict.signals))
    return "\n".join(lines)


def _source_words(source: str) -> str:
    return {
        "rules": "decided by your rules",
        "builtin": "decided by Warden's built-in rules",
        "requirements": "decided by the administrator's requirements",
        "fallback": "no rule matches: the approval policy decides",
    }[source]


class _Engines:
    """One engine per working directory (project rules depend on it), built on demand."""

    def __init__(self, extra: Sequence[str], user: bool) -> None:
        self.extra = list(extra)
        self.user = user
        self.cache: dict[str | None, Engine] = {}

    def __call__(self, cwd: str | None) -> Engine:
        key = cwd if self.user else None
        if key not in self.cache:
            self.cache[key] = default_engine(cwd, self.extra, user=self.user)
        return self.cache[key]


def _judge_line(
    raw: str, engines: Callable[[str | None], Engine], cwd: str | None
) -> dict[str, Any]:
    item_id: Any = None
    try:
        item = json.loads(raw)
        if not isinstance(item, dict):
            raise ValueError("each line must be a JSON object")
        item_id = item.get("id")
        here = item.get("cwd", cwd)
        engine = engines(here)
        kind = item.get("kind", "exec")
        if "command" in item and kind == "exec":
            verdict = engine.check_command(_text(item, "command"), here)
        elif "argv" in item and kind == "exec":
            argv = item["argv"]
            if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
                raise ValueError("argv must be a list of strings")
            verdict = engine.check_argv(argv, here)
        elif kind in ("read", "write"):
            verdict = engine.check_path(_text(item, "path"), kind, here)
        elif kind == "network":
            port = item.get("port")
            if port is not None and not isinstance(port, int):
                raise ValueError("port must be a number")
            verdict = engine.check_host(_text(item, "host"), port)
        elif kind == "tool":
            verdict = engine.check_tool(_text(item, "tool"))
        else:
            raise ValueError(f"unknown kind {kind!r} (exec, read, write, network, tool)")
    except RulesFileError as exc:
        return {"id": item_id, "error": str(exc)}
    except (ValueError, KeyError, TypeError) as exc:
        return {"id": item_id, "error": str(exc) or type(exc).__name__}
    return {"id": item_id, **verdict.to_json()}


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} must be a non-empty string")
    return value


def run_batch(
    stdin: TextIO, stdout: TextIO, engines: Callable[[str | None], Engine], cwd: str | None
) -> int:
    """Judge JSON lines from `stdin`, one verdict line each, in order."""
    for raw in stdin:
        if not raw.strip():
            continue
        stdout.write(json.dumps(_judge_line(raw, engines, cwd)) + "\n")
        stdout.flush()
    return 0


def main(argv: list[str]) -> int:
    """Run `warden check`."""
    dashdash = "--" in argv
    head, tail = (
        (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if dashdash else (argv, [])
    )
    parser = _parser()
    try:
        args = parser.parse_args(head)
    except SystemExit as exc:
        return 0 if exc.code == 0 else USAGE_ERROR
    engines = _Engines(args.rules, user=not args.no_user_rules)
    cwd = args.cwd or os.getcwd()
    if args.batch:
        if args.words or tail:
            print("warden check: --batch reads stdin; give no command", file=sys.stderr)
            return USAGE_ERROR
        try:
            return run_batch(sys.stdin, sys.stdout, engines, cwd)
        except OSError as exc:
            print(f"warden check: cannot read stdin: {exc}", file=sys.stderr)
            return 1
    words = [*args.words, *tail]
    if not words:
        parser.print_usage(sys.stderr)
        print('warden check: give a "SHELL STRING" or -- ARGV...', file=sys.stderr)
        return USAGE_ERROR
    try:
        engine = engines(cwd)
    except RulesFileError as exc:
        print(f"warden check: {exc}", file=sys.stderr)
        return USAGE_ERROR
    if dashdash or len(words) > 1:
        verdict = engine.check_argv(words, cwd)
    else:
        verdict = engine.check_command(words[0], cwd)
    print(json.dumps(verdict.to_json()) if args.json else explain(verdict))
    return EXIT_CODES[verdict.decision]
