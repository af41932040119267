"""The guest history over REST: every page, oldest first, with one fresh JWT per refused page."""

from __future__ import annotations

import httpx
import pytest

from mockgenesys import MockGenesys
from mockgenesys.client import AuthenticationError, GuestMessagingClient, PermissionDeniedError, mock_connector
from mockgenesys.client.platform import MOCK_BASE_URL

from .client_helpers import timing_for


async def test_history_spans_many_pages(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock), page_size=3)
    async with guest:
        await guest.login_guest()
        for n in range(8):
            await guest.send(f"m{n}")
        history = await guest.history()
    assert [m.text for m in history] == [f"m{n}" for n in range(8)]
    assert len(mock.journal.calls("webmessaging.messages")) == 3


async def test_jwt_expiry_during_history_pagination(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock), page_size=2)
    async with guest:
        await guest.login_guest()
        for n in range(6):
            await guest.send(f"page {n}")
        mock.add_fault(
            {
                "match": {"endpoint": "webmessaging.messages"},
                "when": {"after": 1, "times": 1},
                "then": {"expire_token": True},
            }
        )
        history = await guest.history()
    assert [m.text for m in history] == [f"page {n}" for n in range(6)]
    assert guest.stats.jwt_fetches == 2
    mock.check().assert_ok()


class Recording(httpx.AsyncBaseTransport):
    """Passes requests on and keeps the bearer credential of each."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.bearers: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.bearers.append(request.headers.get("Authorization", ""))
        return await self.inner.handle_async_request(request)


async def test_history_a_refused_jwt_is_replaced_once_and_never_sent_again(mock: MockGenesys) -> None:
    transport = Recording(mock.transport())
    guest = GuestMessagingClient(
        mock.deployment_id,
        connector=mock_connector(mock),
        base_url=MOCK_BASE_URL,
        transport=transport,
        timing=timing_for(mock),
    )
    async with guest:
        await guest.login_guest()
        mock.add_fault(
            {"match": {"endpoint": "webmessaging.messages"}, "then": {"status": 401, "code": "bad.credentials"}}
        )
        with pytest.raises(AuthenticationError):
            await guest.history()
        first, second = transport.bearers
        assert first != second and guest.stats.jwt_fetches == 2
        with pytest.raises(AuthenticationError):
            await guest.history()
        assert len(set(transport.bearers)) == 4  # the next call does not start with the refused JWT either


async def test_history_403_is_not_retried(mock: MockGenesys) -> None:
    guest = GuestMessagingClient.for_mock(mock, timing=timing_for(mock))
    async with guest:
        await guest.login_guest()
        mock.add_fault(
            {"match": {"endpoint": "webmessaging.messages"}, "then": {"status": 403, "code": "missing.permission"}}
        )
        with pytest.raises(PermissionDeniedError, match=r"Grant the missing permission"):
            await guest.history()
    assert len(mock.journal.calls("webmessaging.messages")) == 1
