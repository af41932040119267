"""The guest side of the soak: a child process that keeps guests coming to a live mock.

Each round one new guest connects, configures a session of its own (a new session and
conversation), sends two messages with metadata, asks for a JWT and leaves; every fifth round
also creates a seed-dialect session and exchanges an OAuth code for a refresh token. Several
rounds run at once. At the end it prints one ``GUEST_RESULT {json}`` line with its counts.

    python -m bench.guestload URL SECONDS [CONCURRENCY]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from mockgenesys import MockGenesys
from mockgenesys.world.generate import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

MAX_SECONDS = 3600


async def _guest(ws_url: str, deployment: str, n: int, counts: Counter[str]) -> None:
    token = f"soak-guest-{n:09d}-" + "t" * 20
    try:
        async with connect(ws_url, open_timeout=10) as ws:
            await ws.send(json.dumps({"action": "configureSession", "token": token, "deploymentId": deployment}))
            await asyncio.wait_for(ws.recv(), 10)
            for k in range(2):
                message = {
                    "type": "Text",
                    "text": f"soak {n} {k} " + "x" * 200,
                    "metadata": {"id": f"{n}-{k}", "k": "v" * 500},
                }
                await ws.send(
                    json.dumps({"action": "onMessage", "token": token, "tracingId": f"{n}-{k}", "message": message})
                )
                await asyncio.wait_for(ws.recv(), 10)
            await ws.send(json.dumps({"action": "getJwt", "token": token}))
            await asyncio.wait_for(ws.recv(), 10)
        counts["guests"] += 1
    except (OSError, TimeoutError, ConnectionClosed) as exc:
        counts[f"guest_error_{type(exc).__name__}"] += 1


async def _rest(http: httpx.AsyncClient, org: str, deployment: str, bearer: str, counts: Counter[str]) -> None:
    created = await http.post(
        f"/api/v2/webmessaging/organizations/{org}/sessions",
        json={"channel": "web", "expirationSeconds": 300, "metadata": {"k": "v" * 200}},
        headers={"authorization": f"Bearer {bearer}"},
    )
    exchanged = await http.post(
        "/api/v2/webdeployments/token/oauthcodegrantjwtexchange",
        json={"deploymentId": deployment, "oauth": {"code": "soak", "redirectUri": "https://x"}},
    )
    for answer in (created, exchanged):
        counts["rest_ok" if answer.status_code == 200 else f"rest_{answer.status_code}"] += 1


async def run(url: str, seconds: float, concurrency: int = 8) -> dict[str, Any]:
    """Guests for ``seconds``; the counts by outcome."""
    world = MockGenesys(seed=0).world  # `serve --seed 0` serves this world
    org, deployment = world.default_org.id, world.default_deployment.id
    ws_url = url.replace("http://", "ws://") + f"/v1?deploymentId={deployment}"
    counts: Counter[str] = Counter()
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        form = {"grant_type": "client_credentials"}
        bearer = (await http.post("/oauth/token", data=form, auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET))).json()[
            "access_token"
        ]
        n = 0

        async def lane(lane_id: int) -> None:
            nonlocal n
            while time.monotonic() < deadline:
                n += 1
                await _guest(ws_url, deployment, n, counts)
                if n % 5 == lane_id % 5:
                    try:
                        await _rest(http, org, deployment, bearer, counts)
                    except httpx.HTTPError as exc:
                        counts[f"rest_error_{type(exc).__name__}"] += 1

        await asyncio.gather(*(lane(k) for k in range(concurrency)))
    return dict(counts)


def main(argv: list[str]) -> int:
    url, seconds = argv[0], float(argv[1])
    concurrency = int(argv[2]) if len(argv) > 2 else 8
    if not 0 < seconds <= MAX_SECONDS:
        raise SystemExit(f"seconds must be in (0, {MAX_SECONDS}]")
    print("GUEST_RESULT " + json.dumps(asyncio.run(run(url, seconds, concurrency))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
