"""Hook shim speed: process start → answer for a rule-allowed Claude Code `Bash` call.

Run: `.venv/bin/python benchmarks/hook_bench.py [--runs N]`. Starts `warden serve` with private
config, state and runtime dirs (nothing of yours is read or written), then runs the installed
`warden hook claude-code` N times with a `git status` payload and reports the median and p90
wall time per run. Budget (DESIGN §10): median ≤ 80 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
PAYLOAD = json.dumps(
    {
        "session_id": "bench",
        "cwd": "/tmp",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": "git status"},
    }
)


def main() -> int:
    """Time the shim against a running gate; exit 1 if over budget."""
    parse = argparse.ArgumentParser(description=__doc__)
    parse.add_argument("--runs", type=int, default=50)
    runs = parse.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="wb-", dir="/tmp") as root:
        env = {**os.environ, "HOME": root, "WARDEN_REQUIREMENTS": f"{root}/none.toml"}
        for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "XDG_CACHE_HOME"):
            env[var] = f"{root}/{var.lower()}"
            os.makedirs(env[var], mode=0o700)
        env["WARDEN_SOCKET"] = f"{root}/s/gate.sock"
        gate = subprocess.Popen(
            [str(BIN / "warden"), "serve"], env=env, stdout=subprocess.PIPE, text=True
        )
        try:
            assert gate.stdout is not None
            assert "listening" in gate.stdout.readline()
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                done = subprocess.run(
                    [str(BIN / "warden"), "hook", "claude-code"],
                    input=PAYLOAD,
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                )
                times.append((time.perf_counter() - start) * 1000)
                assert '"allow"' in done.stdout, done.stdout
        finally:
            gate.send_signal(signal.SIGTERM)
            gate.wait(30)
    median = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1]
    print(f"hook shim, {runs} runs: median {median:.1f} ms, p90 {p90:.1f} ms (budget 80 ms)")
    return 0 if median <= 80 else 1


if __name__ == "__main__":
    sys.exit(main())
