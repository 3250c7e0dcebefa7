"""`warden demo`'s own Warden: the person's config and rules copied in, theirs unchanged."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from gate.audit_files import default_path
from gate.config import load_config
from rules.errors import RulesFileError
from rules.paths import config_dir, config_file, state_dir, user_rules_file
from sandbox.spec import warden_dirs
from tui.demo_warden import demo_warden

MINE = '# my rules\nversion = 1\n\n[[command]]\nprefix = ["frobnicate"]\ndecision = "allow"\n'


def test_the_demo_has_its_own_dirs_with_copies_and_they_go_at_the_end() -> None:
    user_rules_file().parent.mkdir(parents=True)
    user_rules_file().write_text(MINE)
    config_file().write_text('[policy]\napproval_policy = "untrusted"\n')
    theirs, their_config = warden_dirs(), os.environ["XDG_CONFIG_HOME"]
    with demo_warden(keep=False) as own:
        root = own.world.root
        assert own.theirs == theirs
        assert config_dir().is_relative_to(root)
        assert state_dir().is_relative_to(root)
        assert own.agent_socket.parent == root
        assert user_rules_file().read_text() == MINE  # a copy: the person's rules apply
        assert load_config().policy.approval_policy == "untrusted"  # the copy is in force
        assert default_path().is_relative_to(root)  # the demo's own audit log
        user_rules_file().write_text("version = 1\n")  # what an "always" or an edit would do
    assert not root.exists()
    assert os.environ["XDG_CONFIG_HOME"] == their_config
    assert user_rules_file().read_text() == MINE


def test_keep_leaves_the_dirs_and_no_files_of_the_person_are_needed() -> None:
    with demo_warden(keep=True) as own:
        assert not user_rules_file().exists()  # nothing to copy: the demo starts without
        state = state_dir()
    assert state.is_dir()
    assert (own.world.workspace / "calc.py").is_file()
    own.world.remove()


def test_a_broken_rules_file_is_named_as_theirs_before_anything_is_made() -> None:
    user_rules_file().parent.mkdir(parents=True)
    user_rules_file().write_text('version = 1\n[[command]]\nprefix = ["x"]\ndecision = "alow"\n')
    before = set(Path(tempfile.gettempdir()).glob("warden-demo-*"))
    with pytest.raises(RulesFileError) as caught, demo_warden(keep=False):
        pytest.fail("the demo must not start on a broken rules file")
    assert str(caught.value).startswith(f"{user_rules_file()}:4:")
    assert set(Path(tempfile.gettempdir()).glob("warden-demo-*")) == before
