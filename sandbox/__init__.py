"""Running things confined: the bubblewrap runner, writable roots, protected and hidden paths.

Public names are imported on first use, so importing one submodule stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "Bwrap": "sandbox.bwrap",
    "locate": "sandbox.bwrap",
    "RunResult": "sandbox.result",
    "SandboxSpec": "sandbox.spec",
    "SandboxError": "sandbox.errors",
    "SandboxSpecError": "sandbox.errors",
    "SandboxUnavailable": "sandbox.errors",
    "check": "sandbox.runner",
    "run": "sandbox.runner",
    "run_sync": "sandbox.runner",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'sandbox' has no attribute {name!r}")
