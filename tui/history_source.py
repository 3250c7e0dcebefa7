"""The history screen's data: decisions read from the audit log newest first, and its filter."""

from __future__ import annotations

import contextlib
import shlex
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from gate.audit_files import lines_backwards, log_files, parse_record, tail_start

DECIDED = "action.decided"
FILTER_KEYS = ("source", "decision", "agent", "kind")
FILTER_HELP = "words · source: decision: agent: kind: · a,b either · -word excludes"


def decisions_newest_first(path: Path, after: int = 0) -> Iterator[dict[str, Any]]:
    """Every `action.decided` record of the log (rotated files too), newest first.

    Reads each file backwards from its end, so the newest records come without reading the
    whole log; a torn last line is skipped, and lines that cannot hold a decision are skipped
    before they are parsed (a log is mostly other events).

    Args:
        path: the audit log (`audit.jsonl`); its rotated files sit beside it.
        after: stop at the first decision whose seq is not above this (already shown).
    """
    needle = DECIDED.encode()
    for file in reversed(log_files(path)):
        with contextlib.suppress(FileNotFoundError), file.open("rb") as handle:
            for line in lines_backwards(handle, tail_start(handle)):
                if needle not in line:
                    continue
                record = parse_record(line)
                if record is None or record["event"] != DECIDED:
                    continue
                if record["seq"] <= after:
                    return
                yield record


@dataclass(frozen=True)
class HistoryFilter:
    """A typed filter: `key:value` terms (AND across keys, `a,b` either) and free words.

    A word matches when it occurs (any case) in the summary, agent, session, message,
    rule id or action id; `-word` excludes records holding it.
    """

    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    words: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> HistoryFilter:
        """Read the filter a person typed; unbalanced quotes count as plain characters."""
        try:
            tokens = shlex.split(text)
        except ValueError:
            tokens = text.split()
        terms: dict[str, tuple[str, ...]] = {}
        words: list[str] = []
        excluded: list[str] = []
        for token in tokens:
            key, colon, value = token.partition(":")
            if colon and key.lower() in FILTER_KEYS and value:
                values = tuple(v.lower() for v in value.split(",") if v)
                terms[key.lower()] = terms.get(key.lower(), ()) + values
            elif token.startswith("-") and len(token) > 1:
                excluded.append(token[1:].lower())
            else:
                words.append(token.lower())
        return cls(terms, tuple(words), tuple(excluded))

    def needs_text(self) -> bool:
        """Whether `matches` looks at the record's searchable text (free words)."""
        return bool(self.words or self.excluded)

    def matches(self, record: dict[str, Any], text: str | None = None) -> bool:
        """Whether a decided record passes every term and word.

        Args:
            record: the decided record.
            text: its `searchable` text, when the caller keeps it (it is made otherwise).
        """
        for key, values in self.terms.items():
            have = str(record.get(key) or "").lower()
            if key == "source" and have == "user":
                have = "you"  # a person's decision is shown as `you`; both words find it
                if "user" in values:
                    continue
            if not any(have.startswith(value) for value in values):
                return False
        if not self.needs_text():
            return True
        text = searchable(record) if text is None else text
        return all(w in text for w in self.words) and not any(w in text for w in self.excluded)


def searchable(record: dict[str, Any]) -> str:
    """The lower-cased text free words are looked for in."""
    rule = record.get("rule") or {}
    fields = (
        record.get("summary"),
        record.get("agent"),
        record.get("session"),
        record.get("message"),
        record.get("action_id"),
        rule.get("id") if isinstance(rule, dict) else None,
    )
    return " ".join(str(f) for f in fields if f).lower()


def row_cells(record: dict[str, Any], wide: bool) -> tuple[str, str, str, str, str, str]:
    """A record's table cells: time, agent/session, kind, summary, decision, source.

    Narrow tables (`wide` False) drop the date and the session.
    """
    when = str(record.get("ts", ""))
    with contextlib.suppress(ValueError, TypeError):
        stamp = datetime.fromisoformat(when).timestamp()
        when = time.strftime("%m-%d %H:%M:%S" if wide else "%H:%M:%S", time.localtime(stamp))
    agent = str(record.get("agent") or "-")
    session = str(record.get("session") or "")
    who = f"{agent[:14]} · {session[:8]}" if session and wide else agent[:12]
    source = record.get("source") or ""
    return (
        when,
        who,
        str(record.get("kind") or ""),
        str(record.get("summary") or record.get("action_id") or ""),
        str(record.get("decision") or ""),
        "you" if source == "user" else source,
    )
