"""Where Warden keeps its files: config, state, runtime, the requirements file."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "warden"
DEFAULT_REQUIREMENTS = Path("/etc/warden/requirements.toml")


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/warden` (default `~/.config/warden`)."""
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def state_dir() -> Path:
    """`$XDG_STATE_HOME/warden` (default `~/.local/state/warden`): audit log, grants, trust."""
    return Path(platformdirs.user_state_dir(APP, appauthor=False))


def runtime_dir() -> Path:
    """`${XDG_RUNTIME_DIR:-/tmp/warden-$UID}/warden`: the gate's sockets."""
    base = os.environ.get("XDG_RUNTIME_DIR") or f"/tmp/warden-{os.getuid()}"
    return Path(base) / APP


def user_rules_file() -> Path:
    """The user's rules file, `~/.config/warden/rules.toml`."""
    return config_dir() / "rules.toml"


def config_file() -> Path:
    """The user's config file, `~/.config/warden/config.toml`."""
    return config_dir() / "config.toml"


def requirements_file() -> Path:
    """The admin requirements file: `$WARDEN_REQUIREMENTS`, else `/etc/warden/requirements.toml`."""
    env = os.environ.get("WARDEN_REQUIREMENTS")
    return Path(env) if env else DEFAULT_REQUIREMENTS


def trust_file() -> Path:
    """The record of trusted project rules files and their hashes."""
    return state_dir() / "trust.json"
