"""In-process transports on the same requests: mock.transport() vs httpx.ASGITransport vs httpx.MockTransport."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from mockgenesys import MockGenesys

BASE = "https://api.mypurecloud.com"


def _setup() -> tuple[MockGenesys, dict[str, Any]]:
    mock = MockGenesys(seed=7, limits={"enabled": False})
    token = mock.issue_token()
    conversation_id = next(c.id for c in mock.world.conversations.values() if len(c.messages) >= 25)
    workloads = {
        "token": {
            "method": "POST",
            "url": "/oauth/token",
            "data": {"grant_type": "client_credentials"},
            "auth": (mock.client_id, mock.client_secret),
        },
        "history": {
            "method": "GET",
            "url": f"/api/v2/conversations/messaging/{conversation_id}/messages",
            "params": {"pageSize": 25},
            "headers": {"Authorization": f"Bearer {token}"},
        },
    }
    return mock, workloads


def _static_handler(mock: MockGenesys, workloads: dict[str, Any]) -> Callable[[httpx.Request], httpx.Response]:
    """An httpx.MockTransport handler returning the mock's own bodies, pre-computed."""
    with httpx.Client(transport=mock.transport(), base_url=BASE) as client:
        bodies = {spec["url"]: client.request(**spec).content for spec in workloads.values()}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=bodies[request.url.path], headers={"content-type": "application/json"})

    return handler


def _sync_rate(transport: httpx.BaseTransport, spec: dict[str, Any], n: int) -> float:
    with httpx.Client(transport=transport, base_url=BASE) as client:
        for _ in range(min(200, n)):
            client.request(**spec)
        start = time.perf_counter()
        for _ in range(n):
            client.request(**spec)
        return n / (time.perf_counter() - start)


def _async_rate(transport: httpx.AsyncBaseTransport, spec: dict[str, Any], n: int) -> float:
    async def run() -> float:
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            for _ in range(min(200, n)):
                await client.request(**spec)
            start = time.perf_counter()
            for _ in range(n):
                await client.request(**spec)
            return n / (time.perf_counter() - start)

    return asyncio.run(run())


def run(n: int = 3000, rounds: int = 3) -> list[dict[str, Any]]:
    """Median requests/second per (workload, client kind, transport) over interleaved rounds."""
    mock, workloads = _setup()
    handler = _static_handler(mock, workloads)
    samples: dict[tuple[str, str, str], list[float]] = {}
    for _ in range(rounds):
        for name, spec in workloads.items():
            for kind in ("sync", "async"):
                for label in ("mock.transport()", "httpx.ASGITransport", "httpx.MockTransport"):
                    if kind == "sync" and label == "httpx.ASGITransport":
                        continue  # ASGITransport is async-only
                    if label == "mock.transport()":
                        transport: Any = mock.transport()
                    elif label == "httpx.ASGITransport":
                        transport = httpx.ASGITransport(app=mock.app)
                    else:
                        transport = httpx.MockTransport(handler)
                    rate = _sync_rate(transport, spec, n) if kind == "sync" else _async_rate(transport, spec, n)
                    samples.setdefault((name, kind, label), []).append(rate)
    rows = []
    for (name, kind, label), values in samples.items():
        rows.append({"workload": name, "client": kind, "transport": label, "req_per_s": statistics.median(values)})
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| workload | client | transport | req/s | vs ASGITransport | vs httpx.MockTransport |",
        "|---|---|---|---:|---:|---:|",
    ]
    index = {(r["workload"], r["client"], r["transport"]): r["req_per_s"] for r in rows}
    for r in rows:
        asgi = index.get((r["workload"], "async", "httpx.ASGITransport"))
        static = index.get((r["workload"], r["client"], "httpx.MockTransport"))
        ratio_asgi = f"{r['req_per_s'] / asgi:.2f}x" if asgi else "-"
        ratio_static = f"{r['req_per_s'] / static:.2f}x" if static else "-"
        lines.append(
            f"| {r['workload']} | {r['client']} | {r['transport']} | {r['req_per_s']:,.0f} | {ratio_asgi} | {ratio_static} |"
        )
    return "\n".join(lines)
