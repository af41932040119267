from __future__ import annotations

import json

import httpx
import pytest

from mockgenesys import MockGenesys, SystemClock, VirtualClock
from mockgenesys.dashboard import clock_view, faults_view, limits_view, views, world_view
from mockgenesys.journal import fingerprint

BASE = "https://api.mypurecloud.com"


def _history(mock: MockGenesys, http: httpx.Client, token: str, times: int) -> list[int]:
    conversation = next(iter(mock.world.conversations))
    url = f"/api/v2/conversations/messaging/{conversation}/messages"
    return [http.get(url, headers={"Authorization": f"Bearer {token}"}).status_code for _ in range(times)]


def test_limits_view_reports_the_remaining_budget_and_names_tokens_by_fingerprint() -> None:
    mock = MockGenesys(seed=7, clock=VirtualClock(), limits={"org_history_per_second": 3})
    token = mock.issue_token()
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        assert _history(mock, http, token, 4) == [200, 200, 200, 429]
    view = limits_view(mock)
    assert view["limits"]["org_history_per_second"] == 3
    by_name = {w["name"]: w for w in view["windows"]}
    assert by_name["org_history"] == {
        "name": "org_history",
        "key": mock.org_id,
        "limit": 3,
        "period": 1.0,
        "used": 3,
        "remaining": 0,
        "resetIn": 1,
    }
    assert by_name["token"]["key"] == fingerprint(token) and by_name["token"]["remaining"] == 300 - 4
    assert view["windows"][0]["name"] == "org_history"  # the tightest first
    assert token not in json.dumps(view)


def test_limits_view_leaves_out_ended_windows(mock: MockGenesys, http: httpx.Client) -> None:
    _history(mock, http, mock.issue_token(), 1)
    # one page counts against the token's window, the org + OAuth client's and the org's history limit
    assert sorted(w["name"] for w in limits_view(mock)["windows"]) == ["app", "org_history", "token"]
    mock.clock.advance(61)
    assert limits_view(mock) == {"limits": mock.limits.to_dict(), "running": 0, "windows": []}


def test_limits_view_caps_the_windows_it_reports(mock: MockGenesys, monkeypatch: pytest.MonkeyPatch) -> None:
    limiter = mock.server.limiter
    for n in range(12):
        limiter.window("ws_messages", f"session-{n}", 2, 1.0, mock.clock.now()).hit(mock.clock.now())
    monkeypatch.setattr(views, "MAX_WINDOWS", 5)
    view = limits_view(mock)
    assert view["running"] == 12 and len(view["windows"]) == 5


def test_clock_view_shows_a_wall_clocks_offset() -> None:
    wall = MockGenesys(seed=1, clock=SystemClock())
    wall.clock.advance(3600)
    view = clock_view(wall)
    assert view["virtual"] is False and view["offset"] == 3600
    virtual = clock_view(MockGenesys(seed=1, clock=VirtualClock()))
    assert virtual["virtual"] is True and virtual["iso"] == "2026-01-01T00:00:00.000Z"


def test_faults_view_counts_matches_and_firings(mock: MockGenesys, http: httpx.Client) -> None:
    mock.add_fault({"match": {"endpoint": "oauth.token"}, "when": {"times": 1}, "then": {"status": 503}})
    for _ in range(2):
        http.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=(mock.client_id, mock.client_secret))
    (rule,) = faults_view(mock)
    assert rule["id"] == "rule-1" and rule["then"] == {"status": 503} and rule["stats"] == {"matches": 2, "fired": 1}


async def test_world_view_holds_no_secret_and_counts_connections(mock: MockGenesys) -> None:
    async with mock.connect_guest() as guest:
        await guest.send(
            json.dumps({"action": "configureSession", "deploymentId": mock.deployment_id, "token": "tok-1"})
        )
        await guest.recv()
        view = world_view(mock)
    text = json.dumps(view)
    assert "tok-1" not in text and mock.client_secret not in text
    (session,) = view["guestSessions"]
    assert session["principal"] == fingerprint("tok-1") and session["connections"] == 1
    assert view["totals"] == {"conversations": 6, "guestSessions": 1, "contacts": 40}
    assert view["clients"][0]["id"] == mock.client_id and view["deployments"][0]["id"] == mock.deployment_id
    newest = view["conversations"][0]
    assert newest["id"] == session["conversationId"] and newest["participants"][0]["purpose"] == "customer"


def test_world_view_caps_messages_and_keeps_the_newest(mock: MockGenesys) -> None:
    conversation = mock.add_conversation(messages=[f"message {n}" for n in range(views.MAX_MESSAGES + 5)])
    shown = world_view(mock)["conversations"][0]
    assert shown["id"] == conversation.id and shown["messageCount"] == views.MAX_MESSAGES + 5
    assert len(shown["messages"]) == views.MAX_MESSAGES and shown["messages"][-1]["text"] == "message 54"
