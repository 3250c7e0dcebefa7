"""How the built-in rules judge the public corpora: the allow/ask/block split of each slice.

Run: `make corpus`, or `.venv/bin/python benchmarks/corpus_report.py --show-allows` to list
the allowed commands of the unscored slices (`--corpora DIR` points elsewhere).
Risky corpora are split by the corpora's own `slices.py` into the scored slice (where an
`allow` is a miss) and the unscored rest; benign corpora give the share of commands the
defaults allow without asking anyone. Exits 1 if a scored slice has any `allow`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rules.engine import Engine  # noqa: E402
from rules.layers import builtin_ruleset  # noqa: E402

RISKY = ("risky-gtfobins.jsonl", "risky-redcode-bash.jsonl", "risky-atomic-linux.jsonl")
BENIGN = ("benign-tldr.jsonl", "benign-nl2bash.jsonl")
CWD = "/home/dev/project"


def load_slices(directory: Path) -> ModuleType:
    """The corpora's `slices.py`, imported from its file."""
    spec = importlib.util.spec_from_file_location("slices", directory / "slices.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(directory / "slices.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def judge(engine: Engine, items: list[dict[str, object]]) -> tuple[Counter[str], list[str]]:
    """The decision counts, and the ids and commands that came out `allow`."""
    counts: Counter[str] = Counter()
    allowed: list[str] = []
    for item in items:
        decision = engine.check_command(str(item["command"]), CWD).decision
        counts[decision] += 1
        if decision == "allow":
            allowed.append(f"{item['id']}: {str(item['command'])[:100]!r}")
    return counts, allowed


def line(label: str, counts: Counter[str]) -> str:
    total = sum(counts.values()) or 1
    return (
        f"{label:<34} {total:>6} {counts['allow']:>6} {counts['ask']:>6} {counts['block']:>6}"
        f" {counts['allow'] / total:>7.1%}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument(
        "--show-allows",
        action="store_true",
        help="list the commands allowed in the unscored slices",
    )
    args = parser.parse_args()
    if not (args.corpora / "slices.py").is_file():
        print(f"no corpora at {args.corpora}: nothing to report")
        return 0
    slices = load_slices(args.corpora)
    engine = Engine([builtin_ruleset()])
    misses = 0
    print(f"{'slice':<34} {'n':>6} {'allow':>6} {'ask':>6} {'block':>6} {'allow%':>7}")
    for name in RISKY:
        items = rows(args.corpora / name)
        scored = [i for i in items if slices.scored(i)]
        rest = [i for i in items if not slices.scored(i)]
        counts, allowed = judge(engine, scored)
        misses += counts["allow"]
        print(line(f"{name} scored", counts))
        for entry in allowed:
            print(f"    MISS {entry}")
        counts, allowed = judge(engine, rest)
        print(line(f"{name} rest", counts))
        if args.show_allows:
            for entry in allowed:
                print(f"    allow {entry}")
    for name in BENIGN:
        counts, _ = judge(engine, rows(args.corpora / name))
        print(line(name, counts))
    print(f"scored misses (allow in a scored slice): {misses}")
    return 1 if misses else 0


if __name__ == "__main__":
    raise SystemExit(main())
