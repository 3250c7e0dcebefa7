"""The Action an agent proposes and the Decision it gets back: the flat wire shape of DESIGN §2."""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ActionKind = Literal["exec", "read", "write", "network", "tool"]
Executor = Literal["warden", "agent"]
DecisionSource = Literal[
    "requirements", "rules", "builtin", "session", "policy", "reviewer", "user", "timeout", "error"
]
CONTENT_LIMIT = 64 * 1024


class AgentRef(BaseModel):
    """Which agent, and which of its sessions, proposed an action."""

    model_config = ConfigDict(extra="forbid")

    name: str = "unknown"
    session: str = ""


class Turn(BaseModel):
    """One turn of the agent's conversation, kept for the reviewer."""

    role: str
    text: str


class ActionContext(BaseModel):
    """What the user asked for and what the agent said lately."""

    task: str = ""
    turns: list[Turn] = Field(default_factory=list)


class Action(BaseModel):
    """An action an agent proposes: a command, a file read or write, a connection, a tool call."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    kind: ActionKind
    agent: AgentRef = Field(default_factory=AgentRef)
    cwd: str | None = None
    command: str | None = None
    argv: list[str] | None = None
    path: str | None = None
    content: str | None = None
    diff: str | None = None
    content_size: int | None = None
    content_sha256: str | None = None
    host: str | None = None
    port: int | None = Field(default=None, ge=0, le=65535)
    scheme: str | None = None
    tool: str | None = None
    arguments: dict[str, Any] = Field(default_factory=dict)
    executor: Executor = "agent"
    escalate: bool = False
    justification: str | None = None
    context: ActionContext = Field(default_factory=ActionContext)

    @model_validator(mode="after")
    def _check_kind_fields(self) -> Action:
        required = {
            "exec": ("command or argv", self.command is not None or bool(self.argv)),
            "read": ("path", bool(self.path)),
            "write": ("path", bool(self.path)),
            "network": ("host", bool(self.host)),
            "tool": ("tool", bool(self.tool)),
        }
        what, present = required[self.kind]
        if not present:
            raise ValueError(f"a {self.kind} action needs {what}")
        if self.content is not None and len(self.content.encode()) > CONTENT_LIMIT:
            raw = self.content.encode()
            self.content_size = len(raw)
            self.content_sha256 = hashlib.sha256(raw).hexdigest()
            self.content = raw[:CONTENT_LIMIT].decode(errors="ignore")
        return self

    def summary(self) -> str:
        """One line saying what the action does, for lists and logs."""
        match self.kind:
            case "exec":
                return self.command if self.command is not None else " ".join(self.argv or [])
            case "read" | "write":
                return f"{self.kind} {self.path}"
            case "network":
                port = f":{self.port}" if self.port else ""
                return f"connect {self.host}{port}"
            case _:
                return f"tool {self.tool}"


class RuleInfo(BaseModel):
    """The rule behind a decision: id, file and line."""

    id: str
    file: str
    line: int


class Decision(BaseModel):
    """The answer to an action: allow or deny, with who decided and why."""

    action_id: str | None = None
    decision: Literal["allow", "deny"]
    source: DecisionSource
    message: str = ""
    rule: RuleInfo | None = None
    reviewer: dict[str, Any] | None = None
    timings: dict[str, float] = Field(default_factory=dict)
