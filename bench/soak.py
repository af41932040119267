"""Soak: the full mock under alternating token and history load plus guests, for a bounded time.

Every chunk issues new tokens (the token store fills to its bound), fills the journal ring past its
size and counts rate-limit windows; meanwhile a child process (``bench.guestload``) keeps guests
coming: each opens a socket, starts a session and conversation of its own, sends messages with
metadata, gets a JWT and leaves, and some create seed-dialect sessions and refresh tokens. So
every store a running mock grows (guest sessions, conversations, messages, refresh tokens, seed
sessions) fills to its bound, and a store that kept growing would show as a rising RSS.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from typing import Any

from bench import live, procs
from bench.loadgen import ensure_wrk, run_load

MAX_SOAK_S = 3600
#: Limits the guest load would trip, raised (every limit stays on and counted).
GUEST_LIMITS = ("org_sessions_per_second", "ws_configure_per_minute")


def run(seconds: float = 60.0, chunk: float = 10.0, connections: int = 32, install_wrk: bool = True) -> dict[str, Any]:
    """Load one `mockgenesys serve` for ``seconds``; RSS and req/s per chunk."""
    if not 0 < seconds <= MAX_SOAK_S:
        raise ValueError(f"A soak lasts 0 < seconds <= {MAX_SOAK_S}; got {seconds}.")
    wrk = ensure_wrk(install=install_wrk)
    facts = live._world_facts()
    raised = [arg for name in GUEST_LIMITS for arg in ("--limit", f"{name}={live.HIGH}")]
    started = live._start([*live._servers_mock_only(), *raised], facts)
    samples: list[dict[str, Any]] = []
    guests = None
    try:
        guests = subprocess.Popen(
            [*procs.pin(1), sys.executable, "-m", "bench.guestload", started.url, str(seconds)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=live.ROOT,
        )
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
        out, err = guests.communicate(timeout=120)
        found = re.search(r"^GUEST_RESULT (\{.*\})$", out, re.M)
        guest_counts: dict[str, Any] = json.loads(found.group(1)) if found else {"error": err.strip()[-300:]}
    finally:
        if guests is not None and guests.poll() is None:
            guests.kill()
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
        "guests": guest_counts,
    }


def table(result: dict[str, Any]) -> str:
    r = result
    g = r.get("guests", {})
    return "\n".join(
        [
            "| soak s | idle RSS MiB | max RSS, first half | max RSS, second half | final RSS MiB "
            "| token req/s first / last chunk | non-2xx | guests (errors) | seed sessions + refresh tokens |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {r['seconds']:.0f} | {r['idle_rss_mib']:.1f} | {r['first_half_max_rss_mib']:.1f} "
            f"| {r['second_half_max_rss_mib']:.1f} | {r['final_rss_mib']:.1f} "
            f"| {r['token_rps_first_last'][0]:,.0f} / {r['token_rps_first_last'][1]:,.0f} | {r['non2xx']} "
            f"| {g.get('guests', 0):,} ({sum(v for k, v in g.items() if 'error' in k and isinstance(v, int))}) "
            f"| {g.get('rest_ok', 0):,} |",
        ]
    )
