"""Fixtures for the hook shims: a running gate with a short socket path."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hookgate import running_gate


@pytest.fixture
def gate_socket(tmp_path: Path) -> Iterator[Path]:
    """A gate with the built-in rules, listening on a socket path short enough for Unix."""
    run = Path(tempfile.mkdtemp(prefix="wh-", dir="/tmp"))
    try:
        with running_gate(tmp_path, run / "w" / "gate.sock") as path:
            yield path
    finally:
        shutil.rmtree(run, ignore_errors=True)
