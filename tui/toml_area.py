"""A TextArea for rules files: TOML colours (tree-sitter when installed) and marked error lines."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.style import Style
from textual._tree_sitter import get_language
from textual.color import Color
from textual.widgets import TextArea

# tree-sitter-toml is not a Warden dependency; without it a small scanner colours the file.
TREE_SITTER_TOML = get_language("toml") is not None
ERROR = "warden.error"
_KEY = re.compile(
    r'\s*((?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"))*)\s*='
)
_HEADER = re.compile(r"\s*(\[\[?)([^\]]*)(\]\]?)")
_WORD = re.compile(r"true|false|[+-]?(?:\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?|inf|nan)(?![\w.:-])")
_Span = tuple[int, int | None, str]


class TomlArea(TextArea):
    """Shows a rules file; `mark_errors` highlights the lines a check found problems on."""

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(
            text,
            language="toml" if TREE_SITTER_TOML else None,
            show_line_numbers=True,
            tab_behavior="focus",  # tab leaves the editor; escape goes back
            id=id,
        )
        self.error_lines: frozenset[int] = frozenset()

    def mark_errors(self, lines: Iterable[int]) -> None:
        """Highlight these lines (1-based); the previous marks go."""
        marked = frozenset(lines)
        if marked != self.error_lines:
            self.error_lines = marked
            self._build_highlight_map()
            self.refresh()

    def _set_theme(self, theme: str) -> None:
        super()._set_theme(theme)
        app_theme = self.app.current_theme
        base = Color.parse(app_theme.surface or app_theme.background or "black")
        tint = base.blend(Color.parse(app_theme.error or "red"), 0.35)
        styles = {**self._theme.syntax_styles, ERROR: Style(bgcolor=tint.rich_color)}
        self._theme.syntax_styles = styles

    def _build_highlight_map(self) -> None:
        if TREE_SITTER_TOML:
            super()._build_highlight_map()
        else:
            self._line_cache.clear()
            self._highlights.clear()
            in_string: str | None = None
            for row, line in enumerate(self.document.lines):
                spans, in_string = scan_line(line, in_string)
                self._highlights[row].extend(_bytes(line, spans))
        for line in getattr(self, "error_lines", ()):
            self._highlights[line - 1].insert(0, (0, None, ERROR))


def scan_line(line: str, open_quote: str | None) -> tuple[list[_Span], str | None]:
    """The highlight spans of one TOML line (character columns), and any still-open `\"\"\"`."""
    spans: list[_Span] = []
    i = 0
    if open_quote is not None:
        end = line.find(open_quote)
        if end < 0:
            return [(0, None, "string")], open_quote
        i = end + 3
        spans.append((0, i, "string"))
    elif header := _HEADER.match(line):
        spans.append((header.start(1), header.end(1), "punctuation.bracket"))
        spans.append((header.start(2), header.end(2), "toml.type"))
        spans.append((header.start(3), header.end(3), "punctuation.bracket"))
        i = header.end()
    elif key := _KEY.match(line):
        spans.append((key.start(1), key.end(1), "toml.type"))
        spans.append((key.end() - 1, key.end(), "operator"))
        i = key.end()
    while i < len(line):
        char = line[i]
        if char == "#":
            spans.append((i, None, "comment"))
            break
        if char in "\"'":
            triple = line[i : i + 3] == char * 3
            quote = char * 3 if triple else char
            end = _closing(line, i + len(quote), quote)
            if end < 0:
                spans.append((i, None, "string"))
                return spans, quote if triple else None
            spans.append((i, end, "string"))
            i = end
            continue
        if (word := _WORD.match(line, i)) and (i == 0 or not line[i - 1].isalnum()):
            kind = "boolean" if word.group() in ("true", "false") else "number"
            spans.append((i, word.end(), kind))
            i = word.end()
            continue
        i += 1
    return spans, None


def _closing(line: str, start: int, quote: str) -> int:
    """The column just after the closing quote, or -1 when the string goes on."""
    i = start
    while i < len(line):
        if quote[0] == '"' and line[i] == "\\":
            i += 2
            continue
        if line.startswith(quote, i):
            return i + len(quote)
        i += 1
    return -1


def _bytes(line: str, spans: list[_Span]) -> list[_Span]:
    """Spans in UTF-8 byte columns, which the TextArea's highlights use."""
    if line.isascii():
        return spans
    offset = [len(line[:i].encode()) for i in range(len(line) + 1)]
    return [(offset[s], None if e is None else offset[e], name) for s, e, name in spans]
