from __future__ import annotations

import httpx
import pytest

from mockgenesys import MockGenesys, VirtualClock

BASE = "https://api.mypurecloud.com"


@pytest.fixture
def mock() -> MockGenesys:
    return MockGenesys(seed=7, clock=VirtualClock())


def client(mock: MockGenesys) -> httpx.Client:
    return httpx.Client(
        transport=mock.transport(), base_url=BASE, headers={"Authorization": f"Bearer {mock.issue_token()}"}
    )


def test_status_with_retry_after_fills_header_and_message(mock: MockGenesys) -> None:
    mock.add_fault(
        {
            "match": {"endpoint": "externalcontacts.search"},
            "when": {"times": 2},
            "then": {"status": 429, "retry_after": 2},
        }
    )
    with client(mock) as http:
        responses = [http.get("/api/v2/externalcontacts/contacts") for _ in range(3)]
    assert [r.status_code for r in responses] == [429, 429, 200]
    first = responses[0]
    assert first.headers["retry-after"] == "2"
    assert first.json()["message"] == "Rate limit exceeded the maximum. Retry the request in [2] seconds"
    assert first.json()["code"] == "too.many.requests.retry.after"
    assert first.json()["contextId"] == first.headers["inin-correlation-id"]
    assert [e.fault for e in mock.journal.calls("externalcontacts.search")] == ["rule-1", "rule-1", None]


def test_custom_status_code_message_headers_and_body(mock: MockGenesys) -> None:
    mock.add_fault({"match": {"endpoint": "organizations.me"}, "then": {"status": 503, "headers": {"X-Test": "yes"}}})
    mock.add_fault({"match": {"endpoint": "oauth.token"}, "then": {"status": 418, "body": {"anything": [1]}}})
    with client(mock) as http:
        down = http.get("/api/v2/organizations/me")
        teapot = http.post("/oauth/token")
    assert down.status_code == 503 and down.json()["code"] == "service.unavailable" and down.headers["x-test"] == "yes"
    assert teapot.status_code == 418 and teapot.json() == {"anything": [1]}


def test_delay_advances_the_virtual_clock(mock: MockGenesys) -> None:
    mock.add_fault({"match": {"endpoint": "organizations.me"}, "then": {"delay": 30}})
    before = mock.clock.now()
    with client(mock) as http:
        assert http.get("/api/v2/organizations/me").status_code == 200
    assert mock.clock.now() - before == 30


def test_lognormal_delays_are_seeded() -> None:
    def delays(seed: int) -> list[float]:
        mock = MockGenesys(seed=seed, clock=VirtualClock())
        mock.add_fault({"then": {"delay": {"lognormal": {"median": 1, "sigma": 1}}}})
        out = []
        with client(mock) as http:
            for _ in range(5):
                before = mock.clock.now()
                http.get("/api/v2/organizations/me")
                out.append(mock.clock.now() - before)
        return out

    assert delays(1) == delays(1) != delays(2)


def test_reset_raises_a_protocol_error_in_process(mock: MockGenesys) -> None:
    mock.add_fault({"match": {"endpoint": "organizations.me"}, "when": {"times": 1}, "then": {"reset": True}})
    with client(mock) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            http.get("/api/v2/organizations/me")
        assert http.get("/api/v2/organizations/me").status_code == 200


async def test_reset_and_delay_with_the_async_transport(mock: MockGenesys) -> None:
    mock.add_fault({"match": {"endpoint": "organizations.me"}, "when": {"times": 1}, "then": {"reset": True}})
    async with httpx.AsyncClient(transport=mock.transport(), base_url=BASE) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get("/api/v2/organizations/me", headers={"Authorization": f"Bearer {mock.issue_token()}"})


def test_empty_and_malformed_bodies(mock: MockGenesys) -> None:
    mock.add_fault({"match": {"endpoint": "organizations.me"}, "when": {"times": 1}, "then": {"empty_body": True}})
    mock.add_fault({"match": {"endpoint": "externalcontacts.search"}, "then": {"malformed_json": True}})
    with client(mock) as http:
        empty = http.get("/api/v2/organizations/me")
        assert empty.status_code == 200 and empty.content == b""
        broken = http.get("/api/v2/externalcontacts/contacts")
    with pytest.raises(ValueError):
        broken.json()


