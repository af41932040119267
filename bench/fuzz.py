"""Fuzz one `mockgenesys serve` on loopback: REST, raw HTTP, guest frames and a slowloris, with canaries.

While hostile input flows, a canary client reads ``/api/v2/organizations/me`` and a canary guest
sends messages on its own socket; each canary request must be answered correctly within
``CANARY_TIMEOUT``. Every answer to the fuzz is checked: no 5xx, and every error is Genesys-shaped
(a platform or OAuth JSON body; a ``class: "string"`` or ``TooManyRequestsErrorMessage`` frame;
a close code from ``CLOSE_CODES``). Counts and time are bounded; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from bench import fuzzcases, procs
from bench.fuzzcases import Facts
from mockgenesys import MockGenesys
from mockgenesys.world.generate import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

FORM = "application/x-www-form-urlencoded"
CANARY_TIMEOUT = 2.0
#: Close codes a guest socket may end with: normal, slow reader, too big, flood, restart.
CLOSE_CODES = {1000, 1008, 1009, 4029, 1012}
#: Limits raised so the fuzz reaches the routes; every limit stays on and counted.
LIMITS = {
    "client_per_minute": 1_000_000,
    "token_per_minute": 1_000_000,
    "org_history_per_second": 1_000_000,
    "org_sessions_per_second": 1_000_000,
    "ws_requests_per_minute": 600,
    "ws_messages_per_second": 1_000,
    "ws_configure_per_minute": 1_000,
}
MAX_CASES = 200_000
MAX_FRAMES = 2_000_000


@dataclass
class Tally:
    """What the fuzz saw: counts, problems (a few examples kept) and canary misses."""

    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    canary_latency_ms: list[float] = field(default_factory=list)
    phase: str = "setup"
    canary_max_ms: dict[str, float] = field(default_factory=dict)

    def canary(self, started: float) -> None:
        latency = (time.perf_counter() - started) * 1000
        self.canary_latency_ms.append(latency)
        self.canary_max_ms[self.phase] = round(max(latency, self.canary_max_ms.get(self.phase, 0.0)), 1)

    def problem(self, kind: str, example: str) -> None:
        self.counts[kind] += 1
        if len(self.problems) < 20:
            self.problems.append(f"{kind}: {example[:300]}")


def genesys_shaped(status: int, content_type: str, body: bytes, method: str) -> bool:
    """Whether an HTTP answer is a success or a Genesys platform / OAuth error body."""
    if status < 400:
        return True
    if not content_type.startswith("application/json"):
        return False
    if method == "HEAD" and not body:
        return True
    try:
        data = json.loads(body)
    except ValueError:
        return False
    platform = isinstance(data, dict) and {"message", "code", "status"} <= set(data) and data["status"] == status
    oauth = isinstance(data, dict) and {"error", "description"} <= set(data)
    return platform or oauth


def frame_shaped(text: str | bytes) -> tuple[bool, int]:
    """Whether a server frame is a Genesys envelope, and its code."""
    try:
        data = json.loads(text)
    except ValueError:
        return False, 0
    if not isinstance(data, dict) or data.get("type") not in ("response", "message"):
        return False, 0
    code = data.get("code")
    if not isinstance(code, int) or not isinstance(data.get("class"), str):
        return False, 0
    if code >= 400 and data["class"] not in ("string", "TooManyRequestsErrorMessage", "UploadFailureEvent"):
        return False, code
    return True, code


# ---------------------------------------------------------------------- setup and canaries
def _facts(url: str) -> Facts:
    world = MockGenesys(seed=0).world  # `serve --seed 0` serves this very world
    facts = Facts(
        org_id=world.default_org.id,
        deployment_id=world.default_deployment.id,
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        conversation_ids=list(world.conversations)[:5],
        contact_ids=list(world.contacts)[:5],
    )
    with httpx.Client(base_url=url, timeout=10) as http:
        form = f"grant_type=client_credentials&client_id={facts.client_id}&client_secret={facts.client_secret}"
        facts.token = http.post("/oauth/token", content=form, headers={"content-type": FORM}).json()["access_token"]
        exchanged = http.post(
            "/api/v2/webdeployments/token/oauthcodegrantjwtexchange",
            json={"deploymentId": facts.deployment_id, "oauth": {"code": "fuzz", "redirectUri": "https://x"}},
        ).json()
        facts.guest_jwt, facts.extra["refresh"] = exchanged["jwt"], exchanged["refreshToken"]
        # Ids of the contact-centre side, so its routes are reached past their 404s.
        bearer = {"authorization": f"Bearer {facts.token}"}
        facts.extra["channelId"] = http.post("/api/v2/notifications/channels", headers=bearer).json()["id"]
        integration = http.post(
            "/api/v2/conversations/messaging/integrations/open",
            headers=bearer,
            json={
                "name": "fuzz",
                "outboundNotificationWebhookUrl": "http://127.0.0.1:9/hook",
                "outboundNotificationWebhookSignatureSecretToken": "fuzz-secret-token-0123456789",
            },
        )
        facts.extra["integrationId"] = integration.json().get("id", "x")
        conversation = world.conversations[facts.conversation_ids[0]]
        facts.extra["participantId"] = conversation.participants[0].id if conversation.participants else "x"
    return facts


async def _canary_rest(url: str, token: str, tally: Tally, stop: threading.Event) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=CANARY_TIMEOUT) as http:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                answer = await http.get("/api/v2/organizations/me", headers={"authorization": f"Bearer {token}"})
                ok = answer.status_code == 200
            except httpx.HTTPError as exc:
                ok, answer = False, None
                tally.problem("canary_rest_dropped", repr(exc))
            tally.canary(started)
            tally.counts["canary_rest_ok" if ok else "canary_rest_failed"] += 1
            if not ok and answer is not None:
                tally.problem("canary_rest_failed", f"{answer.status_code} {answer.text[:200]}")
            await asyncio.sleep(0.25)


async def _canary_guest(ws_url: str, deployment: str, tally: Tally, stop: threading.Event) -> None:
    async with connect(ws_url, open_timeout=CANARY_TIMEOUT) as ws:
        configure = {"action": "configureSession", "token": "canary-guest-token", "deploymentId": deployment}
        await ws.send(json.dumps(configure))
        await asyncio.wait_for(ws.recv(), CANARY_TIMEOUT)
        n = 0
        while not stop.is_set():
            n += 1
            tracing = f"canary-{n}"
            message = {"type": "Text", "text": f"canary {n}"}
            started = time.perf_counter()
            try:
                await ws.send(
                    json.dumps(
                        {"action": "onMessage", "token": "canary-guest-token", "tracingId": tracing, "message": message}
                    )
                )
                async with asyncio.timeout(CANARY_TIMEOUT):
                    while json.loads(await ws.recv()).get("tracingId") != tracing:
                        pass
                tally.counts["canary_ws_ok"] += 1
            except (TimeoutError, ConnectionClosed) as exc:
                tally.problem("canary_ws_dropped", repr(exc))
                return
            tally.canary(started)
            await asyncio.sleep(0.5)


# ---------------------------------------------------------------------- fuzz phases
async def _rest(url: str, facts: Facts, cases: int, rng: random.Random, tally: Tally, deadline: float) -> None:
    queue = [fuzzcases.rest_case(rng, facts) for _ in range(cases)]

    async def worker(http: httpx.AsyncClient) -> None:
        while queue and time.monotonic() < deadline:
            case = queue.pop()
            headers = [(name.encode(), value) for name, value in case.headers.items()]
            request = http.build_request(case.method, case.path, headers=headers, content=case.body or None)
            request.url = request.url.copy_with(query=quote(case.query, safe="=&%+").encode("ascii"))
            try:
                answer = await http.send(request)
            except httpx.HTTPError as exc:
                tally.counts["rest_connection_error"] += 1
                tally.problem("rest_connection_error", f"{case.method} {case.path[:80]}: {exc!r}")
                continue
            tally.counts["rest_cases"] += 1
            tally.counts[f"rest_{answer.status_code // 100}xx"] += 1
            if answer.status_code >= 500:
                tally.problem("rest_5xx", f"{case.method} {case.path[:80]} -> {answer.status_code} {answer.text}")
            elif not genesys_shaped(
                answer.status_code, answer.headers.get("content-type", ""), answer.content, case.method
            ):
                tally.problem(
                    "rest_not_genesys", f"{case.method} {case.path[:80]} -> {answer.status_code} {answer.text}"
                )

    async with httpx.AsyncClient(base_url=url, timeout=10, limits=httpx.Limits(max_connections=16)) as http:
        await asyncio.gather(*(worker(http) for _ in range(16)))


async def _raw(host: str, port: int, cases: int, rng: random.Random, tally: Tally) -> None:
    async def one(payload: bytes) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        received = b""
        with contextlib.suppress(ConnectionError, TimeoutError):
            writer.write(payload)
            await writer.drain()
            while chunk := await asyncio.wait_for(reader.read(65536), 0.5):
                received += chunk
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
        tally.counts["raw_cases"] += 1
        for status in re.findall(rb"HTTP/1\.1 (\d{3}) ", received):
            tally.counts[f"raw_{int(status) // 100}xx"] += 1
            if int(status) >= 500:
                tally.problem("raw_5xx", repr(received[:300]))
        if b"text/plain" in received:
            tally.problem("raw_not_genesys", repr(received[:300]))

    for start in range(0, cases, 25):
        await asyncio.gather(*(one(fuzzcases.raw_request(rng)) for _ in range(min(25, cases - start))))


async def _ws(ws_url: str, facts: Facts, frames: int, rng: random.Random, tally: Tally, deadline: float) -> None:
    budget = [frames]

    async def one(n: int) -> None:
        token = f"fuzz-{n}-" + "t" * rng.choice((0, 10, 3000))
        try:
            ws = await connect(ws_url, open_timeout=10, max_size=2**22)
        except (OSError, TimeoutError) as exc:
            tally.problem("ws_connect_failed", repr(exc))
            return

        async def read() -> None:
            with contextlib.suppress(ConnectionClosed):
                async for text in ws:
                    tally.counts["ws_received"] += 1
                    shaped, code = frame_shaped(text)
                    if 500 <= code <= 599:  # Genesys socket errors are 4xx and 4xxx codes
                        tally.problem("ws_5xx", str(text))
                    elif not shaped:
                        tally.problem("ws_not_genesys", str(text))

        reader = asyncio.ensure_future(read())
        sent, answered = 0, tally.counts["ws_received"]
        with contextlib.suppress(ConnectionClosed):
            for _ in range(rng.randint(50, 800)):
                if budget[0] <= 0 or time.monotonic() > deadline:
                    break
                budget[0] -= 1
                await ws.send(fuzzcases.frame(rng, facts, token))
                sent += 1
                tally.counts["ws_frames"] += 1
            quiet = time.monotonic() + 5.0  # let the answers arrive (checked by the reader)
            while not reader.done() and tally.counts["ws_received"] - answered < sent and time.monotonic() < quiet:
                await asyncio.sleep(0.05)
        await ws.close()
        await asyncio.wait_for(reader, 10)
        code = ws.close_code if ws.close_code is not None else 1006
        tally.counts[f"ws_close_{code}"] += 1
        if code not in CLOSE_CODES:
            tally.problem("ws_bad_close", f"{code} {ws.close_reason}")

    n = 0
    while budget[0] > 0 and time.monotonic() < deadline:
        await asyncio.gather(*(one(n + k) for k in range(20)))
        n += 20


async def _slowloris(host: str, port: int, sockets: int, tally: Tally, hold: float) -> None:
    """``sockets`` connections that send a request head one byte a second: when does the server close them?"""
    started = time.monotonic()
    closed_after: list[float] = []

    async def one() -> None:
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError as exc:
            tally.problem("slowloris_connect_failed", repr(exc))
            return
        writer.write(b"GET /api/v2/organizations/me HTTP/1.1\r\nHost: x\r\n")
        try:
            while time.monotonic() - started < hold:
                writer.write(b"X")
                await writer.drain()
                with contextlib.suppress(TimeoutError):
                    data = await asyncio.wait_for(reader.read(4096), 1.0)
                    if data == b"" or b"408" in data:
                        closed_after.append(time.monotonic() - started)
                        return
        except ConnectionError:
            closed_after.append(time.monotonic() - started)
        finally:
            writer.close()

    await asyncio.gather(*(one() for _ in range(sockets)))
    tally.counts["slowloris_sockets"] = sockets
    tally.counts["slowloris_closed_by_server"] = len(closed_after)
    if closed_after:
        tally.counts["slowloris_max_close_s"] = round(max(closed_after))


async def _run(url: str, facts: Facts, args: dict[str, Any], tally: Tally) -> None:
    host, port = procs.HOST, int(url.rsplit(":", 1)[1])
    ws_url = url.replace("http://", "ws://") + f"/v1?deploymentId={facts.deployment_id}"
    stop = threading.Event()

    async def canaries() -> None:
        await asyncio.gather(
            _canary_rest(url, facts.token, tally, stop),
            _canary_guest(ws_url, facts.deployment_id, tally, stop),
            return_exceptions=True,
        )

    # The canaries run on their own thread and loop: their latency is the server's, not the fuzz's.
    canary_thread = threading.Thread(target=asyncio.run, args=(canaries(),), daemon=True)
    canary_thread.start()
    rng = random.Random(args["seed"])
    deadline = time.monotonic() + args["seconds"]
    phases: dict[str, float] = {}
    for name in ("rest", "raw", "ws", "slowloris"):
        began = time.perf_counter()
        tally.phase = name
        print(f"[bench fuzz] {name} ...", file=sys.stderr, flush=True)
        if name == "rest":
            await _rest(url, facts, args["cases"], rng, tally, deadline)
        elif name == "raw":
            await _raw(host, port, args["raw"], rng, tally)
        elif name == "ws":
            await _ws(ws_url, facts, args["frames"], rng, tally, deadline)
        else:
            await _slowloris(host, port, args["slowloris"], tally, args["hold"])
        phases[name] = round(time.perf_counter() - began, 1)
    stop.set()
    await asyncio.to_thread(canary_thread.join, 10)
    tally.counts.update({f"seconds_{name}": int(seconds) for name, seconds in phases.items()})


def run(
    cases: int = 12_000,
    frames: int = 120_000,
    raw: int = 500,
    slowloris: int = 1000,
    hold: float = 20.0,
    seconds: float = 600.0,
    seed: int = 17,
) -> dict[str, Any]:
    """Fuzz a fresh `mockgenesys serve`; the counts, a few example problems and the canary figures."""
    if not (0 < cases <= MAX_CASES and 0 < frames <= MAX_FRAMES and 0 < seconds <= 3600):
        raise ValueError(f"fuzz needs 0 < cases <= {MAX_CASES}, 0 < frames <= {MAX_FRAMES}, 0 < seconds <= 3600.")
    limits = [arg for name, value in LIMITS.items() for arg in ("--limit", f"{name}={value}")]
    cmd = [sys.executable, "-m", "mockgenesys", "serve", "--port", "{port}", "--seed", "0", "--quiet", *limits]
    form = f"grant_type=client_credentials&client_id={DEFAULT_CLIENT_ID}&client_secret={DEFAULT_CLIENT_SECRET}"
    port = procs.free_port()
    started = procs.start(
        [part.replace("{port}", str(port)) for part in cmd],
        port,
        ("POST", "/oauth/token", form, {"content-type": FORM}),
    )
    tally = Tally()
    try:
        rss_start = procs.rss_mib(started.proc.pid)
        facts = _facts(started.url)
        options = {"cases": cases, "frames": frames, "raw": raw, "slowloris": slowloris, "hold": hold}
        asyncio.run(_run(started.url, facts, {**options, "seconds": seconds, "seed": seed}, tally))
        alive = started.proc.poll() is None
        rss_end = procs.rss_mib(started.proc.pid)
    finally:
        procs.stop(started.proc)
    latency = sorted(tally.canary_latency_ms) or [0.0]
    counts = dict(tally.counts)
    return {
        "counts": counts,
        "problems": tally.problems,
        "server_alive": alive,
        "rss_mib": [round(rss_start, 1), round(rss_end, 1)],
        "canary_p50_ms": round(latency[len(latency) // 2], 1),
        "canary_max_ms": round(latency[-1], 1),
        "canary_max_ms_by_phase": tally.canary_max_ms,
        "five_xx": sum(v for k, v in counts.items() if k.endswith("5xx")),
        "not_genesys": sum(v for k, v in counts.items() if k.endswith("not_genesys") or k == "ws_bad_close"),
        "canary_dropped": sum(
            v for k, v in counts.items() if k.startswith("canary") and ("dropped" in k or "failed" in k)
        ),
    }


def table(result: dict[str, Any]) -> str:
    counts = result["counts"]
    return "\n".join(
        [
            "| REST cases | raw HTTP | WS frames | WS connections | 5xx | non-Genesys | canary ok / dropped "
            "| canary p50 / max ms | slowloris closed / sockets (max s) | RSS MiB start → end |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {counts.get('rest_cases', 0):,} | {counts.get('raw_cases', 0):,} | {counts.get('ws_frames', 0):,} "
            f"| {sum(v for k, v in counts.items() if k.startswith('ws_close_')):,} | {result['five_xx']} "
            f"| {result['not_genesys']} "
            f"| {counts.get('canary_rest_ok', 0) + counts.get('canary_ws_ok', 0):,} / {result['canary_dropped']} "
            f"| {result['canary_p50_ms']} / {result['canary_max_ms']} "
            f"| {counts.get('slowloris_closed_by_server', 0)} / {counts.get('slowloris_sockets', 0)} "
            f"({counts.get('slowloris_max_close_s', 0)}) "
            f"| {result['rss_mib'][0]} → {result['rss_mib'][1]} |",
        ]
    )
