"""Chaos runner: the whole scenario library at 100 guests each, and how far one process scales.

``run()`` returns the library rows and the scale rows; ``table()`` formats them for
``docs/benchmarks.md``. Guests are the client core (``CoreGuestAdapter``), in-process on a
``SimClock``. Memory is the peak traced by ``tracemalloc`` during one run (Python objects only).
"""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

from mockgenesys.chaos import Scenario, builtin_scenarios, run_scenario

SCALE_GUESTS = (100, 500, 1000, 2000)


def _library(guests: int) -> dict[str, Any]:
    rows = []
    started = time.perf_counter()
    for scenario in builtin_scenarios():
        result = run_scenario(scenario, guests=guests)
        metrics = result.metrics
        rows.append(
            {
                "scenario": scenario.name,
                "passed": result.passed,
                "wall_s": round(result.wall_seconds, 2),
                "virtual_s": metrics["virtual_seconds"],
                "requests": metrics["requests"],
                "messages": metrics["messages"]["stored"],
            }
        )
    return {"guests": guests, "rows": rows, "total_wall_s": round(time.perf_counter() - started, 2)}


def _scale(guests: int, messages: int = 20) -> dict[str, Any]:
    scenario = Scenario.from_dict(
        {
            "name": "scale",
            "guests": guests,
            "workload": {"messages": messages, "pacing": 1.0, "start_spread": 1.0, "restore_every": 10},
            "world": {"limits": {"enabled": False}},
            "limits": {"max_wall_seconds": 600},
            "invariants": ["no_lost_message", "no_duplicate", "order_kept"],
        }
    )
    tracemalloc.start()
    started = time.perf_counter()
    result = run_scenario(scenario)
    wall = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    stored = result.metrics["messages"]["stored"]
    return {
        "guests": guests,
        "passed": result.passed,
        "messages": stored,
        "requests": result.metrics["requests"],
        "wall_s": round(wall, 2),
        "messages_per_s": round(stored / wall),
        "requests_per_s": round(result.metrics["requests"] / wall),
        "peak_mib": round(peak / 2**20, 1),
        "kib_per_guest": round(peak / guests / 1024, 1),
    }


def run(guests: int = 100, scale: tuple[int, ...] = SCALE_GUESTS) -> dict[str, Any]:
    """The library at ``guests`` guests each, then one scale run per entry of ``scale``."""
    return {"library": _library(guests), "scale": [_scale(n) for n in scale]}


def table(result: dict[str, Any]) -> str:
    """Markdown tables of ``run()``'s result."""
    library = result["library"]
    lines = [
        f"Whole library, {library['guests']} guests per scenario: {library['total_wall_s']} s wall in total.",
        "",
        "| scenario | verdict | wall s | virtual s | requests | messages stored |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in library["rows"]:
        verdict = "pass" if row["passed"] else "FAIL"
        lines.append(
            f"| {row['scenario']} | {verdict} | {row['wall_s']} | {row['virtual_s']} | {row['requests']} | {row['messages']} |"
        )
    lines += [
        "",
        "| guests | messages | requests | wall s | messages/s | requests/s | peak MiB | KiB/guest |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["scale"]:
        lines.append(
            f"| {row['guests']} | {row['messages']} | {row['requests']} | {row['wall_s']} | {row['messages_per_s']} "
            f"| {row['requests_per_s']} | {row['peak_mib']} | {row['kib_per_guest']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run()))
