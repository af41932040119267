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


def workloads(mock: MockGenesys) -> dict[str, dict[str, Any]]:
    """The two measured requests as ``httpx.Client.request`` keyword arguments: a token call and a 25-message page."""
    token = mock.issue_token()
    conversation_id = next(c.id for c in mock.world.conversations.values() if len(c.messages) >= 25)
    return {
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


def _setup() -> tuple[MockGenesys, dict[str, Any]]:
    mock = MockGenesys(seed=7, limits={"enabled": False})
    return mock, workloads(mock)


def _static_handler(mock: MockGenesys, specs: dict[str, Any]) -> Callable[[httpx.Request], httpx.Response]:
    """An httpx.MockTransport handler replaying the mock's own answers, pre-computed: the same
    status, headers (correlation id, rate-limit and cache headers) and body, so httpx does the
    same client-side work on both (its cookie and header handling grows with the header count)."""
    answers: dict[str, tuple[int, list[tuple[bytes, bytes]], bytes]] = {}
    with httpx.Client(transport=mock.transport(), base_url=BASE) as client:
        for spec in specs.values():
            response = client.request(**_fresh(mock, spec))
            _check(response)
            headers = [(k, v) for k, v in response.headers.raw if k.lower() != b"content-length"]
            answers[spec["url"]] = (response.status_code, headers, response.content)

    def handler(request: httpx.Request) -> httpx.Response:
        status, headers, body = answers[request.url.path]
        return httpx.Response(status, headers=headers, content=body)

    return handler


def _fresh(mock: MockGenesys, spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with a newly issued bearer token: the token runs fill the bounded token store, which
    forgets idle tokens first, so the history runs must not rely on a token issued long before."""
    if "headers" not in spec:
        return spec
    return {**spec, "headers": {"Authorization": f"Bearer {mock.issue_token()}"}}


def _check(response: httpx.Response) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.url.path} answered {response.status_code}: {response.text[:200]}")


#: Requests per timed slice. Transports take turns slice by slice, so a machine that speeds up or
#: slows down during a run (a shared VM does, by tens of percent over seconds) weighs on all alike.
SLICE = 250


def _sync_rates(transports: dict[str, Any], spec: dict[str, Any], n: int) -> dict[str, float]:
    clients = {label: httpx.Client(transport=t, base_url=BASE) for label, t in transports.items()}
    spent = dict.fromkeys(clients, 0.0)
    slices = max(1, n // SLICE)
    try:
        for client in clients.values():
            for _ in range(min(200, n)):
                _check(client.request(**spec))
        for _ in range(slices):
            for label, client in clients.items():
                start = time.perf_counter()
                for _ in range(SLICE):
                    client.request(**spec)
                spent[label] += time.perf_counter() - start
        for client in clients.values():
            _check(client.request(**spec))
    finally:
        for client in clients.values():
            client.close()
    return {label: slices * SLICE / seconds for label, seconds in spent.items()}


def _async_rates(transports: dict[str, Any], spec: dict[str, Any], n: int) -> dict[str, float]:
    async def run() -> dict[str, float]:
        clients = {label: httpx.AsyncClient(transport=t, base_url=BASE) for label, t in transports.items()}
        spent = dict.fromkeys(clients, 0.0)
        slices = max(1, n // SLICE)
        try:
            for client in clients.values():
                for _ in range(min(200, n)):
                    _check(await client.request(**spec))
            for _ in range(slices):
                for label, client in clients.items():
                    start = time.perf_counter()
                    for _ in range(SLICE):
                        await client.request(**spec)
                    spent[label] += time.perf_counter() - start
            for client in clients.values():
                _check(await client.request(**spec))
        finally:
            for client in clients.values():
                await client.aclose()
        return {label: slices * SLICE / seconds for label, seconds in spent.items()}

    return asyncio.run(run())


def run(n: int = 3000, rounds: int = 3) -> list[dict[str, Any]]:
    """Median requests/second per (workload, client kind, transport) over rounds; within a round
    the transports take turns every ``SLICE`` requests."""
    mock, specs = _setup()
    handler = _static_handler(mock, specs)
    samples: dict[tuple[str, str, str], list[float]] = {}
    for _ in range(rounds):
        for name, template in specs.items():
            spec = _fresh(mock, template)
            sync = {"mock.transport()": mock.transport(), "httpx.MockTransport": httpx.MockTransport(handler)}
            for label, rate in _sync_rates(sync, spec, n).items():
                samples.setdefault((name, "sync", label), []).append(rate)
            spec = _fresh(mock, template)
            asynchronous = {
                "mock.transport()": mock.transport(),
                "httpx.ASGITransport": httpx.ASGITransport(app=mock.app),
                "httpx.MockTransport": httpx.MockTransport(handler),
            }
            for label, rate in _async_rates(asynchronous, spec, n).items():
                samples.setdefault((name, "async", label), []).append(rate)
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
