"""Guests and messages per second through Locust: 1 and 2 load workers × 1 and 2 mock workers.

Each cell starts ``mockgenesys serve --workers M --no-limits`` (limits off, so the figures are the
machine's, not Genesys' 2 messages per session per second), then ``mockgenesys load`` with G
guests for D seconds: alone (one Locust process) or as a master with two worker processes, all on
127.0.0.1. Guests think 0.1–0.3 s and only send (with a history read now and then), so the figures
are the guest protocol's round trips. The mock's verdict (``--verdict``) gives the messages stored
exactly once; Locust's CSV gives requests per second and the round-trip percentiles. This machine
has 2 cores shared by the mock and the load: the cells compare setups, they do not add cores.
"""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.procs import free_port

EXE = str(Path(sys.executable).parent / "mockgenesys")
CONFIG = (
    "guest: {think_time: [0.1, 0.3], max_messages: 100000, tasks: {send: 10, history: 1, refresh_jwt: 0, reconnect: 0}}\n"
    "platform: {weight: 0}\n"
)
CELLS = ((1, 1), (1, 2), (2, 1), (2, 2))  # (mock workers, load workers)


def run(guests: int = 500, duration: float = 10.0) -> list[dict[str, Any]]:
    """Every cell of the matrix; one row each."""
    return [_cell(mock_workers, load_workers, guests, duration) for mock_workers, load_workers in CELLS]


def _cell(mock_workers: int, load_workers: int, guests: int, duration: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        tmp = Path(folder)
        (tmp / "load.yaml").write_text(CONFIG, encoding="utf-8")
        info = tmp / "info.json"
        server = subprocess.Popen(
            [
                EXE,
                "serve",
                "--port",
                "0",
                "--quiet",
                "--no-limits",
                "--workers",
                str(mock_workers),
                "--info-file",
                str(info),
            ],
            stdout=subprocess.DEVNULL,
        )
        procs: list[subprocess.Popen[bytes]] = []
        try:
            deadline = time.monotonic() + 60
            while not info.exists():
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("mockgenesys serve did not start")
                time.sleep(0.05)
            url = json.loads(info.read_text())["base_url"]
            port = str(free_port())
            load = [EXE, "load", "--host", url, "--users", str(guests), "--spawn-rate", str(max(guests // 2, 1))]
            load += ["--run-time", f"{duration:g}", "--config", str(tmp / "load.yaml"), "--stop-timeout", "5"]
            load += ["--verdict", str(tmp / "verdict.json"), "--csv", str(tmp / "stats")]
            if load_workers > 1:
                load += ["--master", "--expect-workers", str(load_workers), "--master-port", port]
            started = time.monotonic()
            procs.append(subprocess.Popen(load, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            for _ in range(load_workers if load_workers > 1 else 0):
                worker = [EXE, "load", "--worker", "--master-port", port]
                procs.append(subprocess.Popen(worker, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            if procs[0].wait(duration + 120) != 0:
                raise RuntimeError(f"mockgenesys load exited with {procs[0].returncode}")
            wall = time.monotonic() - started
            verdict = json.loads((tmp / "verdict.json").read_text())
            rows = {row["Name"]: row for row in csv.DictReader((tmp / "stats_stats.csv").open())}
        finally:
            for proc in (*procs, server):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in (*procs, server):
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
    trip = rows["message round trip"]
    return {
        "mock_workers": mock_workers,
        "load_workers": load_workers,
        "guests": verdict["guests"],
        "duration_s": duration,
        "wall_s": round(wall, 1),
        "messages_stored": verdict["stored_once"],
        "messages_per_s": round(verdict["stored_once"] / duration, 1),
        "requests_per_s": round(float(rows["Aggregated"]["Requests/s"]), 1),
        "round_trip_p50_ms": float(trip["50%"]),
        "round_trip_p99_ms": float(trip["99%"]),
        "lost": verdict["lost"],
        "duplicated": verdict["duplicated"],
    }


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| mock workers | load workers | guests | messages stored/s | requests/s | round trip p50 ms | p99 ms | lost | duplicated |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['mock_workers']} | {r['load_workers']} | {r['guests']:,} | {r['messages_per_s']:,.0f} "
        f"| {r['requests_per_s']:,.0f} | {r['round_trip_p50_ms']:.0f} | {r['round_trip_p99_ms']:.0f} "
        f"| {r['lost']} | {r['duplicated']} |"
        for r in rows
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run()))
