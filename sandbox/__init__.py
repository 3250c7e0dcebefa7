"""Running things confined: the bubblewrap runner, writable roots, protected and hidden paths.

Public names are imported on first use, so importing one submodule stays light.
"""

from __future__ import annotations

from rules.lazy import lazy_exports

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


__getattr__ = lazy_exports("sandbox", _PUBLIC)
