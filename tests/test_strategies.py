from __future__ import annotations

import asyncio
import json

import httpx
from hypothesis import given
from hypothesis import strategies as st

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.clock import DEFAULT_EPOCH
from mockgenesys.faults import FaultPlan, FaultRule
from mockgenesys.strategies import (
    MAX_MESSAGE_BYTES,
    clock_advances,
    endpoint_ids,
    fault_plans,
    fault_rule_dicts,
    fault_rules,
    guest_messages,
    http_endpoint_ids,
    ws_endpoint_ids,
)


@given(fault_rule_dicts())
def test_fault_rule_dicts_load_and_round_trip(data: dict[str, object]) -> None:
    rule = FaultRule.from_dict(data)
    assert rule.to_dict() == FaultRule.from_dict(rule.to_dict()).to_dict()
    assert FaultRule.from_dict(rule.to_dict()) == rule


@given(fault_rules(endpoints=["guest.ws.onMessage"]))
def test_fault_rules_for_websocket_endpoints_use_websocket_actions(rule: FaultRule) -> None:
    then = rule.to_dict()["then"]
    assert rule.match.endpoint == "guest.ws.onMessage"
    assert set(then) <= {"ws", "status", "code", "message", "retry_after", "expire_session", "delay"}


@given(endpoint_ids(websocket=False))
def test_endpoint_ids_are_the_mocks_endpoints(endpoint: str) -> None:
    assert endpoint in http_endpoint_ids() and endpoint not in ws_endpoint_ids()


@given(fault_plans(max_rules=4, seed=3))
def test_fault_plans_install_on_a_mock(plan: FaultPlan) -> None:
    assert plan.seed == 3 and len(plan) <= 4
    mock = MockGenesys(seed=1, clock=VirtualClock(), conversations=0, contacts=0)
    installed = mock.add_fault(
        *[FaultRule.from_dict({k: v for k, v in r.items() if k != "id"}) for r in plan.to_list()]
    )
    assert [r.to_dict()["then"] for r in installed] == [r["then"] for r in plan.to_list()]


@given(fault_plans(max_rules=3, endpoints=["organizations.me", "oauth.token"]), st.integers(1, 4))
def test_any_http_fault_plan_answers_without_mock_errors(plan: FaultPlan, calls: int) -> None:
    mock = MockGenesys(seed=2, clock=VirtualClock(), faults=list(plan), conversations=0, contacts=0)
    bearer = {"Authorization": "Bearer " + mock.issue_token()}
    with httpx.Client(transport=mock.transport(), base_url="https://api.mypurecloud.com") as http:
        for _ in range(calls):
            try:
                response = http.get("/api/v2/organizations/me", headers=bearer)
            except httpx.RemoteProtocolError:  # a reset rule fired
                continue
            assert 200 <= response.status_code < 600
    assert mock.server.errors == []
    assert len(mock.journal.calls("organizations.me")) == calls


@given(clock_advances())
def test_clock_advances_are_accepted_by_a_virtual_clock(steps: list[float]) -> None:
    clock = VirtualClock()
    for step in steps:
        clock.advance(step)
    assert clock.now() >= DEFAULT_EPOCH
    assert abs(clock.now() - DEFAULT_EPOCH - sum(steps)) < 1e-6 * max(1.0, sum(steps))


@given(guest_messages(min_size=1, max_size=6))
def test_guest_messages_are_accepted_by_the_guest_websocket(texts: list[str]) -> None:
    assert all(0 < len(text.encode()) <= MAX_MESSAGE_BYTES for text in texts)

    async def send_all() -> list[str]:
        mock = MockGenesys(seed=5, clock=VirtualClock(), limits={"enabled": False}, conversations=0, contacts=0)
        async with mock.connect_guest() as ws:
            await ws.send(json.dumps({"action": "configureSession", "token": "t", "deploymentId": mock.deployment_id}))
            assert json.loads(await ws.recv())["class"] == "SessionResponse"
            echoed = []
            for n, text in enumerate(texts):
                frame = {
                    "action": "onMessage",
                    "token": "t",
                    "tracingId": f"m{n}",
                    "message": {"type": "Text", "text": text},
                }
                await ws.send(json.dumps(frame))
                echo = json.loads(await ws.recv())
                assert echo["tracingId"] == f"m{n}", echo
                echoed.append(echo["body"]["text"])
            return echoed

    assert asyncio.run(send_all()) == texts
