"""The gated tools' names, descriptions and JSON Schemas, and the check of a call's arguments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """One tool as a model or an MCP client sees it.

    Attributes:
        name: The tool's name.
        description: What it does, for the model.
        schema: The JSON Schema of its arguments (an object of string properties).
        read_only: Whether it changes nothing (an MCP annotation hint).
    """

    name: str
    description: str
    schema: dict[str, Any]
    read_only: bool = False

    def openai(self) -> dict[str, Any]:
        """The tool in the chat-completions `tools` format."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.schema,
            },
        }


def _schema(**properties: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            name: {"type": "string", "description": d} for name, d in properties.items()
        },
        "required": list(properties),
        "additionalProperties": False,
    }


_JUDGED = (
    " Warden judges every call first (rules, then a reviewer or the person at its console); a "
    "denied call returns the reason instead."
)
TOOL_SPECS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "shell",
        "Run a shell command (/bin/sh -c) in the workspace, inside Warden's sandbox, and return "
        "its exit code and output. The network goes through Warden's proxy." + _JUDGED,
        _schema(command="The shell command, e.g. `python -m pytest -q`."),
    ),
    ToolSpec(
        "read_file",
        "Read a text file and return its content." + _JUDGED,
        _schema(path="The file, absolute or relative to the workspace."),
        read_only=True,
    ),
    ToolSpec(
        "write_file",
        "Write a text file (created or replaced), at most 4 MiB at a time; its folder must "
        "exist." + _JUDGED,
        _schema(
            path="The file, absolute or relative to the workspace.",
            content="The whole new content of the file.",
        ),
    ),
    ToolSpec(
        "fetch",
        "Fetch an http:// or https:// URL with GET and return the status, content type and "
        "body (text, bounded)." + _JUDGED,
        _schema(url="The URL to fetch."),
        read_only=True,
    ),
)
SPECS_BY_NAME = {spec.name: spec for spec in TOOL_SPECS}


def check_arguments(name: str, arguments: Any) -> dict[str, str] | str:
    """The arguments of a call to tool `name` when they fit its schema, else what is wrong.

    Returns:
        The arguments, or a message naming the unknown tool, or the missing, extra or
        mistyped argument.
    """
    spec = SPECS_BY_NAME.get(name)
    if spec is None:
        return f"unknown tool {name!r}; the tools are {', '.join(SPECS_BY_NAME)}"
    if not isinstance(arguments, dict):
        return f"{name}: the arguments must be a JSON object, not {type(arguments).__name__}"
    wanted: list[str] = spec.schema["required"]
    extra = sorted(set(arguments) - set(wanted))
    if extra:
        return f"{name}: unknown argument {extra[0]!r}; it takes {', '.join(wanted)}"
    for key in wanted:
        if key not in arguments:
            return f"{name}: missing argument {key!r}"
        if not isinstance(arguments[key], str):
            return f"{name}: argument {key!r} must be a string"
        if "\0" in arguments[key] and key != "content":
            return f"{name}: argument {key!r} contains a NUL character"
    return {key: arguments[key] for key in wanted}
