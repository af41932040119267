"""The strict-pytest judge: each case drives one client under a fault, graded by strict=True alone.

A case is what a user's test would be: ``@pytest.mark.genesys(strict=True, faults=[...])`` and a
body that only drives the client (start, send, restore, call the API). It never asserts on the
mock's state; it only expects a typed ``ClientError`` where every correct client must raise
one. A case fails when the client raises, or when the plugin's strict grading finds a
conformance violation.

Not collected by the suite (no ``test_`` prefix); ``matrix.judge_strict`` runs it in a
subprocess::

    MUTANTS_SUBJECTS=BaselineGuest,RetryStormGuest python -m pytest tests/mutants/strict_cases.py

``MUTANTS_SUBJECTS`` (comma-separated baseline or mutant names) selects the clients; every
case of a client's kind runs against it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from mockgenesys import MockGenesys
from mockgenesys.client import ClientError
from mockgenesys.clock import SystemClock

from .baseline_guest import BaselineGuest
from .baseline_platform import BaselinePlatform
from .catalogue import CORRECT, MUTANTS, ReferenceGuest, ReferencePlatform, kind_of, subject
from .protocols import PlatformContext

SUBJECTS_ENV = "MUTANTS_SUBJECTS"
SEED = 1


@dataclass(frozen=True)
class Case:
    """One strict test: the fault rules of its marker, what it drives, and why it exists."""

    faults: tuple[dict[str, Any], ...]
    drive: Callable[[Any, MockGenesys], Awaitable[None]]
    purpose: str
    live: bool = False


def _rule(endpoint: str, then: dict[str, Any], **when: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {"match": {"endpoint": endpoint}, "then": then}
    if when:
        rule["when"] = when
    return rule


# ---------------------------------------------------------------------- guest drivers
async def _send_and_restore(guest: BaselineGuest, mock: MockGenesys, count: int = 3) -> None:
    for n in range(count):
        await guest.send(f"strict message {n}")
    await guest.restore()


async def _one_and_restore(guest: BaselineGuest, mock: MockGenesys) -> None:
    await _send_and_restore(guest, mock, 1)


async def _restore_past_jwt_expiry(guest: BaselineGuest, mock: MockGenesys) -> None:
    await _send_and_restore(guest, mock, 1)
    mock.clock.advance(mock.world.default_deployment.jwt_ttl + 1)
    await guest.restore()


async def _long_history(guest: BaselineGuest, mock: MockGenesys) -> None:
    await _send_and_restore(guest, mock, 30)


async def _restore_forbidden(guest: BaselineGuest, mock: MockGenesys) -> None:
    await guest.send("strict message 0")
    with pytest.raises(ClientError):
        await guest.restore()


async def _restore_refused(guest: BaselineGuest, mock: MockGenesys) -> None:
    await guest.send("strict message 0")
    with pytest.raises(ClientError):
        await guest.restore()


async def _concurrent_sends(guest: BaselineGuest, mock: MockGenesys) -> None:
    await asyncio.gather(*(guest.send(f"strict message {n}") for n in range(4)))
    await guest.restore()


GUEST_CASES: dict[str, Case] = {
    "ws-429-retry-after": Case(
        (_rule("guest.ws.onMessage", {"status": 429, "retry_after": 3}, times=2),),
        _send_and_restore,
        "TooManyRequests with retryAfter on sends",
    ),
    "rest-429-no-retry-after": Case(
        (_rule("webmessaging.messages", {"status": 429, "code": "too.many.requests"}, times=6),),
        _one_and_restore,
        "six 429s without Retry-After on history: back off, within the attempt budget",
    ),
    "ws-503-no-retry-after": Case(
        (_rule("guest.ws.onMessage", {"status": 503}, times=4),),
        _send_and_restore,
        "four 503 error frames on sends: back off",
    ),
    "rest-503-storm": Case(
        (_rule("webmessaging.messages", {"status": 503}, times=10),),
        _one_and_restore,
        "ten 503s in a row on history, no Retry-After: back off exponentially, within the attempt budget",
    ),
    "jwt-refused-five-times": Case(
        (_rule("webmessaging.messages", {"expire_token": True}, times=5),),
        _restore_refused,
        "every fresh guest JWT refused: refresh once, then report the failure",
    ),
    "echo-lost": Case(
        (_rule("guest.ws.out.StructuredMessage", {"ws": {"drop": True}}, times=1),),
        _send_and_restore,
        "the socket drops with a stored message's echo: check delivery before resending",
    ),
    "session-expires-mid-send": Case(
        (_rule("guest.ws.onMessage", {"expire_session": True}, after=1, times=1),),
        _send_and_restore,
        "4006 for an in-flight message: new session, resend",
    ),
    "jwt-past-expiry": Case((), _restore_past_jwt_expiry, "restore after the guest JWT's exp: refresh first"),
    "jwt-revoked-once": Case(
        (_rule("webmessaging.messages", {"expire_token": True}, times=1),),
        _one_and_restore,
        "one 401 on history: one new JWT",
    ),
    "long-history": Case((), _long_history, "30 messages: two history pages"),
    "history-403": Case(
        (_rule("webmessaging.messages", {"status": 403, "code": "missing.any.permissions"}),),
        _restore_forbidden,
        "403 missing permission on history: raise, do not retry",
    ),
    "offline-backlog": Case(
        (_rule("guest.ws.out.StructuredMessage", {"ws": {"drop": True}}, times=1),),
        _concurrent_sends,
        "four concurrent sends, the first loses its socket: flush the rest in call order",
    ),
}


# ---------------------------------------------------------------------- platform drivers
async def _organization(client: BaselinePlatform, mock: MockGenesys) -> None:
    await client.organization()


async def _organization_refused(client: BaselinePlatform, mock: MockGenesys) -> None:
    with pytest.raises(ClientError):
        await client.organization()


async def _organization_past_token_expiry(client: BaselinePlatform, mock: MockGenesys) -> None:
    await client.organization()
    mock.clock.advance(mock.world.default_client.token_ttl)
    await client.organization()


async def _revoked_then_again(client: BaselinePlatform, mock: MockGenesys) -> None:
    await client.organization()
    await client.organization()


async def _long_lists(client: BaselinePlatform, mock: MockGenesys) -> None:
    conversation = mock.add_conversation(messages=[f"history line {n}" for n in range(60)])
    for n in range(30):
        mock.add_contact(firstName=f"Strict{n}", lastName="Pagination")
    await client.history(conversation.id)
    await client.search_contacts("pagination")


async def _search_forbidden(client: BaselinePlatform, mock: MockGenesys) -> None:
    with pytest.raises(ClientError):
        await client.search_contacts("anyone")


async def _concurrent_callers(client: BaselinePlatform, mock: MockGenesys) -> None:
    await asyncio.gather(*(client.organization() for _ in range(8)))


PLATFORM_CASES: dict[str, Case] = {
    "rest-429-retry-after": Case(
        (_rule("organizations.me", {"status": 429, "retry_after": 3}, times=2),),
        _organization,
        "429 with Retry-After",
    ),
    "rest-503-no-retry-after": Case(
        (_rule("organizations.me", {"status": 503}, times=6),),
        _organization,
        "six 503s without Retry-After: back off, within the attempt budget",
    ),
    "rest-503-storm": Case(
        (_rule("organizations.me", {"status": 503}, times=10),),
        _organization,
        "ten 503s in a row without Retry-After: back off exponentially, within the attempt budget",
    ),
    "token-refused-five-times": Case(
        (_rule("organizations.me", {"expire_token": True}, times=5),),
        _organization_refused,
        "every fresh token refused: refresh once, then report the failure",
    ),
    "token-past-expiry": Case((), _organization_past_token_expiry, "a call after expires_in: refresh first"),
    "token-revoked-once": Case(
        (_rule("organizations.me", {"expire_token": True}, times=1),),
        _revoked_then_again,
        "one 401: one new token",
    ),
    "long-lists": Case((), _long_lists, "60 history messages and 30 contacts: several pages each"),
    "contacts-403": Case(
        (_rule("externalcontacts.search", {"status": 403, "code": "missing.any.permissions"}),),
        _search_forbidden,
        "403 missing permission: raise, do not retry",
    ),
    "live-concurrent-401": Case(
        (_rule("organizations.me", {"expire_token": True}, times=1),),
        _concurrent_callers,
        "eight concurrent callers on a live server, their token revoked: one refresh for all",
        live=True,
    ),
}


# ---------------------------------------------------------------------- the tests
def _subjects(kind: str) -> list[str]:
    names = [n.strip() for n in os.environ.get(SUBJECTS_ENV, "").split(",") if n.strip()] or [*CORRECT, *MUTANTS]
    unknown = sorted(set(names) - set(CORRECT) - set(MUTANTS))
    if unknown:
        raise pytest.UsageError(
            f"{SUBJECTS_ENV} names unknown clients {unknown}; valid: {sorted(CORRECT)} and {sorted(MUTANTS)}."
        )
    return [n for n in names if kind_of(n) == kind]


def _params(kind: str, cases: dict[str, Case]) -> list[Any]:
    params = []
    for client in _subjects(kind):
        for name, case in cases.items():
            marks = [pytest.mark.genesys(seed=SEED, strict=True, faults=list(case.faults))]
            if case.live:
                marks.append(pytest.mark.live)
            params.append(pytest.param(name, client, marks=marks, id=f"{client}-{name}"))
    return params


@pytest.mark.parametrize(("case", "name"), _params("guest", GUEST_CASES))
async def test_guest(case: str, name: str, genesys_mock: MockGenesys) -> None:
    cls = subject(name)
    assert issubclass(cls, (BaselineGuest, ReferenceGuest))
    guest = cls.for_mock(genesys_mock, SEED)
    try:
        await guest.start()
        await GUEST_CASES[case].drive(guest, genesys_mock)
    finally:
        await guest.close()


@pytest.mark.parametrize(("case", "name"), _params("platform", PLATFORM_CASES))
async def test_platform(case: str, name: str, request: pytest.FixtureRequest) -> None:
    cls = subject(name)
    assert issubclass(cls, (BaselinePlatform, ReferencePlatform))
    if PLATFORM_CASES[case].live:
        server = request.getfixturevalue("genesys_server")
        mock: MockGenesys = server.mock
        context = PlatformContext(0, SEED, SystemClock(), mock.client_id, mock.client_secret, base_url=server.url)
    else:
        mock = request.getfixturevalue("genesys_mock")
        context = PlatformContext(0, SEED, mock.clock, mock.client_id, mock.client_secret, mock=mock)
    client = cls(context)
    try:
        await client.start()
        await PLATFORM_CASES[case].drive(client, mock)
    finally:
        await client.close()
