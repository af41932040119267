from __future__ import annotations

import base64

import pytest

from mockgenesys import MockGenesys
from mockgenesys.journal import fingerprint
from mockgenesys.server.auth import authorize_guest, authorize_oauth, frame_caller, request_caller
from mockgenesys.server.http import ApiError, MockRequest, Route


def _request(authorization: str | None) -> MockRequest:
    headers = {"authorization": authorization} if authorization is not None else {}
    return MockRequest("GET", "/api/v2/webmessaging/messages", "", headers, b"")


def _resolved(mock: MockGenesys, authorization: str | None) -> MockRequest:
    req = _request(authorization)
    req.caller = request_caller(req, mock.world, mock.server.state.jwt_key)
    return req


def test_auth_request_caller_of_an_oauth_token_names_its_client_and_org(mock: MockGenesys) -> None:
    token = mock.issue_token()
    caller = _resolved(mock, f"Bearer {token}").caller
    assert (caller.credential, caller.principal) == (fingerprint(token), fingerprint(token))
    assert caller.token is mock.world.tokens[token]
    assert (caller.client_id, caller.org_id, caller.guest) == (mock.client_id, mock.org_id, None)


def test_auth_request_caller_of_a_guest_jwt_is_its_session(mock: MockGenesys) -> None:
    jwt = mock.guest_jwt()
    session = next(iter(mock.world.guest_sessions.values()))
    caller = _resolved(mock, f"Bearer {jwt}").caller
    assert caller.credential == fingerprint(jwt) and caller.principal == fingerprint(session.token)
    assert caller.guest is session and caller.jwt_generation == 0 and caller.jwt_exp is not None


@pytest.mark.parametrize("bearer", ["nope", "a.b.c", "forged.jwt.value"])
def test_auth_request_caller_of_an_unknown_bearer_is_only_its_fingerprint(mock: MockGenesys, bearer: str) -> None:
    caller = _resolved(mock, f"Bearer {bearer}").caller
    assert (caller.credential, caller.principal) == (fingerprint(bearer), fingerprint(bearer))
    assert caller.token is None and caller.guest is None


def test_auth_request_caller_of_basic_credentials_is_the_client(mock: MockGenesys) -> None:
    basic = base64.b64encode(f"{mock.client_id}:wrong".encode()).decode()
    caller = _resolved(mock, f"Basic {basic}").caller
    assert (caller.principal, caller.client_id, caller.credential) == (f"client:{mock.client_id}", mock.client_id, None)
    assert _resolved(mock, None).caller.principals() == frozenset()


def test_auth_frame_caller_names_the_session_token(mock: MockGenesys) -> None:
    caller = frame_caller("guest-token", None, "org-1")
    assert (caller.credential, caller.principal, caller.org_id) == (
        fingerprint("guest-token"),
        fingerprint("guest-token"),
        "org-1",
    )
    assert frame_caller(42, None, "org-1").credential is None


def test_auth_authorize_guest_checks_revocation_and_session_expiry(mock: MockGenesys) -> None:
    jwt = mock.guest_jwt()
    session = next(iter(mock.world.guest_sessions.values()))
    now = mock.clock.now()
    assert authorize_guest(_resolved(mock, f"Bearer {jwt}"), now) is session
    session.jwt_generation += 1
    with pytest.raises(ApiError) as revoked:
        authorize_guest(_resolved(mock, f"Bearer {jwt}"), now)
    assert revoked.value.code == "bad.credentials"
    session.jwt_generation -= 1
    session.expired = True
    session.last_activity = now - session.ttl
    with pytest.raises(ApiError) as expired:
        authorize_guest(_resolved(mock, f"Bearer {jwt}"), now)
    assert expired.value.code == "credentials.expired"
    with pytest.raises(ApiError) as missing:
        authorize_guest(_resolved(mock, None), now)
    assert missing.value.code == "authentication.required"


def test_auth_authorize_oauth_checks_expiry_and_permissions(mock: MockGenesys) -> None:
    limited = mock.world.add_client(permissions=["externalContacts:contact:view"])
    token = mock.issue_token(limited.id)
    route = Route("GET", "/x", "x", lambda server, req: None, permissions=("conversation:message:view",))  # type: ignore[arg-type,return-value]
    with pytest.raises(ApiError) as denied:
        authorize_oauth(_resolved(mock, f"Bearer {token}"), route, mock.world, mock.clock.now())
    assert denied.value.status == 403 and "conversation:message:view" in denied.value.message
    mock.clock.advance(limited.token_ttl)
    with pytest.raises(ApiError) as expired:
        authorize_oauth(_resolved(mock, f"Bearer {token}"), route, mock.world, mock.clock.now())
    assert expired.value.code == "bad.credentials"
