"""Soak: the full mock under alternating token and history load plus guests, for a bounded time.

Every chunk issues new tokens (the token store fills to its bound), fills the journal ring past its
size and counts rate-limit windows; meanwhile a child process (``bench.guestload``) keeps guests
coming: each opens a socket, starts a session and conversation of its own, sends messages with
metadata, gets a JWT and leaves, and some create seed-dialect sessions and refresh tokens. So
every store a running mock grows (guest sessions, conversations, messages, refresh tokens, seed
sessions) fills to its bound, and a store that kept growing would show as a rising RSS.

The server runs with small ``--retention`` bounds (``SOAK_RETENTION``) and its clock is moved
``CLOCK_STEP`` seconds after every chunk (seed-dialect sessions then expire by time as well), so
every store is full within the first ``SETTLE_S`` seconds. The verdict is on the rest of the run:
RSS is flat when its least-squares slope is under ``FLAT_MIB_PER_MIN`` and every store is within
its bound; ``python -m bench soak`` exits 1 otherwise.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from typing import Any

import httpx

from bench import live, procs
from bench.loadgen import ensure_wrk, run_load

MAX_SOAK_S = 3600
#: Limits the guest load would trip, raised (every limit stays on and counted).
GUEST_LIMITS = ("org_sessions_per_second", "ws_configure_per_minute")
#: Bounds the guest load (about 70 guests and 14 seed sessions and refresh tokens a second) fills
#: within the first minute or two, so most of the run is spent at the plateau.
SOAK_RETENTION = {
    "guest_sessions": 2000,
    "conversations": 2000,
    "messages": 5000,
    "refresh_tokens": 1000,
    "seed_sessions": 2000,
}
#: Mock-clock seconds added after each chunk, so a 300 s seed-dialect session expires after about
#: 75 s of the run: they stay near 1,000, under their bound, kept there by time alone.
CLOCK_STEP = 30.0
#: RSS before this (or a fifth of a shorter run) is the fill; the verdict is on what comes after.
SETTLE_S = 120.0
#: The steepest RSS slope over the plateau that still counts as flat.
FLAT_MIB_PER_MIN = 1.0


def run(seconds: float = 60.0, chunk: float = 10.0, connections: int = 32, install_wrk: bool = True) -> dict[str, Any]:
    """Load one `mockgenesys serve` for ``seconds``; RSS and req/s per chunk."""
    if not 0 < seconds <= MAX_SOAK_S:
        raise ValueError(f"A soak lasts 0 < seconds <= {MAX_SOAK_S}; got {seconds}.")
    wrk = ensure_wrk(install=install_wrk)
    facts = live._world_facts()
    raised = [arg for name in GUEST_LIMITS for arg in ("--limit", f"{name}={live.HIGH}")]
    bounded = [arg for name, bound in SOAK_RETENTION.items() for arg in ("--retention", f"{name}={bound}")]
    started = live._start([*live._servers_mock_only(), *raised, *bounded], facts)
    admin = httpx.Client(base_url=started.url + "/__admin", timeout=30)
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
            if n % 2:  # a new token for each history chunk: the moved clock ends the old one's window,
                # and a token chunk pushes out an idle token (its holder would log in again, as here)
                workloads = live._workloads(facts, live._probe(started.port, facts))
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
            admin.post("/clock/advance", json={"seconds": CLOCK_STEP}).raise_for_status()
        out, err = guests.communicate(timeout=120)
        found = re.search(r"^GUEST_RESULT (\{.*\})$", out, re.M)
        guest_counts: dict[str, Any] = json.loads(found.group(1)) if found else {"error": err.strip()[-300:]}
        stores: dict[str, Any] = admin.get("/retention").json()
    finally:
        admin.close()
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
        "stores": stores,
        "plateau": plateau(samples, min(SETTLE_S, seconds / 5), stores),
    }


def slope_per_min(points: list[tuple[float, float]]) -> float:
    """The least-squares slope of ``(seconds, MiB)`` points, in MiB per minute (0 for fewer than two)."""
    if len(points) < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / len(points)
    mean_m = sum(m for _, m in points) / len(points)
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    return 60.0 * sum((t - mean_t) * (m - mean_m) for t, m in points) / spread if spread else 0.0


def plateau(samples: list[dict[str, Any]], settle: float, stores: dict[str, Any]) -> dict[str, Any]:
    """RSS after ``settle`` seconds: start, end, max, slope, and whether it is flat with every store
    within its bound."""
    points = [(s["t"], s["rss_mib"]) for s in samples if s["t"] >= settle]
    over = {name: size for name, size in stores["sizes"].items() if size > stores["bounds"][name]}
    slope = slope_per_min(points)
    return {
        "from_s": settle,
        "samples": len(points),
        "start_mib": points[0][1] if points else 0.0,
        "end_mib": points[-1][1] if points else 0.0,
        "max_mib": max((m for _, m in points), default=0.0),
        "slope_mib_per_min": slope,
        "over_bound": over,
        "flat": len(points) >= 3 and abs(slope) < FLAT_MIB_PER_MIN and not over,
    }


def verdict(result: dict[str, Any]) -> str:
    """One line: flat or not, the slope and the threshold, the stores over their bounds."""
    p = result["plateau"]
    word = "FLAT" if p["flat"] else "NOT FLAT"
    over = f"; over their bound: {p['over_bound']}" if p["over_bound"] else ""
    few = "; too few samples after the fill (run longer)" if p["samples"] < 3 else ""
    return (
        f"soak verdict: {word}: RSS slope {p['slope_mib_per_min']:+.2f} MiB/min from t={p['from_s']:.0f}s "
        f"(|slope| < {FLAT_MIB_PER_MIN:g} is flat; {p['samples']} samples){over}{few}"
    )


def table(result: dict[str, Any]) -> str:
    r = result
    g = r.get("guests", {})
    p = r["plateau"]
    sizes, bounds = r["stores"]["sizes"], r["stores"]["bounds"]
    stores = ", ".join(f"{name} {size:,} / {bounds[name]:,}" for name, size in sizes.items())
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
            "",
            "| plateau from s | RSS start | RSS end | RSS max | slope MiB/min | stores at the end (size / bound) |",
            "|---:|---:|---:|---:|---:|---|",
            f"| {p['from_s']:.0f} | {p['start_mib']:.1f} | {p['end_mib']:.1f} | {p['max_mib']:.1f} "
            f"| {p['slope_mib_per_min']:+.2f} | {stores} |",
            "",
            verdict(r),
        ]
    )
