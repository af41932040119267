"""Load generation on loopback: wrk when it is there (installed with apt when possible), else a
small asyncio HTTP/1.1 keep-alive client (``python -m bench.loadgen``) with the same output.

Both print one ``WRK_RESULT {json}`` line: requests, duration_us, p50/p90/p99/max latency (µs),
non-2xx count and socket errors. Every run is bounded by its duration (at most 60 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench import procs

MAX_DURATION_S = 60
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

_DONE_LUA = r"""
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"non2xx":%d,"errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True)
class Workload:
    """One HTTP call repeated under load."""

    name: str
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


def ensure_wrk(*, install: bool = True) -> str | None:
    """The wrk binary: found on PATH, or installed with apt-get when root; None if neither."""
    found = shutil.which("wrk")
    if found or not install:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return None
    print("[bench] wrk is missing: apt-get install -y wrk", file=sys.stderr, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install_cmd = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install_cmd, env=env, capture_output=True, timeout=300, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=300, check=False)
        subprocess.run(install_cmd, env=env, capture_output=True, timeout=300, check=False)
    return shutil.which("wrk")


def _lua(workload: Workload) -> str:
    lines = [f"wrk.method = {json.dumps(workload.method)}"]
    if workload.body:
        lines.append(f"wrk.body = {json.dumps(workload.body)}")
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in workload.headers.items()]
    return "\n".join(lines) + "\n" + _DONE_LUA


def _check_target(base_url: str, duration: float) -> None:
    host = urlsplit(base_url).hostname
    if host not in LOOPBACK_HOSTS:
        raise ValueError(f"Load goes to loopback only; got host {host!r}. Use http://127.0.0.1:PORT.")
    if not 0 < duration <= MAX_DURATION_S:
        raise ValueError(f"A load run lasts 0 < seconds <= {MAX_DURATION_S}; got {duration}.")


def run_load(
    base_url: str,
    workload: Workload,
    *,
    duration: float,
    connections: int = 32,
    cpu: int | None = 1,
    wrk: str | None = None,
) -> dict[str, Any]:
    """One bounded load run (wrk -t1, or the Python fallback) pinned to ``cpu``; the parsed result."""
    _check_target(base_url, duration)
    pin = procs.pin(cpu)
    url = base_url + workload.path
    with tempfile.TemporaryDirectory(prefix="mockgenesys-bench-") as tmp:
        if wrk:
            script = Path(tmp) / f"{workload.name}.lua"
            script.write_text(_lua(workload))
            seconds = max(1, round(duration))
            cmd = [*pin, wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
            cmd += ["-s", str(script), url]
        else:
            spec = Path(tmp) / "workload.json"
            spec.write_text(json.dumps(workload.__dict__))
            cmd = [*pin, sys.executable, "-m", "bench.loadgen", url, str(spec), str(duration), str(connections)]
        started = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30, check=False)
        wall = time.perf_counter() - started
    found = re.search(r"^WRK_RESULT (\{.*\})$", out.stdout, re.M)
    if not found:
        return {"error": f"load generator exit {out.returncode}: {(out.stderr or out.stdout).strip()[-300:]}"}
    result: dict[str, Any] = json.loads(found.group(1))
    elapsed = float(result["duration_us"]) / 1e6 or wall
    result["rps"] = result["requests"] / elapsed if elapsed else 0.0
    result["generator"] = "wrk" if wrk else "python"
    return result


# ---------------------------------------------------------------- the Python fallback
async def _connection(
    host: str, port: int, raw: bytes, deadline: float, latencies: list[float], counts: dict[str, int]
) -> None:
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        counts["errors"] += 1
        return
    try:
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            writer.write(raw)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            if length:
                await reader.readexactly(int(length.group(1)))
            latencies.append(time.perf_counter() - sent)
            if not 200 <= status < 300:
                counts["non2xx"] += 1
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        counts["errors"] += 1
    finally:
        writer.close()


async def _fallback(url: str, workload: Workload, duration: float, connections: int) -> dict[str, Any]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    body = workload.body.encode()
    head = [f"{workload.method} {target} HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {len(body)}"]
    head += [f"{k}: {v}" for k, v in workload.headers.items()]
    raw = ("\r\n".join(head) + "\r\n\r\n").encode() + body
    latencies: list[float] = []
    counts = {"non2xx": 0, "errors": 0}
    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(*(_connection(host, port, raw, deadline, latencies, counts) for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> int:
        return int(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1e6) if latencies else 0

    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1e6),
        "p50_us": pct(0.50),
        "p90_us": pct(0.90),
        "p99_us": pct(0.99),
        "max_us": int(latencies[-1] * 1e6) if latencies else 0,
        **counts,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen", description="Fallback HTTP/1.1 load generator.")
    parser.add_argument("url")
    parser.add_argument("workload", type=Path, help="JSON file with name, method, path, headers, body")
    parser.add_argument("duration", type=float)
    parser.add_argument("connections", type=int)
    args = parser.parse_args(argv)
    _check_target(args.url, args.duration)
    workload = Workload(**json.loads(args.workload.read_text()))
    try:
        import uvloop

        runner: Any = uvloop.run
    except ImportError:  # pragma: no cover - uvloop is a dependency on CPython/Linux
        runner = asyncio.run
    result = runner(_fallback(args.url, workload, args.duration, args.connections))
    print("WRK_RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
