"""`warden demo`'s own Warden: a copy of the person's config and rules, its own log and sockets.

Whatever the person does in the demo (approve always, edit rules, change toggles), their own
rules file, audit log and a gate they run are untouched: everything lives in the demo's
throwaway dirs and goes with them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gate.config import load_config
from rules.loader import load_rules_file
from rules.paths import config_dir, config_file, state_dir, user_rules_file
from sandbox.demo_agent_workspace import Throwaway, make_throwaway, remove_stale
from sandbox.spec import warden_dirs

# Where the demo's Warden keeps its config and its state, under the throwaway root.
DIRS = (("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"))
GATE_SOCKET = "gate.sock"


@dataclass(frozen=True, slots=True)
class DemoWarden:
    """The demo's throwaway dirs and the Warden running in them.

    Attributes:
        world: The throwaway HOME and project, and the root holding everything.
        agent_socket: The demo gate's agent socket (the console socket is beside it).
        theirs: The person's own Warden dirs, hidden from the demo's commands as well.
    """

    world: Throwaway
    agent_socket: Path
    theirs: tuple[Path, ...]


@contextmanager
def demo_warden(keep: bool) -> Iterator[DemoWarden]:
    """Make the throwaway dirs and point this process's Warden dirs into them until the end.

    The person's config and user rules files are copied in, so their reviewer, keys and
    rules apply. On the way out the environment is restored and, unless `keep`, the dirs go.

    Raises:
        ConfigError, RulesError: the person's config or rules file is broken (named as theirs,
            not as the copy the demo would load).
        DemoSetupError: the throwaway dirs could not be made.
    """
    load_config()
    if user_rules_file().is_file():
        load_rules_file(user_rules_file(), "user")
    remove_stale()
    world = make_throwaway()
    theirs = warden_dirs()
    copies = [f for f in (config_file(), user_rules_file()) if f.is_file()]
    saved = {var: os.environ.get(var) for var, _ in DIRS}
    try:
        for var, folder in DIRS:
            (world.root / folder).mkdir(mode=0o700)
            os.environ[var] = str(world.root / folder)
        config_dir().mkdir(mode=0o700)
        state_dir().mkdir(mode=0o700)
        for source in copies:
            shutil.copy2(source, config_dir() / source.name)
        yield DemoWarden(world, world.root / GATE_SOCKET, theirs)
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value
        if not keep:
            world.remove()
