"""The trust record of project rules files: a file is used only while its hash matches."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from rules.atomic import locked, write_atomic
from rules.paths import trust_file

TrustState = Literal["trusted", "untrusted", "changed"]


def _key(rules_file: Path) -> str:
    return str(rules_file.resolve())


def _read_record() -> dict[str, Any]:
    """The trusted files by absolute path; an unreadable record trusts nothing."""
    try:
        data = json.loads(trust_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return files if isinstance(files, dict) else {}


def _recorded_hash(rules_file: Path) -> str | None:
    entry = _read_record().get(_key(rules_file))
    digest = entry.get("sha256") if isinstance(entry, dict) else None
    return digest if isinstance(digest, str) else None


def trust_state(rules_file: Path, content: bytes | None = None) -> TrustState:
    """`trusted` (hash matches), `changed` (trusted once, since edited) or `untrusted`.

    Args:
        rules_file: the project rules file.
        content: its bytes when already read (so the bytes judged are the bytes used).
    """
    recorded = _recorded_hash(rules_file)
    if recorded is None:
        return "untrusted"
    try:
        data = rules_file.read_bytes() if content is None else content
    except OSError:
        return "changed"
    return "trusted" if hashlib.sha256(data).hexdigest() == recorded else "changed"


def is_trusted(rules_file: Path) -> bool:
    """True when the file's current hash is the one recorded as trusted."""
    return trust_state(rules_file) == "trusted"


def trust_project(rules_file: Path, content: bytes | None = None) -> str:
    """Record a project rules file as trusted at its current content.

    Args:
        rules_file: the project rules file.
        content: its bytes when already read and checked (so the bytes trusted are those).

    Returns:
        The sha256 recorded.
    """
    data = rules_file.read_bytes() if content is None else content
    digest = hashlib.sha256(data).hexdigest()
    _record(rules_file, digest)
    return digest


def retrust_after_edit(rules_file: Path, old_hash: str) -> None:
    """Move the trust record to a file's new content after Warden itself edited it.

    Only a file trusted at `old_hash` (its content just before the edit) is updated, so
    an edit never blesses changes someone else made since the file was trusted.
    """
    if _recorded_hash(rules_file) == old_hash:
        _record(rules_file, hashlib.sha256(rules_file.read_bytes()).hexdigest())


def _record(rules_file: Path, digest: str) -> None:
    path = trust_file()
    with locked(path):
        files = _read_record()
        files[_key(rules_file)] = {
            "sha256": digest,
            "trusted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        text = json.dumps({"version": 1, "files": files}, indent=2, sort_keys=True) + "\n"
        write_atomic(path, text, mode=0o600)
