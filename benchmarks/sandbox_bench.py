"""Sandbox start-up overhead: `true` run confined by the runner vs `true` run as a plain subprocess.

Run: `.venv/bin/python benchmarks/sandbox_bench.py [--runs N]`. Budget (DESIGN §10): at most
20 ms added per command, median. The runner call is timed in-process (mount plan, bwrap, the
JSON status pipe, asyncio); the whole `warden sandbox exec -- true` command, Python start-up
included, is shown beside it for reference.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox.runner import check, run_sync  # noqa: E402
from sandbox.spec import SandboxSpec  # noqa: E402

BUDGET_MS = 20.0
WARDEN = Path(sys.executable).with_name("warden")


def timings(call: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds per call, after one warm-up call."""
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    runs = parser.parse_args().runs
    binary = check()
    print(f"bwrap: {binary.describe()}")
    with tempfile.TemporaryDirectory(dir="/var/tmp") as workspace:
        spec = SandboxSpec(workspace=Path(workspace))
        rows = {
            "plain `true` (subprocess)": timings(lambda: subprocess.run(["true"]), runs),
            "runner: run_sync(['true'])": timings(lambda: run_sync(["true"], spec), runs),
            "`warden sandbox exec -- true`": timings(
                lambda: subprocess.run([WARDEN, "sandbox", "exec", "--", "true"], cwd=workspace),
                runs,
            ),
        }
    print(f"{runs} runs each      median ms    p95 ms")
    for name, times in rows.items():
        print(f"  {name:<32} {statistics.median(times):7.2f}  {p95(times):8.2f}")
    plain, confined = (statistics.median(t) for t in list(rows.values())[:2])
    added = confined - plain
    verdict = "within" if added <= BUDGET_MS else "OVER"
    print(f"added by the sandbox: {added:.2f} ms median ({verdict} the {BUDGET_MS:.0f} ms budget)")
    return 0 if added <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
