"""Pacing under the documented guest limits and behind a Retry-After."""

from __future__ import annotations

import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.client import ClientConfigError, GuestMessagingClient, Timing
from mockgenesys.client.pacing import Pacer
from mockgenesys.client.retry import RetryGate

from .client_helpers import conversation_of, guest_texts, timing_for


@pytest.fixture
async def guest(mock: MockGenesys) -> GuestMessagingClient:
    client = GuestMessagingClient.for_mock(mock, timing=timing_for(mock))
    yield client  # type: ignore[misc]
    await client.aclose()


async def test_the_client_paces_itself_under_the_documented_guest_limits(
    mock: MockGenesys, guest: GuestMessagingClient
) -> None:
    await guest.login_guest()
    for n in range(70):
        await guest.send(f"burst {n}")
    assert len(guest_texts(conversation_of(mock, guest))) == 70
    assert not [e for e in mock.journal if e.status == 429]
    mock.check().assert_ok()


def pacer(clock: VirtualClock, limits: tuple[tuple[int, float], ...], gate: RetryGate | None = None) -> Pacer:
    return Pacer(Timing(clock=clock), limits=limits, gate=gate)


async def test_pacer_lets_n_frames_go_per_period_then_waits() -> None:
    clock = VirtualClock()
    pace = pacer(clock, ((2, 1.0),))
    started = clock.monotonic()
    sent = []
    for _ in range(5):
        await pace.wait()
        sent.append(clock.monotonic() - started)
    assert sent == [0.0, 0.0, 1.0, 1.0, 2.0]


async def test_pacer_waits_behind_a_held_gate() -> None:
    clock = VirtualClock()
    gate = RetryGate()
    gate.hold(clock.monotonic() + 7)
    await pacer(clock, (), gate).wait()
    assert clock.monotonic() == gate.not_before


@pytest.mark.parametrize("limits", [((0, 1.0),), ((2, 0.0),)])
def test_pacer_refuses_an_impossible_limit(limits: tuple[tuple[int, float], ...]) -> None:
    with pytest.raises(ClientConfigError, match=r"documented guest limits"):
        pacer(VirtualClock(), limits)
