"""What a gated tool call costs: `warden mcp` over stdio, judged by a running gate, run confined.

Run: `.venv/bin/python benchmarks/mcp_bench.py [--calls N]`. A gate with the built-in rules
listens on a socket in this process (as the console's would); the `mcp` package's stdio client
starts `warden mcp`, then times N `shell` calls of `true` (allowed by the rules, run in the
sandbox, network through the proxy) and N `read_file` calls (network off), from the client's
request to its answer. The bare sandbox runs of `true` (the runner, in-process, without and with
the proxy bridge) are shown beside them: the difference is what MCP, the gate (decision logged
with fsync, result logged) and the tools layer add. The server's start-up (process start to the
tool list) is shown too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mcp import Client, StdioServerParameters  # noqa: E402

from gate.audit import AuditLog  # noqa: E402
from gate.grants import GrantStore  # noqa: E402
from gate.pipeline import Gate  # noqa: E402
from gate.rulebook import Rulebook  # noqa: E402
from gate.server import GateServer  # noqa: E402
from rules.action import AgentRef  # noqa: E402
from sandbox.gatelink import proxied_sandbox  # noqa: E402
from sandbox.judge import LocalJudge  # noqa: E402
from sandbox.runner import run  # noqa: E402
from sandbox.spec import SandboxSpec  # noqa: E402

WARDEN = "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"


def summary(name: str, times: list[float]) -> str:
    """Median and p90 in milliseconds."""
    ordered = sorted(times)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return f"{name:<34} median {statistics.median(times):7.1f} ms   p90 {p90:7.1f} ms"


async def bench(calls: int, root: Path) -> None:
    workspace = root / "workspace"
    workspace.mkdir()
    (workspace / "README").write_text("hello\n")
    socket = root / "run" / "gate.sock"
    gate = Gate(
        rulebook=Rulebook(),
        grants=GrantStore(root / "grants.json"),
        audit=AuditLog(root / "audit.jsonl"),
    )
    passed = ("HOME", "PATH", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR")
    env = {name: value for name, value in os.environ.items() if name in passed}
    env["WARDEN_SOCKET"] = str(socket)
    params = StdioServerParameters(
        command=sys.executable, args=["-c", WARDEN, "mcp"], env=env, cwd=workspace
    )
    bare, bridged = [], []
    spec = SandboxSpec(workspace=workspace)
    agent = AgentRef(name="bench")
    async with proxied_sandbox(LocalJudge(gate), agent, workspace, "workspace-write") as proxied:
        for _ in range(calls + 1):
            started = time.perf_counter()
            await run(["true"], spec)
            bare.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await run(["true"], proxied)
            bridged.append((time.perf_counter() - started) * 1000)
    async with GateServer(gate, agent_socket=socket):
        started = time.perf_counter()
        async with Client(params, mode="legacy") as client:
            await client.list_tools()
            startup = (time.perf_counter() - started) * 1000
            shells, reads = [], []
            for _ in range(calls + 1):
                started = time.perf_counter()
                result = await client.call_tool("shell", {"command": "true"})
                shells.append((time.perf_counter() - started) * 1000)
                assert not result.is_error, result
                started = time.perf_counter()
                result = await client.call_tool("read_file", {"path": "README"})
                reads.append((time.perf_counter() - started) * 1000)
    await gate.close()
    print(f"{calls} calls each (one warm-up dropped)")
    print(f"{'warden mcp start-up to tool list':<34} {startup:7.1f} ms")
    print(summary("sandbox run of `true` (in-process)", bare[1:]))
    print(summary("  the same, network via the proxy", bridged[1:]))
    print(summary("MCP shell `true` (rule-allowed)", shells[1:]))
    print(summary("MCP read_file README (network off)", reads[1:]))
    added = statistics.median(shells[1:]) - statistics.median(bridged[1:])
    print(f"added by MCP, the gate and the tools (median): {added:.1f} ms per shell call")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    # Visible inside the sandbox (its /tmp is private), and a short socket path.
    root = Path(tempfile.mkdtemp(prefix="warden-mcp-bench-", dir="/var/tmp"))
    # Warden's own dirs in the scratch tree: the user's config, rules and audit log stay out.
    for var, folder in (("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state")):
        (root / folder).mkdir(mode=0o700)
        os.environ[var] = str(root / folder)
    os.environ["XDG_RUNTIME_DIR"] = str(root / "run")
    try:
        asyncio.run(bench(args.calls, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
