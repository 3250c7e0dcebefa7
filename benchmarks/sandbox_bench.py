"""Sandbox start-up overhead, and the network proxy's added latency per request.

Run: `.venv/bin/python benchmarks/sandbox_bench.py [--runs N] [--requests N]`. Budget (DESIGN §10):
at most 20 ms added per command, median. The runner call is timed in-process (mount plan, bwrap,
the JSON status pipe, asyncio); the whole `warden sandbox exec -- true` command, Python start-up
included, is shown beside it for reference.

Proxy latency: one client process makes N plain-HTTP requests, each on a new connection, to a
local server on the host: run on the host directly, then inside a sandbox through the bridge and
Warden's proxy (the host is allowed by a rule, so only the first request is judged).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gate.rulebook import Rulebook  # noqa: E402
from sandbox.judge import RulesJudge  # noqa: E402
from sandbox.proxy import NetworkProxy  # noqa: E402
from sandbox.runner import check, run, run_sync  # noqa: E402
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


# The client: N requests, a new connection each, milliseconds per request as a JSON list.
CLIENT = """
import http.client, json, os, sys, time, urllib.parse
port, n = int(sys.argv[1]), int(sys.argv[2])
proxy = os.environ.get("HTTP_PROXY")
times = []
for _ in range(n):
    start = time.perf_counter()
    if proxy:
        where = urllib.parse.urlsplit(proxy)
        conn = http.client.HTTPConnection(where.hostname, where.port)
        conn.request("GET", f"http://127.0.0.1:{port}/")
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", "/")
    assert conn.getresponse().read() == b"ok"
    conn.close()
    times.append((time.perf_counter() - start) * 1000)
print(json.dumps(times))
"""
RULES = 'version = 1\n[[network]]\nhost = "127.0.0.1"\ndecision = "allow"\n'


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


async def proxied_times(workspace: Path, port: int, requests: int) -> list[float]:
    """Per-request milliseconds of the client run in a sandbox, through the bridge and proxy."""
    rules = workspace / "bench-rules.toml"
    rules.write_text(RULES)
    judge = RulesJudge(Rulebook(extra=[rules]))
    with tempfile.TemporaryDirectory(prefix="warden-bench-") as folder:
        socket = Path(folder) / "proxy.sock"
        async with NetworkProxy(judge, socket, cwd=str(workspace)):
            spec = SandboxSpec(workspace=workspace, network="proxy", proxy_socket=socket)
            argv = [sys.executable, "-c", CLIENT, str(port), str(requests)]
            result = await run(argv, spec, timeout_s=300)
    if result.exit_code != 0:
        raise SystemExit(f"the proxied client failed: {result.stderr.decode()}")
    times: list[float] = json.loads(result.stdout)
    return times


def proxy_latency(workspace: Path, requests: int) -> float:
    """Print direct vs proxied request times; return the median added per request (ms)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        argv = [sys.executable, "-c", CLIENT, str(port), str(requests)]
        direct: list[float] = json.loads(subprocess.run(argv, capture_output=True).stdout)
        proxied = asyncio.run(proxied_times(workspace, port, requests))
    finally:
        server.shutdown()
    print(f"{requests} HTTP requests, a new connection each   median ms    p95 ms")
    rows = {
        "direct, on the host": direct[1:],
        "in the sandbox, bridge + proxy": proxied[1:],
    }
    for name, times in rows.items():
        print(f"  {name:<43} {statistics.median(times):7.2f}  {p95(times):8.2f}")
    print(f"  first proxied request (judged by the rules)  {proxied[0]:7.2f}")
    added = statistics.median(proxied[1:]) - statistics.median(direct[1:])
    print(f"added by the proxy: {added:.2f} ms per request, median")
    return added


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200)
    options = parser.parse_args()
    runs = options.runs
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
        medians = [statistics.median(t) for t in rows.values()]
        print(
            f"`warden sandbox exec -- true` vs `true`: +{medians[2] - medians[0]:.2f} ms median "
            "(Python start-up and imports included)"
        )
        print()
        proxy_latency(Path(workspace), options.requests)
    plain, confined = (statistics.median(t) for t in list(rows.values())[:2])
    added = confined - plain
    verdict = "within" if added <= BUDGET_MS else "OVER"
    print(f"added by the sandbox: {added:.2f} ms median ({verdict} the {BUDGET_MS:.0f} ms budget)")
    return 0 if added <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
