"""Exceptions of the gate package.

GateError
├── ConfigError     the config file or a WARDEN_* override cannot be loaded (names file and line)
└── AuditError      the audit log cannot be opened, locked (another gate writes it) or written
"""

from __future__ import annotations


class GateError(Exception):
    """Root of every error the gate package raises."""


class ConfigError(GateError):
    """The config is unreadable or invalid; names the file and, when known, the line and column."""

    def __init__(
        self, file: str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.file = file
        self.message = message
        self.line = line
        self.column = column
        where = file
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


class AuditError(GateError):
    """The audit log cannot be opened, locked or written; nothing unlogged may be reported."""