def test_expire_token_makes_the_request_401(mock: MockGenesys) -> None:
    mock.add_fault({"match": {"endpoint": "organizations.me"}, "when": {"times": 1}, "then": {"expire_token": True}})
    with client(mock) as http:
        response = http.get("/api/v2/organizations/me")
        assert response.status_code == 401 and response.json()["code"] == "bad.credentials"
        assert http.get("/api/v2/externalcontacts/contacts").status_code == 401


def test_close_conversation_fault(mock: MockGenesys) -> None:
    conversation_id = next(iter(mock.world.conversations))
    mock.add_fault({"match": {"endpoint": "conversations.get"}, "then": {"close_conversation": True}})
    with client(mock) as http:
        http.get(f"/api/v2/conversations/messages/{conversation_id}")
    assert mock.world.conversations[conversation_id].state == "disconnected"


def test_principal_and_method_matching(mock: MockGenesys) -> None:
    other = mock.world.add_client()
    mock.add_fault({"match": {"principal": other.id, "method": "GET"}, "then": {"status": 500}})
    with client(mock) as http:
        assert http.get("/api/v2/organizations/me").status_code == 200
    token = mock.issue_token(other.id)
    with httpx.Client(transport=mock.transport(), base_url=BASE) as http:
        assert http.get("/api/v2/organizations/me", headers={"Authorization": f"Bearer {token}"}).status_code == 500


def test_faults_given_to_the_constructor(mock: MockGenesys) -> None:
    seeded = MockGenesys(
        seed=1, clock=VirtualClock(), faults=[{"match": {"endpoint": "oauth.token"}, "then": {"status": 503}}]
    )
    with httpx.Client(transport=seeded.transport(), base_url=BASE) as http:
        assert http.post("/oauth/token", data={"grant_type": "client_credentials"}).status_code == 503


def test_window_counts_from_the_mock_start(mock: MockGenesys) -> None:
    mock.add_fault({"match": {"endpoint": "organizations.me"}, "when": {"start": 60}, "then": {"status": 500}})
    with client(mock) as http:
        assert http.get("/api/v2/organizations/me").status_code == 200
        mock.clock.advance(60)
        assert http.get("/api/v2/organizations/me").status_code == 500


@pytest.mark.live
def test_live_reset_and_delay() -> None:
    mock = MockGenesys(seed=7)
    mock.add_fault({"match": {"endpoint": "organizations.me"}, "when": {"times": 1}, "then": {"reset": True}})
    mock.add_fault({"match": {"endpoint": "externalcontacts.search"}, "then": {"delay": 0.2}})
    headers = {"Authorization": f"Bearer {mock.issue_token()}"}
    with mock.serve() as url, httpx.Client(base_url=url, headers=headers) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            http.get("/api/v2/organizations/me")
        assert http.get("/api/v2/organizations/me").status_code == 200
        response = http.get("/api/v2/externalcontacts/contacts")
        assert response.status_code == 200 and response.elapsed.total_seconds() >= 0.2


def test_rules_aimed_at_principals_keep_plan_order(mock: MockGenesys) -> None:
    mock.add_fault(
        {"match": {"endpoint": "organizations.me", "principal": "someone-else"}, "then": {"status": 500}},
        {
            "match": {"endpoint": "organizations.me", "principal": mock.client_id},
            "when": {"times": 1},
            "then": {"status": 503},
        },
        {"match": {"endpoint": "organizations.me"}, "when": {"times": 2}, "then": {"status": 502}},
        {"match": {"endpoint": "organizations.me", "principal": mock.client_id}, "then": {"status": 504}},
    )
    with client(mock) as http:
        statuses = [http.get("/api/v2/organizations/me").status_code for _ in range(5)]
    assert statuses == [503, 502, 502, 504, 504]


async def test_a_rule_aimed_at_a_guest_session_matches_its_rest_calls(mock: MockGenesys) -> None:
    conversation_id = next(iter(mock.world.conversations))
    jwt = mock.guest_jwt(conversation_id)
    session = next(s for s in mock.world.guest_sessions.values() if s.conversation_id == conversation_id)
    mock.add_fault({"match": {"endpoint": "webmessaging.messages", "principal": session.id}, "then": {"status": 503}})
    async with httpx.AsyncClient(transport=mock.transport(), base_url=BASE) as http:
        mine = await http.get("/api/v2/webmessaging/messages", headers={"Authorization": f"Bearer {jwt}"})
        other = await http.get("/api/v2/webmessaging/messages", headers={"Authorization": f"Bearer {mock.guest_jwt()}"})
    assert (mine.status_code, other.status_code) == (503, 200)
