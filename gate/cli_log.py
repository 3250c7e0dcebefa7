"""`warden log`: show the audit log's last records, follow new ones, or verify its hash chain."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from gate.audit_files import default_path, log_files
from gate.audit_verify import VerifyReport, last_records, read_records, verify

EPILOG = """exit status: 0 when shown (also when there is no log yet) or when the chain is intact
(a torn last line from a crash is only a warning); 1 when --verify finds a broken chain or no
log at all; 2 for bad arguments."""


def main(argv: list[str]) -> int:
    """Run `warden log [--json] [--follow] [--verify] [--file PATH] [-n N]`.

    Args:
        argv: The arguments after `log`.

    Returns:
        0 on success; 1 when --verify finds a broken chain or no log; 2 for bad arguments.
    """
    parser = argparse.ArgumentParser(prog="warden log", description=__doc__, epilog=EPILOG)
    parser.add_argument("--json", action="store_true", help="print records as JSON lines")
    parser.add_argument("--follow", "-f", action="store_true", help="keep printing new records")
    parser.add_argument("--verify", action="store_true", help="check the hash chain")
    parser.add_argument("--file", type=Path, metavar="PATH", help="the log (default: %(default)s)")
    parser.add_argument("-n", type=int, default=50, metavar="N", help="last N records (50)")
    parser.set_defaults(file=default_path())
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    path: Path = args.file
    if not log_files(path):
        print(
            f"warden log: no audit log at {path} (the gate writes one once it runs)",
            file=sys.stderr,
        )
        return 1 if args.verify else 0
    try:
        if args.verify:
            return _verify(path, args.json)
        _show(path, args.n, args.follow, args.json)
    except BrokenPipeError:  # `warden log | head`: the reader is gone, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except KeyboardInterrupt:  # Ctrl-C ends --follow
        pass
    return 0


def _show(path: Path, n: int, follow: bool, as_json: bool) -> None:
    shown = last_records(path, n) if n > 0 else []
    write = _json_line if as_json else _Lines().line
    _print(map(write, shown))
    if follow:
        after = shown[-1]["seq"] if shown else 0
        _print(map(write, read_records(path, follow=True, after=after)))


def _print(lines: Iterable[str]) -> None:
    for text in lines:
        print(text, flush=True)


def _verify(path: Path, as_json: bool) -> int:
    report = verify(path)
    if as_json:
        print(json.dumps(dataclasses.asdict(report), indent=2))
    else:
        print(_summary(report))
    return 0 if report.ok else 1


def _summary(report: VerifyReport) -> str:
    span = f"seq {report.first_seq}-{report.last_seq}" if report.records else "empty"
    lines = [f"{report.records} records ({span}) in {len(report.files)} file(s):"]
    lines += [f"  {file}" for file in report.files]
    lines += [f"warning: {text}" for text in report.warnings]
    lines += [f"problem: {text}" for text in report.problems]
    if report.first_seq > 1:
        lines.append(
            f"note: the chain starts at seq {report.first_seq}; older files were rotated away"
        )
    if report.ok:
        torn = " (its torn last line is not part of it)" if report.torn_tail else ""
        lines.append(f"chain intact{torn}")
    else:
        lines.append(f"chain BROKEN: {len(report.problems)} problem(s)")
    return "\n".join(lines)


def _json_line(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


class _Lines:
    """Readable lines, with a date line whenever the (local) day changes."""

    def __init__(self) -> None:
        self.day = date.today()

    def line(self, record: dict[str, Any]) -> str:
        try:
            when = datetime.fromisoformat(record["ts"]).astimezone()
        except ValueError:
            return f"{record['ts']}  {record['event']:<16} {_detail(record)}"
        text = f"{when:%H:%M:%S}  {record['event']:<16} {_detail(record)}".rstrip()
        if when.date() != self.day:
            self.day = when.date()
            text = f"--- {self.day.isoformat()} ---\n{text}"
        return text


def _decided(r: dict[str, Any]) -> str:
    message = f"  ({r['message']})" if r.get("message") else ""
    return f"{r.get('decision', ''):<5}  {r.get('source', ''):<9}  {_action(r)}{message}"


def _action(r: dict[str, Any]) -> str:
    return f"{r.get('agent') or '-'}  {r.get('summary') or r.get('action_id') or ''}"


def _grant(r: dict[str, Any]) -> str:
    grant = r.get("grant") or {}
    words = " ".join(str(v) for v in grant.get("value", []))
    who = "all sessions" if grant.get("all_sessions") else grant.get("agent") or "-"
    return f"{grant.get('scope', '')} {words}  {who}"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _other(r: dict[str, Any]) -> str:
    standard = {"seq", "ts", "event", "prev"}
    return "  ".join(f"{k}={_text(v)}" for k, v in sorted(r.items()) if k not in standard)


DETAILS: dict[str, Callable[[dict[str, Any]], str]] = {
    "action.decided": _decided,
    "action.queued": lambda r: f"{'':5}  {'':9}  {_action(r)}",
    "action.cancelled": lambda r: f"{'':5}  {'':9}  {_action(r)}",
    "action.result": lambda r: (
        f"exit {r.get('exit_code')}  {r.get('duration_ms')} ms  {r.get('action_id', '')}"
    ),
    "grant.added": _grant,
    "grant.revoked": _grant,
    "toggle.changed": lambda r: f"{r.get('name')}: {_text(r.get('old'))} -> {_text(r.get('new'))}",
    "rules.changed": lambda r: f"{r.get('file')}:{r.get('line')}  {r.get('rule', '')}",
}


def _detail(record: dict[str, Any]) -> str:
    return DETAILS.get(record["event"], _other)(record)
