"""Where the tables, keys and array items of a TOML document sit, for error messages and edits."""

from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass, field

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = re.compile(r"[,\]}\n#]")
_BLANK = re.compile(r"(?:[ \t\r]+|#[^\n]*)*")
_BLANK_LINES = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")
# Multi-line basic and literal, then basic and literal. The content of a multi-line string
# may end with one or two quotes (`"""a""""`).
_STRINGS = (
    re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""(?:""|")?', re.S),
    re.compile(r"'''(?:[^']|'(?!''))*'''(?:''|')?", re.S),
    re.compile(r'"(?:[^"\\\n]|\\.)*"'),
    re.compile(r"'[^'\n]*'"),
)


@dataclass(frozen=True)
class Pos:
    """A 1-based line and column."""

    line: int
    column: int


@dataclass
class TableLoc:
    """A table of the document: where it starts, its keys, and the items of its arrays.

    `last_line` is the last line any of its values reaches; `inline` is True for `{...}` tables.
    """

    pos: Pos
    inline: bool = False
    keys: dict[str, Pos] = field(default_factory=dict)
    items: dict[str, list[Pos]] = field(default_factory=dict)
    last_line: int = 0


@dataclass
class Locations:
    """The root table and, per array-of-tables name, its tables in document order."""

    root: TableLoc
    arrays: dict[str, list[TableLoc]] = field(default_factory=dict)


def locate(text: str, array_names: frozenset[str]) -> Locations:
    """Find where the keys of a valid TOML document are.

    Args:
        text: the document; it must already parse (tomllib), so the scan can be forgiving.
        array_names: top-level names whose arrays of tables (`[[name]]` or `name = [{...}]`)
            are tracked one table at a time.

    Returns:
        The root table's keys and the tracked tables, each with its keys and array items.
    """
    return _Scanner(text, array_names).run()


class _Scanner:
    """A small recursive-descent walk over TOML text that records positions, not values."""

    def __init__(self, text: str, array_names: frozenset[str]) -> None:
        self.text = text
        self.i = 0
        self.names = array_names
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.locs = Locations(root=TableLoc(Pos(1, 1)))

    def run(self) -> Locations:
        current: TableLoc | None = self.locs.root
        while True:
            self._skip(newlines=True)
            if self.i >= len(self.text):
                return self.locs
            start = self.i
            if self.text.startswith("[", self.i):
                current = self._header()
            else:
                self._keyval(current, top=current is self.locs.root)
            if self.i == start:  # never loop on text the scan does not understand
                self.i += 1

    def _pos(self, index: int) -> Pos:
        line = bisect.bisect_right(self.line_starts, index)
        return Pos(line, index - self.line_starts[line - 1] + 1)

    def _peek(self) -> str:
        return self.text[self.i : self.i + 1]

    def _skip(self, newlines: bool) -> None:
        match = (_BLANK_LINES if newlines else _BLANK).match(self.text, self.i)
        self.i = match.end() if match else self.i

    def _header(self) -> TableLoc | None:
        start = self.i
        array = self.text.startswith("[[", self.i)
        self.i += 2 if array else 1
        parts = self._key()
        self.i = self.text.find("]", self.i) + (2 if array else 1)
        name = parts[0][0]
        tables = self.locs.arrays.get(name) if name in self.names else None
        if len(parts) == 1 and array and name in self.names:
            loc = TableLoc(self._pos(start))
            self.locs.arrays.setdefault(name, []).append(loc)
            return loc
        if len(parts) > 1 and tables:  # `[command.key]`: a key of the last rule
            tables[-1].keys.setdefault(parts[1][0], self._pos(parts[1][1]))
        else:
            self.locs.root.keys.setdefault(name, self._pos(start))
        return None

    def _key(self) -> list[tuple[str, int]]:
        parts: list[tuple[str, int]] = []
        while True:
            self._skip(newlines=False)
            start = self.i
            if self._peek() in ("'", '"'):
                raw = self._string()
                parts.append((tomllib.loads(f"k = {raw}")["k"], start))
            else:
                match = _BARE_KEY.match(self.text, self.i)
                self.i = match.end() if match else self.i
                parts.append((match.group() if match else "", start))
            self._skip(newlines=False)
            if self._peek() != ".":
                return parts
            self.i += 1

    def _keyval(self, table: TableLoc | None, top: bool) -> None:
        parts = self._key()
        self._skip(newlines=False)
        self.i += 1  # the "="
        self._skip(newlines=False)
        name, start = parts[0]
        array_name = name if top and len(parts) == 1 and name in self.names else None
        if table is not None:
            table.keys.setdefault(name, self._pos(start))
        items = self._value(array_name)
        if table is not None:
            table.last_line = self._pos(max(self.i - 1, 0)).line
            if items is not None and len(parts) == 1:
                table.items[name] = items

    def _value(self, array_name: str | None = None) -> list[Pos] | None:
        char = self._peek()
        if char == "[":
            return self._array(array_name)
        if char == "{":
            self._inline_table(None)
        elif char in ("'", '"'):
            self._string()
        else:
            match = _SCALAR_END.search(self.text, self.i)
            self.i = match.start() if match else len(self.text)
        return None

    def _array(self, array_name: str | None) -> list[Pos]:
        self.i += 1
        items: list[Pos] = []
        while True:
            self._skip(newlines=True)
            if self._peek() in ("]", ""):
                self.i += 1
                return items
            start = self.i
            items.append(self._pos(start))
            if array_name is not None and self._peek() == "{":
                loc = TableLoc(self._pos(start), inline=True)
                self.locs.arrays.setdefault(array_name, []).append(loc)
                self._inline_table(loc)
            else:
                self._value()
            self._skip(newlines=True)
            if self._peek() == "," or self.i == start:
                self.i += 1

    def _inline_table(self, table: TableLoc | None) -> None:
        self.i += 1
        while True:
            self._skip(newlines=True)
            if self._peek() in ("}", ""):
                self.i += 1
                if table is not None:
                    table.last_line = self._pos(self.i - 1).line
                return
            start = self.i
            self._keyval(table, top=False)
            self._skip(newlines=True)
            if self._peek() == "," or self.i == start:
                self.i += 1

    def _string(self) -> str:
        """Skip a string of any of the four kinds and return its raw text."""
        start = self.i
        quote = self.text[start]
        triple = self.text.startswith(quote * 3, start)
        regex = _STRINGS[(quote == "'") + (0 if triple else 2)]
        match = regex.match(self.text, start)
        self.i = match.end() if match else len(self.text)
        return self.text[start : self.i]
