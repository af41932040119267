"""Schemathesis over every REST operation of the simulated Genesys and every ``/__admin`` operation,
in-process (ASGI), seeded: no 5xx, and every answer as the served OpenAPI document declares it
(status, content type, body, headers). docs/openapi.md gives the measured figures."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mockgenesys import MockGenesys
from mockgenesys.server.openapi import DOCS_PATH
from mockgenesys.server.routes import all_routes
from mockgenesys.world.openmessaging import communication_id

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
#: Cases per operation: generated path parameters, the world's real ids, and invalid input (real ids).
BUDGET = {"generated": 20, "known": 25, "negative": 12}


def _settings(cases: int) -> settings:
    return settings(
        max_examples=cases,
        derandomize=True,  # the same cases on every run and machine
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def fuzz(
    schema: Any,
    headers_for: Callable[[str], dict[str, str]],
    known: dict[str, str],
) -> tuple[int, list[str]]:
    """Run every operation of ``schema`` within ``BUDGET``; (cases sent, failure reports)."""
    sent = 0
    failures: list[str] = []
    with asgi.get_client(schema.app) as client:
        for result in schema.get_all_operations():
            operation = result.ok()
            names = {p.name for p in operation.path_parameters}
            fixed = {name: value for name, value in known.items() if name in names}
            runs = [(GenerationMode.POSITIVE, None, BUDGET["generated"])]
            if fixed:
                runs.append((GenerationMode.POSITIVE, fixed, BUDGET["known"]))
            raw = operation.definition.raw
            media = raw.get("requestBody", {}).get("content", {})
            # A raw upload takes any bytes: there is no invalid body to send.
            if set(media) - {"application/octet-stream"} or any(p["in"] == "query" for p in raw.get("parameters", [])):
                runs.append((GenerationMode.NEGATIVE, fixed or None, BUDGET["negative"]))
            for mode, path_parameters, cases in runs:
                strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

                @_settings(cases)
                @given(case=strategy)
                def check(case: Any) -> None:
                    nonlocal sent
                    sent += 1
                    headers = headers_for(case.operation.definition.raw.get("operationId", ""))
                    response = case.call(session=client, headers=headers)
                    case.validate_response(response, checks=CHECKS, headers=headers)

                try:
                    check()
                except Exception as exc:
                    failures.append(f"{operation.label} ({mode.value}): {str(exc)[:1500]}")
    return sent, failures


@pytest.fixture
def rest_mock() -> Iterator[MockGenesys]:
    # No rate limits: thousands of calls on one token would otherwise be mostly 429s.
    yield MockGenesys(seed=17, limits={"enabled": False}, routing_delay=None)


def known_ids(mock: MockGenesys) -> dict[str, str]:
    """Ids of the mock's world, so the cases reach the routes' handlers past ``404 not.found``."""
    conversation = next(c for c in mock.world.conversations.values() if c.participant("agent") is not None)
    agent = conversation.participant("agent")
    assert agent is not None
    with mock.transport() as transport:
        token = mock.issue_token()
        with httpx.Client(transport=transport, base_url="http://testserver") as http:
            auth = {"authorization": f"Bearer {token}"}
            channel = http.post("/api/v2/notifications/channels", headers=auth).json()["id"]
            supported = http.get("/api/v2/conversations/messaging/supportedcontent/default", headers=auth).json()
            session = http.post(
                f"/api/v2/webmessaging/organizations/{mock.org_id}/sessions", headers=auth, json={}
            ).json()["id"]
    return {
        "conversationId": conversation.id,
        "messageId": conversation.messages[0].id,
        "participantId": agent.id,
        "communicationId": communication_id(agent.id),
        "contactId": next(iter(mock.world.contacts)),
        "deploymentId": mock.deployment_id,
        "organizationId": mock.org_id,
        "sessionId": session,
        "queueId": mock.world.queue_of(mock.org_id),
        "channelId": channel,
        "supportedContentId": supported["id"],
    }


def test_schemathesis_rest_operations_give_no_server_error_and_match_the_document(rest_mock: MockGenesys) -> None:
    mock = rest_mock
    known = known_ids(mock)
    auth = {route.endpoint: route.auth for route in all_routes()}
    token = mock.issue_token()
    basic = base64.b64encode(f"{mock.client_id}:{mock.client_secret}".encode()).decode()

    def headers_for(operation_id: str) -> dict[str, str]:
        kind = auth[operation_id]
        if kind in ("oauth", "oauth_or_guest"):
            return {"authorization": f"Bearer {token}"}
        if kind == "guest":  # a new guest each time: a case may revoke its JWT
            return {"authorization": f"Bearer {mock.guest_jwt()}"}
        return {"authorization": f"Basic {basic}"} if operation_id == "oauth.token" else {}

    schema = schemathesis.openapi.from_asgi(DOCS_PATH, mock.app)
    listed = {result.ok().definition.raw["operationId"] for result in schema.get_all_operations()}
    assert listed == set(auth) - {"docs.openapi"}  # every route (schemathesis leaves out the document itself)
    operations = len(listed)
    sent, failures = fuzz(schema, headers_for, known)
    print(f"schemathesis REST: {sent} cases over {operations} operations")
    assert not failures, f"{len(failures)} of {operations} operations failed:\n" + "\n\n".join(failures)
    assert sent >= 2_000


def test_schemathesis_admin_operations_give_no_server_error_and_match_the_document() -> None:
    mock = MockGenesys(seed=17, routing_delay=None)
    known = {"conversation_id": next(iter(mock.world.conversations)), "name": "main.js"}
    schema = schemathesis.openapi.from_asgi("/__admin/openapi.json", mock.app)
    # The live feed streams until the client goes away: it has its own tests (tests/dashboard).
    schema = schema.exclude(path="/__admin/events")
    sent, failures = fuzz(schema, lambda operation_id: {}, known)
    print(f"schemathesis admin: {sent} cases")
    assert not failures, f"{len(failures)} admin operations failed:\n" + "\n\n".join(failures)
    assert sent >= 400
