"""Audit log write latency for N concurrent writers: group commit against an fsync per record.

Run: `.venv/bin/python benchmarks/audit_bench.py [--writers 20] [--records 500] [--dir DIR]`.
Each `write()` returns only after its record is fsynced, so the latency is that of the disk;
use `--dir` to measure on the disk the state dir lives on (tmpfs makes fsync free).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gate.audit import AuditLog, verify  # noqa: E402


async def run(
    path: Path, writers: int, records: int, one_at_a_time: bool
) -> tuple[list[float], float]:
    """Write `records` from each of `writers` tasks; the latencies (s) and the elapsed time.

    With `one_at_a_time`, writes queue for a lock, so each batch holds one record (one fsync
    per record, as a log without group commit would do).
    """
    latencies: list[float] = []
    turn = asyncio.Lock() if one_at_a_time else contextlib.nullcontext()
    async with AuditLog(path) as log:

        async def writer(name: int) -> None:
            for n in range(records):
                start = time.perf_counter()
                async with turn:
                    await log.write(
                        "action.decided",
                        action_id=f"act-{name}-{n}",
                        agent="bench",
                        summary="git status",
                        decision="allow",
                        source="rules",
                    )
                latencies.append(time.perf_counter() - start)

        start = time.perf_counter()
        await asyncio.gather(*(writer(name) for name in range(writers)))
        elapsed = time.perf_counter() - start
    return latencies, elapsed


def report(label: str, latencies: list[float], elapsed: float) -> None:
    """Print throughput and p50/p99 latency in ms."""
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"{label:<28} {len(latencies) / elapsed:8.0f} records/s   "
        f"p50 {cuts[49] * 1000:6.2f} ms   p99 {cuts[98] * 1000:6.2f} ms"
    )


def main() -> int:
    """Measure group commit, then the baseline: the same writers, an fsync per record."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--records", type=int, default=500, help="records per writer")
    parser.add_argument(
        "--dir", type=Path, default=None, help="where to write (default: a temp dir)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        grouped = Path(folder) / "grouped.jsonl"
        latencies, elapsed = asyncio.run(run(grouped, args.writers, args.records, False))
        report(f"{args.writers} writers, group commit", latencies, elapsed)
        single = Path(folder) / "single.jsonl"
        latencies, elapsed = asyncio.run(run(single, args.writers, args.records, True))
        report(f"{args.writers} writers, fsync per record", latencies, elapsed)
        ok = verify(grouped).ok and verify(single).ok
    print("chains verify" if ok else "CHAIN BROKEN")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
