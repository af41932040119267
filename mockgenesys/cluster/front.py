"""The front of ``serve --workers N``: worker 0's mock, and ``/__admin`` answering for every worker.

The front process serves worker 0 on the cluster's port; every path but ``/__admin`` goes straight
to its app. An admin request is sent to every worker's own ``/__admin`` (worker 0 in-process, the
others over loopback HTTP, concurrently, with the caller's ``Authorization``) and the answers are
merged by what the endpoint means:

- changes (faults, clock, reset, world load, contacts): done on every worker; the first refusal,
  else worker 0's answer (rule ids agree, since every worker numbers the same rules alike);
- ``GET /world``: worker 0's snapshot with every worker's conversations and sessions added;
  ``GET /journal``: every worker's rows in wall-clock order, ``seq`` made cluster-wide
  (``local × N + worker``, and ``since`` means the same); ``GET /check``: the violations of every
  worker; ``GET /connections``: all sessions; expiring sessions and tokens: the sum;
- a session's or conversation's operation (agent actions, dropping guests, occupying a session):
  the worker that has it;
- ``GET /__admin/workers``: the workers' base URLs. The dashboard (``/__admin/`` and its feed)
  shows worker 0.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from mockgenesys.admin.guard import check_caller
from mockgenesys.admin.inputs import MAX_ADMIN_BODY_BYTES, AdminError
from mockgenesys.admin.openapi import PREFIX
from mockgenesys.server.errors import platform_error
from mockgenesys.server.http import JsonRefused, parse_json

if TYPE_CHECKING:
    from mockgenesys.mock import MockGenesys

ADMIN_TIMEOUT = 60.0
#: Served by worker 0 alone: the dashboard page, its assets, its live feed and its views.
DASHBOARD = re.compile(r"^/(|assets/.*|events|limits|world/summary)$")
#: Occupations are made on one worker and named ``w<worker>-<its name>``.
OCCUPATION = "/guests/occupy/"
Merge = Callable[[list[httpx.Response]], Response]


class ClusterFront:
    """The ASGI app of the front: ``/__admin`` for the whole cluster, everything else worker 0's."""

    def __init__(self, front: MockGenesys, peers: Sequence[str]) -> None:
        self.front = front
        self.peers = list(peers)
        self.urls: list[str] = []  # every worker's base URL, worker 0 first (set once the front is bound)
        self.clients = [
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=front.app), base_url="http://worker-0", timeout=ADMIN_TIMEOUT
            ),
            *(httpx.AsyncClient(base_url=url, timeout=ADMIN_TIMEOUT) for url in self.peers),
        ]

    @property
    def state(self) -> Any:
        """Worker 0's app state: the server's shutdown tells the dashboard's feed through it."""
        return self.front.app.state

    @property
    def size(self) -> int:
        return len(self.clients)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(PREFIX + "/") or DASHBOARD.match(path[len(PREFIX) :]):
            await self.front.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self._admin(request, path[len(PREFIX) :])
        except httpx.HTTPError as exc:  # a worker is gone or stuck: say so in Genesys shape
            message = f"A worker did not answer ({type(exc).__name__}); the cluster may be shutting down."
            response = _error(502, "bad.gateway", message)
        except Exception as exc:  # a bug in the front: keep it for the test, answer like Genesys
            self.front.server.state.record_error(exc)
            response = _error(500, "internal.server.error", "The cluster's admin front failed.")
        await response(scope, receive, send)

    async def _admin(self, request: Request, path: str) -> Response:
        try:  # the workers check the token again; /workers is the front's own answer
            check_caller(self.front, request)
        except AdminError as exc:
            return _error(exc.status, exc.code or "not.authorized", str(exc))
        method = request.method
        if (method, path) == ("GET", "/workers"):
            return _json({"workers": [{"index": i, "base_url": url} for i, url in enumerate(self.urls)]})
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_ADMIN_BODY_BYTES:
                message = f"The request is over the size limit. Maximum bytes: {MAX_ADMIN_BODY_BYTES}"
                return _error(413, "request.entity.too.large", message)
        return await self._route(request, path, bytes(body))

    async def _route(self, request: Request, path: str, body: bytes) -> Response:
        method = request.method
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("authorization", "content-type")}
        query = dict(request.query_params)
        if (method, path) == ("GET", "/journal"):
            return await self._journal(headers, query)
        if (method, path) == ("POST", "/guests/drop"):
            return await self._drop(headers, body)
        if (method, path) == ("POST", "/guests/occupy"):
            return await self._occupy(headers, body)
        if method == "DELETE" and path.startswith(OCCUPATION):
            return await self._release(headers, path[len(OCCUPATION) :])
        if (method, path) == ("POST", "/world/conversations"):
            return _relay(await self._one(0, method, path, headers, query, body))
        answers = await self._all(method, path, headers, query, body)
        return _merge_for(method, path)(answers)

    # ------------------------------------------------------------------ fan-out
    async def _one(
        self, worker: int, method: str, path: str, headers: dict[str, str], query: dict[str, Any], body: bytes = b""
    ) -> httpx.Response:
        return await self.clients[worker].request(method, PREFIX + path, headers=headers, params=query, content=body)

    async def _all(
        self, method: str, path: str, headers: dict[str, str], query: dict[str, Any], body: bytes = b""
    ) -> list[httpx.Response]:
        calls: list[Awaitable[httpx.Response]] = [
            self._one(i, method, path, headers, query, body) for i in range(self.size)
        ]
        return list(await asyncio.gather(*calls))

    async def _journal(self, headers: dict[str, str], query: dict[str, Any]) -> Response:
        try:
            since = int(query.get("since", 0))
        except ValueError:
            since = 0  # worker 0 answers the bad value with its own 400 below
        answers = await asyncio.gather(
            *(
                self._one(i, "GET", "/journal", headers, {**query, "since": max(0, (since - i) // self.size)})
                for i in range(self.size)
            )
        )
        refused = next((a for a in answers if a.status_code != 200), None)
        if refused is not None:
            return _relay(refused)
        rows = []
        for worker, answer in enumerate(answers):
            for line in answer.text.splitlines():
                if line.strip():
                    row = json.loads(line)
                    row["seq"] = row["seq"] * self.size + worker
                    rows.append(row)
        rows.sort(key=lambda row: (row.get("wall", 0.0), row["seq"]))
        text = "".join(json.dumps(row, separators=(",", ":")) + "\n" for row in rows)
        return Response(text, media_type="application/x-ndjson")

    async def _drop(self, headers: dict[str, str], body: bytes) -> Response:
        try:
            sessions = parse_json(body).get("sessions")
        except (JsonRefused, AttributeError):
            sessions = None
        if not isinstance(sessions, list) or not all(isinstance(s, str) for s in sessions):
            return _relay(await self._one(0, "POST", "/guests/drop", headers, {}, body))  # its own 400
        owners: dict[int, list[str]] = {}
        connections = await self._all("GET", "/connections", headers, {})
        placed = set()
        for worker, answer in enumerate(connections):
            if answer.status_code != 200:
                return _relay(answer)
            mine = [s for s in sessions if s in answer.json()["sessions"]]
            owners.setdefault(worker, []).extend(mine)
            placed.update(mine)
        rest = [s for s in sessions if s not in placed]
        if rest:  # sessions without an open socket: found in the worlds, nothing to drop
            worlds = await self._all("GET", "/world", headers, {})
            known = {g["id"] for w in worlds if w.status_code == 200 for g in w.json().get("guest_sessions", [])}
            unknown = sorted(set(rest) - known)
            if unknown:
                names = ", ".join(map(repr, unknown))
                return _error(404, "not.found", f"No guest session {names}; GET /__admin/world lists them.")
        dropped = 0
        for worker, mine in owners.items():
            if mine:
                answer = await self._one(
                    worker, "POST", "/guests/drop", headers, {}, json.dumps({"sessions": mine}).encode()
                )
                if answer.status_code != 200:
                    return _relay(answer)
                dropped += int(answer.json()["dropped"])
        return _json({"dropped": dropped})

    async def _occupy(self, headers: dict[str, str], body: bytes) -> Response:
        """On the worker that holds the session's socket (else worker 0); the occupation's name
        says which worker, so releasing it reaches the same one."""
        try:
            session = parse_json(body).get("session")
        except (JsonRefused, AttributeError):
            session = None
        worker = 0
        if isinstance(session, str):
            connections = await self._all("GET", "/connections", headers, {})
            worker = next(
                (i for i, a in enumerate(connections) if a.status_code == 200 and session in a.json()["sessions"]), 0
            )
        answer = await self._one(worker, "POST", "/guests/occupy", headers, {}, body)
        if answer.status_code != 201:
            return _relay(answer)
        made = answer.json()
        return _json({**made, "occupation": f"w{worker}-{made['occupation']}"}, 201)

    async def _release(self, headers: dict[str, str], name: str) -> Response:
        found = re.fullmatch(r"w(\d{1,4})-(.+)", name, re.DOTALL)
        if found is None or int(found[1]) >= self.size:
            return _error(404, "not.found", f"No occupation {name[:80]!r} (released already, or never made).")
        worker, local = int(found[1]), found[2]
        return _relay(await self._one(worker, "DELETE", OCCUPATION + local, headers, {}))

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()


# ---------------------------------------------------------------------- merging answers
def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, separators=(",", ":")), status_code=status, media_type="application/json")


def _error(status: int, code: str, message: str) -> Response:
    error = platform_error(status, code, message, "cluster")
    return Response(error.body, status_code=status, media_type="application/json")


def _relay(answer: httpx.Response) -> Response:
    headers = {k: v for k, v in answer.headers.items() if k.lower() in ("inin-correlation-id", "content-type")}
    return Response(answer.content, status_code=answer.status_code, headers=headers)


def _first_refusal(answers: list[httpx.Response]) -> Response:
    """Done everywhere: the first refusal, else worker 0's answer."""
    refused = next((a for a in answers if a.status_code >= 400), None)
    return _relay(refused if refused is not None else answers[0])


def _owner(answers: list[httpx.Response]) -> Response:
    """A conversation's or session's operation: the answer of the worker that has it (else worker 0's 404)."""
    found = next((a for a in answers if a.status_code != 404), None)
    return _relay(found if found is not None else answers[0])


def _sum(key: str) -> Merge:
    def merge(answers: list[httpx.Response]) -> Response:
        ok = [a for a in answers if a.status_code == 200]
        if not ok:
            return _relay(answers[0])
        return _json({key: sum(int(a.json()[key]) for a in ok)})

    return merge


def _ok_json(merge: Callable[[list[Any]], Any]) -> Merge:
    def merged(answers: list[httpx.Response]) -> Response:
        refused = next((a for a in answers if a.status_code != 200), None)
        return _relay(refused) if refused is not None else _json(merge([a.json() for a in answers]))

    return merged


def merge_worlds(worlds: list[dict[str, Any]]) -> dict[str, Any]:
    """Worker 0's snapshot with the conversations and sessions only other workers hold."""
    merged = dict(worlds[0])
    for key in ("conversations", "guest_sessions", "seed_sessions"):
        seen = {item["id"] for item in merged.get(key, [])}
        items = list(merged.get(key, []))
        for world in worlds[1:]:
            items += [item for item in world.get(key, []) if item["id"] not in seen]
            seen.update(item["id"] for item in world.get(key, []))
        merged[key] = items
    return merged


def merge_checks(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Every worker's conformance findings (each worker grades the clients it served)."""
    violations = [v for r in reports for v in r["violations"]]
    return {
        "ok": not violations,
        "checked": sum(int(r["checked"]) for r in reports),
        "violations": violations,
        "notices": [n for r in reports for n in r["notices"]],
    }


def _merge_for(method: str, path: str) -> Merge:
    if method == "GET":
        if path == "/world":
            return _ok_json(merge_worlds)
        if path == "/check":
            return _ok_json(merge_checks)
        if path == "/connections":
            return _ok_json(lambda answers: {"sessions": {k: v for a in answers for k, v in a["sessions"].items()}})
        return _owner if path.startswith("/agent/") else _first_refusal
    if path.startswith("/agent/"):
        return _owner
    if path == "/world/expire-sessions":
        return _sum("expired")
    if path == "/world/expire-tokens":
        return _sum("expired")
    return _first_refusal
