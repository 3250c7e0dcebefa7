"""The core runs without a terminal UI, and the `warden` dispatcher starts light."""

from __future__ import annotations

import subprocess
import sys

import pytest

IMPORT_CORE = """
import importlib, pkgutil
for package in ("rules", "reviewer", "gate", "sandbox"):
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        if not info.name.endswith(".__main__"):
            importlib.import_module(info.name)
"""


def loaded_after(code: str) -> set[str]:
    """The top-level packages in `sys.modules` after a fresh interpreter runs `code`."""
    report = "import sys\nprint(*{name.split('.')[0] for name in sys.modules})"
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\n{report}"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_every_core_module_imports_without_textual_or_rich() -> None:
    loaded = loaded_after(IMPORT_CORE)
    assert {"rules", "gate"} <= loaded
    assert "textual" not in loaded
    assert "rich" not in loaded


@pytest.mark.parametrize("heavy", ["pydantic", "pydantic_settings", "tree_sitter", "tomlkit"])
def test_dispatcher_imports_nothing_heavy(heavy: str) -> None:
    assert heavy not in loaded_after("import tui.cli")


@pytest.mark.parametrize("heavy", ["pydantic", "tree_sitter", "tomlkit"])
def test_rules_paths_stays_light_for_the_hook_shims(heavy: str) -> None:
    assert heavy not in loaded_after("import rules.paths")


def test_rules_package_exposes_its_public_names_on_use() -> None:
    assert "tree_sitter" in loaded_after("import rules\nrules.Engine")
