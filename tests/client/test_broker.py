from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import httpx
import pytest

from mockgenesys import MockGenesys
from mockgenesys.client import (
    ClientConfigError,
    NonceStore,
    PlatformClient,
    ReplayError,
    SecureSessionBroker,
    SessionValidationError,
    Timing,
    validate_session_payload,
)
from mockgenesys.client.broker import METADATA_TOO_LARGE

SECRET = "0123456789abcdef0123456789abcdef"


def broker(platform: PlatformClient, mock: MockGenesys, **options: object) -> SecureSessionBroker:
    return SecureSessionBroker(platform, mock.org_id, hmac_secret=SECRET, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"channel": "sms"}, "channel must be one of web, mobile, desktop (got 'sms')"),
        ({"expirationSeconds": 299}, "expirationSeconds must be between 300 and 86400 (got 299)"),
        ({"expirationSeconds": 86401}, "expirationSeconds must be between 300 and 86400 (got 86401)"),
        ({"expirationSeconds": "3600"}, "expirationSeconds must be a whole number of seconds (got '3600')"),
        ({"metadata": {"k": "v" * 2100}}, METADATA_TOO_LARGE),
        ({"metadata": {"k": 1}}, "metadata must map strings to strings"),
    ],
)
def test_validation_messages(payload: dict[str, object], message: str) -> None:
    with pytest.raises(SessionValidationError) as caught:
        validate_session_payload(payload)
    assert str(caught.value) == f"Schema validation failed: {message}"


def test_every_issue_is_listed_and_the_bounds_are_inclusive() -> None:
    with pytest.raises(SessionValidationError) as caught:
        validate_session_payload({"channel": "fax", "expirationSeconds": 1})
    assert len(caught.value.issues) == 2
    assert validate_session_payload({"expirationSeconds": 300}).expiration_seconds == 300
    assert validate_session_payload({"expirationSeconds": 86400, "metadata": {"a": "b"}}).channel == "web"


async def test_refuses_to_start_without_an_explicit_secret(platform: PlatformClient, mock: MockGenesys) -> None:
    with pytest.raises(ClientConfigError, match=r"needs an explicit hmac_secret"):
        SecureSessionBroker(platform, mock.org_id, hmac_secret=None)
    with pytest.raises(ClientConfigError, match=r"use at least 16 random bytes"):
        SecureSessionBroker(platform, mock.org_id, hmac_secret="short")


async def test_create_sign_verify_and_cookie(platform: PlatformClient, mock: MockGenesys) -> None:
    audit = io.StringIO()
    secure = broker(platform, mock, audit_log=audit)
    session = await secure.create_session(channel="web", expiration_seconds=7200, metadata={"source": "test"})
    assert session.session_id in mock.world.seed_sessions
    assert secure.verify(session.session_id, session.session_token, session.expiration_timestamp, session.signature)
    assert not secure.verify(
        session.session_id, session.session_token + "x", session.expiration_timestamp, session.signature
    )
    other = SecureSessionBroker(platform, mock.org_id, hmac_secret=SECRET[::-1])
    assert not other.verify(session.session_id, session.session_token, session.expiration_timestamp, session.signature)
    header = session.cookie.header()
    assert header.startswith(f"genesys_session={session.session_token}; Expires=")
    for attribute in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
        assert attribute in header
    assert session.session_token not in repr(session) and SECRET not in repr(secure)
    line = json.loads(audit.getvalue())
    assert line["event"] == "session.created" and line["sessionId"] == session.session_id and line["ok"] is True
    assert session.session_token not in audit.getvalue() and SECRET not in audit.getvalue()


async def test_failures_are_audited_without_secrets(
    platform: PlatformClient, mock: MockGenesys, tmp_path: Path
) -> None:
    log = tmp_path / "audit" / "session.log"
    mock.add_fault(
        {"match": {"endpoint": "sessions.create"}, "then": {"status": 403, "code": "missing.any.permissions"}}
    )
    with pytest.raises(Exception, match=r"403"):
        await broker(platform, mock, audit_log=log).create_session()
    entry = json.loads(log.read_text())
    assert entry["event"] == "session.failed" and entry["error"] == "PermissionDeniedError" and entry["ok"] is False
    assert mock.client_secret not in log.read_text()


async def test_a_slow_kms_webhook_never_fails_the_session(platform: PlatformClient, mock: MockGenesys) -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    audit = io.StringIO()
    secure = broker(
        platform,
        mock,
        audit_log=audit,
        kms_webhook_url="https://kms.example/hook",
        kms_transport=httpx.MockTransport(hang),
        kms_timeout=2.0,
    )
    started = mock.clock.now()
    session = await secure.create_session()
    assert session.kms_synced is False and 2.0 <= mock.clock.now() - started < 3.0
    events = [json.loads(line)["event"] for line in audit.getvalue().splitlines()]
    assert events == ["kms.sync.failed", "session.created"]
    await secure.aclose()


async def test_a_working_kms_webhook_gets_the_session_without_its_token(
    platform: PlatformClient, mock: MockGenesys
) -> None:
    received: list[dict[str, object]] = []

    def hook(request: httpx.Request) -> httpx.Response:
        received.append(json.loads(request.content))
        return httpx.Response(204)

    secure = broker(platform, mock, kms_webhook_url="https://kms.example/hook", kms_transport=httpx.MockTransport(hook))
    session = await secure.create_session()
    assert session.kms_synced is True
    assert received[0]["sessionId"] == session.session_id and session.session_token not in json.dumps(received)
    await secure.aclose()


def test_nonce_store_rejects_replays_and_stays_bounded(mock: MockGenesys) -> None:
    store = NonceStore(ttl=60, limit=3, timing=Timing(clock=mock.clock))
    store.add("a")
    with pytest.raises(ReplayError, match=r"generate a fresh nonce"):
        store.add("a")
    for nonce in "bcde":
        store.add(nonce)
    assert len(store) == 3 and "a" not in store  # the oldest went first
    mock.clock.advance(61)
    assert "c" not in store and len(store) == 0
    store.add("a")  # expired nonces may come back


# ---------------------------------------------------------------------- signing (issue 17)
def _broker(platform: PlatformClient) -> SecureSessionBroker:
    return SecureSessionBroker(platform, "org", hmac_secret="0123456789abcdef0123")


@pytest.mark.parametrize(
    "arguments",
    [
        ("s", "t", "e", "\u00e9" * 64),  # non-ASCII: was a TypeError from compare_digest
        ("s", "t", "e", "A" * 64),
        ("s", "t", "e", ""),
        ("s", "t", "e", None),
        (None, "t", "e", "0" * 64),
        ("s", b"t", "e", "0" * 64),
        ("s", "t", "\ud800", "0" * 64),
    ],
)
def test_broker_verify_is_total(platform: PlatformClient, arguments: tuple[object, ...]) -> None:
    assert _broker(platform).verify(*arguments) is False


def test_broker_signing_input_is_unambiguous(platform: PlatformClient) -> None:
    from mockgenesys.client.broker import signing_input

    broker = _broker(platform)
    assert broker.sign("a:b", "c", "e") != broker.sign("a", "b:c", "e")
    assert signing_input("a", "b", "c") == b'["a","b","c"]'
    signature = broker.sign("id", "tok", "2026-01-01T00:00:00Z")
    assert broker.verify("id", "tok", "2026-01-01T00:00:00Z", signature)
    assert not broker.verify("id:tok", "", "2026-01-01T00:00:00Z", signature)
