"""App-wide messages: what the gate connection reports to the UI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class GateAttached(Message):
    """The console is connected and has the gate's snapshot; `origin` says whose gate it is."""

    origin: str


@dataclass
class GateEventArrived(Message):
    """The gate streamed one event (queued, decided, grant, ...)."""

    event: dict[str, Any]


@dataclass
class GateLost(Message):
    """The connection to the gate failed or closed; `reason` says why."""

    reason: str
