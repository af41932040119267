"""Hardening of the contact-centre side: strict frames, bounded queues and stores, no secrets leaked."""

from __future__ import annotations

import json

import httpx
import pytest

from mockgenesys import MockGenesys
from mockgenesys.admin import public_snapshot
from mockgenesys.server.notifications import connection
from mockgenesys.server.routes import contactwrites

CHANNELS = "/api/v2/notifications/channels"
CONTACTS = "/api/v2/externalcontacts/contacts"


async def test_notification_socket_answers_deep_json_as_an_invalid_frame(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = http.post(CHANNELS, headers=auth).json()
    async with mock.connect_notifications(made["id"]) as socket:
        await socket.send("[" * 200_000)  # was a RecursionError out of the socket's loop
        await socket.send(json.dumps({"message": "ping"}))
        assert [json.loads(f)["eventBody"]["message"] for f in socket.pending()] == ["pong"]
        assert not socket.connection.closed
    assert [e.status for e in mock.journal.calls("notifications.ws.*", kind="ws.in")] == [400, 200]


async def test_notification_socket_of_a_client_that_never_reads_closes(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connection, "MAX_QUEUED_FRAMES", 5)
    made = http.post(CHANNELS, headers=auth).json()
    async with mock.connect_notifications(made["id"]) as socket:
        for _ in range(6):
            await socket.send(json.dumps({"message": "ping"}))
        conn = socket.connection
        assert conn.closed and conn.close_code == connection.SLOW_READER
        assert conn.queue.qsize() == 1  # the unread frames are let go; only the close is left


def test_contacts_stop_at_their_bound_with_a_genesys_400(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contactwrites, "MAX_CONTACTS", len(mock.world.contacts) + 1)
    assert http.post(CONTACTS, headers=auth, json={"firstName": "Ada"}).status_code == 200
    refused = http.post(CONTACTS, headers=auth, json={"firstName": "Bob"})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid.value"
    assert "delete some first" in refused.json()["message"]
    assert len(mock.world.contacts) == contactwrites.MAX_CONTACTS


def test_admin_world_never_holds_a_signed_in_guests_token(mock: MockGenesys) -> None:
    exchanged = mock.transport()
    with httpx.Client(transport=exchanged, base_url="https://api.mypurecloud.com") as http:
        answer = http.post(
            "/api/v2/webdeployments/token/oauthcodegrantjwtexchange",
            json={
                "deploymentId": mock.deployment_id,
                "grantType": "code",
                "oauth": {"code": mock.auth_code("user-1"), "redirectUri": "https://example.com/cb"},
            },
        )
    assert answer.status_code == 200, answer.text
    guest = mock.guest_jwt()
    text = json.dumps(public_snapshot(mock.world))
    secrets = [s.token for s in mock.world.guest_sessions.values()] + [answer.json()["refreshToken"], guest]
    assert secrets and not any(secret in text for secret in secrets)
