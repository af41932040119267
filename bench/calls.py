"""Per-call cost of the mock's own work: ``Server.handle`` and ``GuestHub.receive``, without httpx.

`python -m bench.calls [--n N] [--rounds R]` times each call on CPU time (``time.process_time``),
which a busy machine disturbs far less than wall time, and reports the best round in
microseconds per call: a token call (Basic credentials), a 25-message history page (bearer
token), a guest's message page (guest JWT) and a guest ``onMessage`` frame, each with no fault
rules and with the 100 realistic never-firing rules of ``bench.faults``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import time
from collections.abc import Callable

from bench.faults import _rules
from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.server import MockRequest
from mockgenesys.world.generate import DEFAULT_CONTACTS, DEFAULT_CONVERSATIONS

RequestFactory = Callable[[], MockRequest]


def _requests(mock: MockGenesys) -> dict[str, RequestFactory]:
    token = mock.issue_token()
    conversation = next(c for c in mock.world.conversations.values() if len(c.messages) >= 25)
    basic = "Basic " + base64.b64encode(f"{mock.client_id}:{mock.client_secret}".encode()).decode()
    jwt = mock.guest_jwt(conversation.id)
    form = {"authorization": basic, "content-type": "application/x-www-form-urlencoded"}
    history = f"/api/v2/conversations/messaging/{conversation.id}/messages"
    return {
        "token": lambda: MockRequest("POST", "/oauth/token", "", form, b"grant_type=client_credentials"),
        "history": lambda: MockRequest("GET", history, "pageSize=25", {"authorization": f"Bearer {token}"}, b""),
        "guest history": lambda: MockRequest(
            "GET", "/api/v2/webmessaging/messages", "pageSize=25", {"authorization": f"Bearer {jwt}"}, b""
        ),
    }


def _mock(rules: int, *, conversations: int = DEFAULT_CONVERSATIONS, contacts: int = DEFAULT_CONTACTS) -> MockGenesys:
    mock = MockGenesys(
        seed=7, clock=VirtualClock(), limits={"enabled": False}, conversations=conversations, contacts=contacts
    )
    if rules:
        mock.add_fault(*_rules(rules))
    return mock


def http_costs(rules: int, n: int, rounds: int) -> dict[str, float]:
    """Best-round CPU µs per ``Server.handle`` call, by workload."""
    mock = _mock(rules)
    costs: dict[str, float] = {}
    for name, make in _requests(mock).items():
        best = float("inf")
        for _ in range(rounds):
            batch = [make() for _ in range(n)]
            start = time.process_time()
            for request in batch:
                mock.server.handle(request)
            best = min(best, (time.process_time() - start) / n)
            mock.journal.clear()
        costs[name] = best * 1e6
    return costs


async def _frame_cost(rules: int, n: int, rounds: int) -> float:
    mock = _mock(rules, conversations=0, contacts=0)
    best = float("inf")
    async with mock.connect_guest() as socket:
        await socket.send(json.dumps({"action": "configureSession", "token": "g", "deploymentId": mock.deployment_id}))
        socket.pending()
        for round_no in range(rounds):
            frames = [
                json.dumps(
                    {"action": "onMessage", "token": "g", "message": {"type": "Text", "text": f"{round_no}-{i}"}}
                )
                for i in range(n)
            ]
            start = time.process_time()
            for frame in frames:
                mock.hub.receive(socket.connection, frame)
            best = min(best, (time.process_time() - start) / n)
            socket.pending()
            mock.journal.clear()
    return best * 1e6


def run(n: int = 2000, rounds: int = 15) -> list[dict[str, object]]:
    """One row per (workload, installed rules): CPU µs per call, best of ``rounds``."""
    rows: list[dict[str, object]] = []
    for rules in (0, 100):
        costs = http_costs(rules, n, rounds)
        costs["guest onMessage frame"] = asyncio.run(_frame_cost(rules, n, rounds))
        rows += [{"workload": name, "rules": rules, "us_per_call": round(cost, 2)} for name, cost in costs.items()]
    return rows


def table(rows: list[dict[str, object]]) -> str:
    """The rows as a Markdown table."""
    lines = ["| workload | installed rules | CPU µs per call |", "|---|---:|---:|"]
    lines += [f"| {r['workload']} | {r['rules']} | {r['us_per_call']} |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=2000, help="calls per round (default 2000)")
    parser.add_argument("--rounds", type=int, default=15, help="rounds; the best is reported (default 15)")
    args = parser.parse_args()
    print(table(run(n=args.n, rounds=args.rounds)))


if __name__ == "__main__":
    main()
