"""`warden config`: show the effective config, its file's path, or its JSON Schema."""

from __future__ import annotations

import argparse
import json
import sys

import tomlkit

from gate.config import config_schema_text, load_config
from gate.errors import ConfigError
from rules.paths import config_file


def main(argv: list[str]) -> int:
    """Run `warden config show|path|schema`.

    Args:
        argv: The arguments after `config`.

    Returns:
        0 on success, 2 when the config is broken or the arguments are wrong.
    """
    parser = argparse.ArgumentParser(prog="warden config", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    show = commands.add_parser(
        "show", help="print the effective config (file, env overrides, defaults)"
    )
    show.add_argument("--json", action="store_true", help="print JSON instead of TOML")
    commands.add_parser("path", help="print the config file's path")
    commands.add_parser(
        "schema", help="print the config's JSON Schema (as in gate/data/config.schema.json)"
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    if args.command == "path":
        print(config_file())
    elif args.command == "schema":
        sys.stdout.write(config_schema_text())
    else:
        try:
            settings = load_config()
        except ConfigError as exc:
            print(f"warden: {exc}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(settings.model_dump(mode="json"), indent=2))
        else:
            # TOML has no null: unset values are left out.
            sys.stdout.write(tomlkit.dumps(settings.model_dump(mode="json", exclude_none=True)))
    return 0
