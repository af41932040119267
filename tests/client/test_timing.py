from __future__ import annotations

import asyncio
import random

import pytest

from mockgenesys import SystemClock, VirtualClock
from mockgenesys.client import Timing


async def test_timing_pause_advances_a_virtual_clock_without_waiting() -> None:
    clock = VirtualClock()
    timing = Timing(clock=clock)
    before = clock.now()
    await timing.pause(30)
    await timing.pause(-5)  # a negative wait is no wait
    assert clock.now() == before + 30 and timing.virtual


async def test_timing_wait_for_times_out_on_the_virtual_clock() -> None:
    clock = VirtualClock()
    never: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    with pytest.raises(TimeoutError, match=r"within 10 s"):
        await Timing(clock=clock).wait_for(never, 10)
    assert never.cancelled()


async def test_timing_wait_for_returns_what_arrives_in_time() -> None:
    clock = VirtualClock()
    soon: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().call_soon(soon.set_result, 7)
    assert await Timing(clock=clock).wait_for(soon, 10) == 7


def test_timing_defaults_to_the_system_clock_and_its_sleep() -> None:
    timing = Timing(rng=random.Random(1))
    assert isinstance(timing.clock, SystemClock) and not timing.virtual
    assert timing.sleep == timing.clock.sleep
