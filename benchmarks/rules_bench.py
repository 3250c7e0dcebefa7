"""Rules engine speed: decisions per second and µs per decision, 10 to 10,000 rules in force.

Run: `make bench` or `.venv/bin/python benchmarks/rules_bench.py [--corpora DIR] [--limit N]`.
Commands come from the benign corpora in `../shared/corpora` (skipped cleanly when absent)
and from a fixed list of typical agent commands. Generated user rules are added on top of
the built-in rules; they are spread over the corpora's own programs so the index is really
exercised (a rule per made-up program would make the lookup trivially flat).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rules.engine import Engine  # noqa: E402
from rules.layers import builtin_ruleset  # noqa: E402
from rules.loader import load_rules_text  # noqa: E402

TYPICAL = [
    "git status",
    "git diff",
    "git log --oneline -10",
    "git add -A",
    "git commit -m 'fix'",
    "ls -la",
    "ls src",
    "cat README.md",
    "head -50 src/app.py",
    "grep -rn TODO src",
    "rg -n 'def main' src",
    "find . -name '*.py'",
    "pytest -q",
    "pytest tests/test_x.py -k foo",
    "python -m pytest -x",
    "npm test",
    "npm run build",
    "cargo test",
    "cargo build --release",
    "make",
    "make test",
    "go test ./...",
    "pip install -e .",
    "wc -l src/*.py",
    "pwd",
    "mkdir -p build",
    "rm -rf build",
    "cd src && ls",
    "echo done",
    "sed -n '1,40p' app.py",
]
SIZES = (10, 100, 1_000, 10_000)
CWD = "/home/dev/project"


def load_corpus(directory: Path, limit: int) -> list[str]:
    """Commands of the benign corpora, or [] when they are not there."""
    commands: list[str] = []
    for name in ("benign-tldr.jsonl", "benign-nl2bash.jsonl"):
        path = directory / name
        if path.is_file():
            with path.open(encoding="utf-8") as handle:
                commands.extend(json.loads(line)["command"] for line in handle)
    random.Random(7).shuffle(commands)
    return commands[:limit] if limit else commands


def generate_rules(count: int, programs: list[str], seed: int = 1) -> str:
    """A user rules file of `count` rules: mostly command prefixes, some paths and hosts."""
    rng = random.Random(seed)
    words = ["run", "build", "test", "deploy", "sync", "list", "show", "get", "push", "apply"]
    out = ["version = 1"]
    for i in range(count):
        roll = rng.random()
        decision = rng.choice(["allow", "allow", "ask", "block"])
        if roll < 0.70:
            program = rng.choice(programs)
            sub = rng.sample(words, rng.randint(1, 3))
            extra = f'\noptions_none = ["--x{i}"]' if rng.random() < 0.2 else ""
            out.append(
                f"[[command]]\nprefix = [{json.dumps(program)}, {json.dumps(sub)}]\n"
                f'decision = "{decision}"{extra}'
            )
        elif roll < 0.85:
            out.append(
                f'[[path]]\nglob = "/srv/data{i % 500}/app{i}/**"\naccess = "write"\n'
                f'decision = "{decision}"'
            )
        elif roll < 0.95:
            out.append(f'[[network]]\nhost = "*.host{i}.example"\ndecision = "{decision}"')
        else:
            out.append(f'[[command]]\nexact = "tool{i} --flag {i}"\ndecision = "{decision}"')
    return "\n".join(out) + "\n"


def measure(engine: Engine, commands: list[str]) -> list[float]:
    """µs per decision, one figure per command."""
    for command in commands[:200]:
        engine.check_command(command, CWD)
    timings = []
    clock = time.perf_counter_ns
    for command in commands:
        start = clock()
        engine.check_command(command, CWD)
        timings.append((clock() - start) / 1000)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--limit", type=int, default=0, help="at most N corpus commands")
    args = parser.parse_args()
    corpus = load_corpus(args.corpora, args.limit)
    if not corpus:
        print(f"(no corpora at {args.corpora}: timing the typical commands only)")
    names = {c.split()[0] for c in corpus if c.split()} | {"git", "npm", "cargo"}
    programs = sorted(n for n in names if re.fullmatch(r"[A-Za-z0-9][\w.+-]*", n))
    builtin = builtin_ruleset()
    typical = TYPICAL * 20
    print(f"{'rules':>7} {'set':<9} {'decisions/s':>12} {'median µs':>10} {'p99 µs':>9}")
    medians: dict[str, list[float]] = {"typical": [], "corpus": []}
    for size in SIZES:
        user = load_rules_text(generate_rules(size, programs), f"bench-{size}.toml", "user")
        engine = Engine([builtin, user])
        total = size + len(builtin.all())
        for label, commands in (("typical", typical), ("corpus", corpus)):
            if not commands:
                continue
            timings = measure(engine, commands)
            median = statistics.median(timings)
            medians[label].append(median)
            rate = len(timings) / (sum(timings) / 1e6)
            print(
                f"{total:>7} {label:<9} {rate:>12,.0f} {median:>10.1f} "
                f"{percentile(timings, 0.99):>9.1f}"
            )
    for label, values in medians.items():
        if values:
            print(
                f"growth {label}: {values[-1] / values[0]:.2f}x median from "
                f"{SIZES[0]} to {SIZES[-1]} added rules"
            )
    print(f"corpus commands: {len(corpus):,}; typical commands: {len(TYPICAL)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
