"""The gate's rules in force: picked up when files change, kept when a file breaks."""

from __future__ import annotations

import os

from gate.rulebook import Rulebook
from rules.paths import user_rules_file

ALLOW_MAKE = 'version = 1\n[[command]]\nprefix = ["make", "deploy"]\ndecision = "allow"\n'


def write_rules(text: str, bump: int) -> None:
    path = user_rules_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    stamp = 1_700_000_000 + bump  # distinct modification times, however fast the test runs
    os.utime(path, (stamp, stamp))


def test_a_changed_rules_file_is_picked_up() -> None:
    book = Rulebook(recheck_s=0)
    assert book.engine_for("/w").check_command("make deploy").decision == "ask"
    write_rules(ALLOW_MAKE, 1)
    assert book.engine_for("/w").check_command("make deploy").decision == "allow"


def test_a_broken_file_never_replaces_the_rules_in_force() -> None:
    write_rules(ALLOW_MAKE, 1)
    book = Rulebook(recheck_s=0)
    assert book.engine_for("/w").check_command("make deploy").decision == "allow"
    write_rules('version = 1\n[[command]]\nprefix = ["make"]\ndecison = "allow"\n', 2)
    assert book.engine_for("/w").check_command("make deploy").decision == "allow"
    assert any("decison" in problem and "stay in force" in problem for problem in book.problems)


def test_files_are_rechecked_only_now_and_then() -> None:
    book = Rulebook(recheck_s=3600)
    first = book.engine_for("/w")
    write_rules(ALLOW_MAKE, 3)
    assert book.engine_for("/w") is first
    book.reload()
    assert book.engine_for("/w").check_command("make deploy").decision == "allow"
