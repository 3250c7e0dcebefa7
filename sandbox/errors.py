"""Exceptions of the sandbox package.

SandboxError
├── SandboxUnavailable   bubblewrap is missing or cannot start a sandbox here (says why and the fix)
└── SandboxSpecError     a spec that does not fit (a missing workspace, a symlinked protected path…)
"""

from __future__ import annotations


class SandboxError(Exception):
    """Root of every error the sandbox package raises."""


class SandboxUnavailable(SandboxError):
    """Bubblewrap could not start the command confined; nothing ran.

    Attributes:
        binary: The bwrap binary that was tried, or None when none was found.
        stderr: What bwrap printed, when it was captured.
    """

    def __init__(self, message: str, binary: str | None = None, stderr: str = "") -> None:
        self.binary = binary
        self.stderr = stderr
        super().__init__(message)


class SandboxSpecError(SandboxError):
    """The sandbox spec cannot be applied as given; the message names the path or field."""
