"""Exceptions of the rules package.

RulesError
└── RulesFileError      a rules file that cannot be loaded (carries file, line, column)
"""

from __future__ import annotations


class RulesError(Exception):
    """Root of every error the rules package raises."""


class RulesFileError(RulesError):
    """A rules file is unreadable or invalid; names the file, line and column."""

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        super().__init__(f"{file}:{line}:{column}: {message}")
