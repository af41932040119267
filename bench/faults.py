"""Fault-engine overhead: the same in-process requests with 0 and with 100 installed rules."""

from __future__ import annotations

import statistics
import time
from typing import Any

import httpx

from bench.transport import workloads
from mockgenesys import MockGenesys

BASE = "https://api.mypurecloud.com"


def _rules(count: int) -> list[dict[str, Any]]:
    """Realistic rules that never fire on the measured calls: other endpoints, principals, globs."""
    rules: list[dict[str, Any]] = []
    for n in range(count):
        kind = n % 3
        if kind == 0:
            rules.append(
                {"match": {"endpoint": "externalcontacts.search"}, "when": {"times": 1}, "then": {"status": 503}}
            )
        elif kind == 1:
            rules.append(
                {"match": {"endpoint": "guest.ws.*", "principal": f"fp:{n:012x}"}, "then": {"ws": {"drop": True}}}
            )
        else:
            rules.append({"match": {"endpoint": "conversations.*", "principal": f"client-{n}"}, "then": {"delay": 1}})
    return rules


def _rate(mock: MockGenesys, spec: dict[str, Any], n: int) -> float:
    with httpx.Client(transport=mock.transport(), base_url=BASE) as client:
        for _ in range(200):
            client.request(**spec)
        start = time.perf_counter()
        for _ in range(n):
            client.request(**spec)
        return n / (time.perf_counter() - start)


def run(n: int = 3000, rounds: int = 5, rule_count: int = 100) -> list[dict[str, Any]]:
    samples: dict[tuple[str, int], list[float]] = {}
    for _ in range(rounds):
        for rules in (0, rule_count):
            mock = MockGenesys(seed=7, limits={"enabled": False}, faults=_rules(rules))
            specs = workloads(mock)
            for name, spec in specs.items():
                samples.setdefault((name, rules), []).append(_rate(mock, spec, n))
    return [{"workload": w, "rules": r, "req_per_s": statistics.median(v)} for (w, r), v in samples.items()]


def table(rows: list[dict[str, Any]]) -> str:
    base = {r["workload"]: r["req_per_s"] for r in rows if r["rules"] == 0}
    lines = ["| workload | installed rules | req/s | vs no rules |", "|---|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['workload']} | {r['rules']} | {r['req_per_s']:,.0f} | {r['req_per_s'] / base[r['workload']]:.3f}x |"
        )
    return "\n".join(lines)
