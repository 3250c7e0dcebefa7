"""Gate speed over the socket: 20 agents x 500 rule-decided actions, throughput and latency.

Run: `make bench-gate` or `.venv/bin/python benchmarks/gate_bench.py [--agents N] [--actions N]`.
Starts `warden serve --policy never` as a subprocess with private config, state and runtime
dirs (nothing of yours is read or written), connects N agents at once (one connection each,
submits one after another, all agents in one asyncio loop), and times submit → decision for
each action. Afterwards it stops the gate and checks the audit log: the chain verifies and
every action has exactly one `action.decided` record. Budget (DESIGN §10): p99 ≤ 5 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gate.audit import read_records, verify  # noqa: E402
from gate.client import AsyncGateClient  # noqa: E402

# command → the decision the built-in rules give it
WORKLOAD = {"git status": "allow", "ls -la": "allow", "cat README.md": "allow", "rm -rf /": "deny"}
BUDGET_P99_MS = 5.0
SERVE = "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"


def start_gate(base: Path) -> tuple[subprocess.Popen[str], Path]:
    """`warden serve` in a subprocess with every Warden dir under `base`; returns it when ready."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WARDEN_", "XDG_"))}
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"):
        folder = base / var.lower()
        folder.mkdir(mode=0o700)
        env[var] = str(folder)
    env["WARDEN_REQUIREMENTS"] = str(base / "no-requirements.toml")
    socket = base / "xdg_runtime_dir" / "warden" / "gate.sock"
    command = [sys.executable, "-c", SERVE, "serve", "--policy", "never"]
    gate = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert gate.stdout is not None
    for line in gate.stdout:
        if "listening" in line:
            return gate, socket
    raise SystemExit(f"the gate did not start (exit code {gate.wait()})")


async def agent(
    socket: Path, number: int, actions: int, cwd: str, pace: float, start: float
) -> list[tuple[str, float]]:
    """One agent submitting `actions` actions, one every `pace` seconds (0: back to back).

    The first one goes at `start` (a perf_counter time), so paced agents do not all submit in
    the same instant.

    Returns:
        (action_id, seconds from submit to decision) for each action.
    """
    commands = list(WORKLOAD)
    timings: list[tuple[str, float]] = []
    async with AsyncGateClient(socket) as client:
        await client.hello({"name": "bench", "session": f"agent-{number}"})
        due = start
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        for index in range(actions):
            command = commands[(index + number) % len(commands)]
            started = time.perf_counter()
            answer = await client.submit({"kind": "exec", "command": command, "cwd": cwd})
            timings.append((answer["action_id"], time.perf_counter() - started))
            if answer["decision"] != WORKLOAD[command] or answer["source"] != "builtin":
                raise SystemExit(f"unexpected decision for {command!r}: {answer}")
            due += pace
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
    return timings


async def load(
    socket: Path, agents: int, actions: int, cwd: str, pace: float = 0.0
) -> tuple[list[tuple[str, float]], float]:
    """Run every agent at once; returns their timings and the wall-clock seconds."""
    started = time.perf_counter()
    runs = (
        agent(socket, n, actions, cwd, pace, started + n * pace / agents) for n in range(agents)
    )
    results = await asyncio.gather(*runs)
    return [t for timings in results for t in timings], time.perf_counter() - started


def report(label: str, timings: list[tuple[str, float]], wall: float) -> None:
    """Print throughput and latency percentiles of one run, against the budget."""
    millis = [seconds * 1000 for _, seconds in timings]
    p99 = percentile(millis, 0.99)
    verdict = "met" if p99 <= BUDGET_P99_MS else "MISSED"
    print(f"{label}: {len(millis):,} submits in {wall:.2f} s, {len(millis) / wall:,.0f}/s")
    print(
        f"  submit → decision ms: p50 {statistics.median(millis):.2f}  "
        f"p90 {percentile(millis, 0.90):.2f}  p99 {p99:.2f}  max {max(millis):.2f}  "
        f"(budget p99 ≤ {BUDGET_P99_MS:g} ms: {verdict})"
    )


def percentile(values: list[float], fraction: float) -> float:
    """The value under which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def check_audit(state: Path, action_ids: list[str]) -> bool:
    """Print whether the log verifies and every action has exactly one decided record."""
    log = state / "warden" / "audit.jsonl"
    report = verify(log)
    decided = Counter(
        r["action_id"] for r in read_records(log) if r.get("event") == "action.decided"
    )
    missing = [a for a in action_ids if decided[a] == 0]
    doubled = [a for a in action_ids if decided[a] > 1]
    strays = set(decided) - set(action_ids)
    print(f"audit log: {sum(decided.values()):,} action.decided records in {log}")
    chain = "verifies" if report.ok else f"BROKEN: {'; '.join(report.problems)}"
    print(f"  chain of {report.records:,} records: {chain}")
    print(f"  missing {len(missing)}, logged twice {len(doubled)}, unknown {len(strays)}")
    return report.ok and not missing and not doubled and not strays


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--actions", type=int, default=500, help="actions per agent")
    parser.add_argument(
        "--pace", type=float, default=20.0, help="ms between one agent's actions, paced run"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="warden-bench-") as temp:
        base = Path(temp)
        project = base / "project"
        project.mkdir()
        gate, socket = start_gate(base)
        print(f"{args.agents} agents x {args.actions} rule-decided actions each, over {socket}")
        try:
            warm_up, _ = asyncio.run(load(socket, 1, 20, str(project)))  # imports, caches
            flat_out = asyncio.run(load(socket, args.agents, args.actions, str(project)))
            paced = asyncio.run(
                load(socket, args.agents, args.actions, str(project), args.pace / 1000)
            )
        finally:
            gate.send_signal(signal.SIGTERM)
            gate.wait(timeout=30)
        report("back to back", *flat_out)
        report(f"paced, each agent every {args.pace:g} ms", *paced)
        submitted = [action_id for action_id, _ in warm_up + flat_out[0] + paced[0]]
        logged = check_audit(base / "xdg_state_home", submitted)
    return 0 if logged and gate.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
