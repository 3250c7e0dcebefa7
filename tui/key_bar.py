"""The keys line at the bottom of the queue screen: one widget, so greying keys out costs nothing.

Textual's `Footer` mounts a widget per key and rebuilds them all whenever the bindings change
(each focus change, each key greyed out); on the queue screen that was most of a key press's
time. This draws the same keys as one line and keeps `Footer`'s look and its click-to-press.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.binding import Binding
from textual.content import Content, Span
from textual.screen import Screen
from textual.widgets import Static


class KeyBar(Static):
    """The shown bindings of the focused widget and its ancestors; disabled ones dimmed.

    When they do not fit the width, only the `primary` ones (binding ids) stay, then closer
    together; `?` lists them all.

    Args:
        primary: The ids of the bindings kept on a narrow terminal.
    """

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, primary: frozenset[str] = frozenset(), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.primary = primary
        self._keys: list[tuple[Binding, bool]] = []
        self._spans: list[tuple[int, int, str]] = []  # x from, x to, key to press when clicked
        self._drawn: tuple[str, Sequence[Span]] | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)
        self._changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self, event: events.Resize) -> None:
        self._draw()

    def _changed(self, screen: Screen[object]) -> None:
        """Take the bindings in force, one per action."""
        shown: dict[str, tuple[Binding, bool]] = {}
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            if binding.show and binding.action not in shown:
                shown[binding.action] = (binding, enabled)
        self._keys = list(shown.values())
        self._draw()

    def _draw(self) -> None:
        width = self.content_region.width or self.app.size.width
        primary = [(b, on) for b, on in self._keys if b.id in self.primary] or self._keys
        for keys, gap in ((self._keys, 2), (primary, 2), (primary, 1)):
            line, spans = self._line(keys, gap)
            if line.cell_length <= width:
                break
        self._spans = spans
        drawn = (line.plain, line.spans)  # Content's == compares the text alone
        if drawn != self._drawn:  # the same keys in the same state: nothing to repaint
            self._drawn = drawn
            self.update(line, layout=False)

    def _line(
        self, keys: list[tuple[Binding, bool]], gap: int
    ) -> tuple[Content, list[tuple[int, int, str]]]:
        pieces, spans, x = [], [], 0
        for binding, enabled in keys:
            key = self.app.get_key_display(binding)
            piece = Content.assemble(
                " " * gap,
                (key, "bold $footer-key-foreground" if enabled else "$text-disabled"),
                " ",
                (binding.description, "" if enabled else "$text-disabled"),
            )
            spans.append((x, x + piece.cell_length, binding.key.split(",")[0]))
            x += piece.cell_length
            pieces.append(piece)
        return Content("").join(pieces), spans

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
