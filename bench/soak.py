"""Soak: the full mock under alternating token and history load for a bounded time, RSS sampled.

Every chunk issues new tokens (the token store fills to its bound), fills the journal ring past its
size and counts rate-limit windows, so a store that grows shows up as a rising RSS.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from bench import live, procs
from bench.loadgen import ensure_wrk, run_load

MAX_SOAK_S = 3600


def run(seconds: float = 60.0, chunk: float = 10.0, connections: int = 32, install_wrk: bool = True) -> dict[str, Any]:
    """Load one `mockgenesys serve` for ``seconds``; RSS and req/s per chunk."""
    if not 0 < seconds <= MAX_SOAK_S:
        raise ValueError(f"A soak lasts 0 < seconds <= {MAX_SOAK_S}; got {seconds}.")
    wrk = ensure_wrk(install=install_wrk)
    facts = live._world_facts()
    started = live._start(live._servers_mock_only(), facts)
    samples: list[dict[str, Any]] = []
    try:
        workloads = live._workloads(facts, live._probe(started.port, facts))
        samples.append({"t": 0.0, "rss_mib": procs.rss_mib(started.proc.pid), "workload": "idle", "rps": 0.0})
        begin = time.perf_counter()
        n = 0
        while (elapsed := time.perf_counter() - begin) < seconds:
            workload = workloads[n % 2]
            duration = min(chunk, max(1.0, seconds - elapsed))
            result = run_load(started.url, workload, duration=duration, connections=connections, wrk=wrk)
            sample = {
                "t": time.perf_counter() - begin,
                "rss_mib": procs.rss_mib(started.proc.pid),
                "workload": workload.name,
                "rps": result.get("rps", 0.0),
                "non2xx": result.get("non2xx", 0) + result.get("errors", 0),
            }
            samples.append(sample)
            print(f"[bench soak] t={sample['t']:.0f}s {workload.name} {sample['rps']:,.0f} req/s "
                  f"rss {sample['rss_mib']:.1f} MiB", file=sys.stderr, flush=True)  # fmt: skip
            n += 1
    finally:
        procs.stop(started.proc)
    loaded = samples[1:]
    half = len(loaded) // 2
    first, second = loaded[:half] or loaded, loaded[half:] or loaded
    return {
        "seconds": seconds,
        "samples": samples,
        "idle_rss_mib": samples[0]["rss_mib"],
        "peak_rss_mib": max(s["rss_mib"] for s in samples),
        "first_half_max_rss_mib": max(s["rss_mib"] for s in first),
        "second_half_max_rss_mib": max(s["rss_mib"] for s in second),
        "final_rss_mib": samples[-1]["rss_mib"],
        "token_rps_first_last": [
            next((s["rps"] for s in loaded if s["workload"] == "token"), 0.0),
            next((s["rps"] for s in reversed(loaded) if s["workload"] == "token"), 0.0),
        ],
        "non2xx": sum(s.get("non2xx", 0) for s in loaded),
    }


def table(result: dict[str, Any]) -> str:
    r = result
    return "\n".join(
        [
            "| soak s | idle RSS MiB | max RSS, first half | max RSS, second half | final RSS MiB "
            "| token req/s first / last chunk | non-2xx |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            f"| {r['seconds']:.0f} | {r['idle_rss_mib']:.1f} | {r['first_half_max_rss_mib']:.1f} "
            f"| {r['second_half_max_rss_mib']:.1f} | {r['final_rss_mib']:.1f} "
            f"| {r['token_rps_first_last'][0]:,.0f} / {r['token_rps_first_last'][1]:,.0f} | {r['non2xx']} |",
        ]
    )
