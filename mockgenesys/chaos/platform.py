"""The platform workload: a backend or bot on OAuth client credentials and REST, beside the guests.

One ``PlatformAdapter`` (built by a ``PlatformFactory`` from a ``PlatformContext``) is shared by
the scenario's ``platform.callers`` concurrent callers, so they share its token: a 401 or a token
expiry reaches them together, which is where single flight shows. Each caller makes
``platform.calls`` calls with ``platform.pacing`` between them, cycling through
``platform.operations`` (caller ``k`` starts at the k-th): ``organization``; ``history`` of the
world's conversations in turn (by id); ``search`` for every contact (an empty query). Every call is
recorded with its answer or its error, and the invariants compare the answers with the world.
"""

from __future__ import annotations

import asyncio
import inspect
import random
from collections.abc import Coroutine
from typing import Any

from mockgenesys.chaos.actors import RunEnv
from mockgenesys.chaos.adapters import PlatformContext, PlatformFactory, check_platform_adapter
from mockgenesys.chaos.errors import AdapterError
from mockgenesys.chaos.guests import describe
from mockgenesys.chaos.records import PlatformCall, PlatformRecord, Raised
from mockgenesys.chaos.scenario import Scenario
from mockgenesys.chaos.sections import PlatformLoad
from mockgenesys.client import PlatformAdapter

#: The adapter method behind each operation of ``platform.operations``.
METHODS = {"organization": "organization", "history": "history", "search": "search_contacts"}


def platform_seed(seed: int) -> int:
    """The platform adapter's seed in a run seeded ``seed``."""
    return random.Random(f"chaos/{seed}/platform").getrandbits(63)


class PlatformWorkload:
    """The platform workload of one run (none when the scenario has no ``platform`` section)."""

    kind = "platform"

    def __init__(self, scenario: Scenario, factory: PlatformFactory) -> None:
        self.scenario = scenario
        self.factory = factory
        self.made_by = getattr(factory, "__qualname__", None) or repr(factory)
        load = scenario.platform
        self.record = (
            PlatformRecord(callers=load.callers, seed=platform_seed(scenario.seed)) if load is not None else None
        )

    def plan(self, env: RunEnv) -> list[Coroutine[Any, Any, None]]:
        load = self.scenario.platform
        if load is None or self.record is None:
            return []
        return [self._run(env, load, self.record)]

    def context(self, env: RunEnv, record: PlatformRecord) -> PlatformContext:
        """What the factory gets."""
        facts = env.control.facts
        return PlatformContext(
            index=0,
            seed=record.seed,
            clock=facts.clock,
            client_id=facts.client_id,
            client_secret=facts.client_secret,
            mock=facts.mock,
            base_url=facts.base_url,
        )

    async def _run(self, env: RunEnv, load: PlatformLoad, record: PlatformRecord) -> None:
        control = env.control
        world = await control.world()
        conversations = sorted(str(c["id"]) for c in world.get("conversations", []))
        rng = random.Random(f"{record.seed}/spread")
        await control.sleep(rng.uniform(0, load.start_spread))
        try:
            adapter = check_platform_adapter(self.factory(self.context(env, record)), self.made_by)
        except AdapterError:
            raise
        except Exception as exc:
            record.raised.append(Raised("start", describe(exc)))
            return
        try:
            if not await self._lifecycle(record, adapter, "start"):
                return
            callers = [self._caller(env, load, record, adapter, k, conversations) for k in range(load.callers)]
            await _together(callers)
            record.finished = True
        finally:
            await self._lifecycle(record, adapter, "close")

    async def _caller(
        self,
        env: RunEnv,
        load: PlatformLoad,
        record: PlatformRecord,
        adapter: PlatformAdapter,
        k: int,
        conversations: list[str],
    ) -> None:
        control = env.control
        rng = random.Random(f"{record.seed}/caller/{k}")
        for n in range(load.calls):
            if n:
                await control.sleep(load.pacing.sample(rng))
            operation = load.operations[(k + n) % len(load.operations)]
            argument = ""
            if operation == "history":
                if not conversations:
                    continue
                argument = conversations[(k + n) % len(conversations)]
            call = PlatformCall(k, n, operation, argument, control.now())
            record.calls.append(call)
            try:
                method = getattr(adapter, METHODS[operation])
                result = method(argument) if operation != "organization" else method()
                if not inspect.isawaitable(result):
                    raise AdapterError(
                        f"{type(adapter).__name__}.{METHODS[operation]} returned {type(result).__name__}, not an "
                        "awaitable; a PlatformAdapter's methods are async def."
                    )
                call.answer = await result
                call.done = control.now()
            except AdapterError:
                raise
            except Exception as exc:
                call.error = describe(exc)

    async def _lifecycle(self, record: PlatformRecord, adapter: PlatformAdapter, method: str) -> bool:
        try:
            result = getattr(adapter, method)()
            if not inspect.isawaitable(result):
                raise AdapterError(
                    f"{type(adapter).__name__}.{method} returned {type(result).__name__}, not an awaitable; "
                    "a PlatformAdapter's methods are async def."
                )
            await result
        except AdapterError:
            raise
        except Exception as exc:
            record.raised.append(Raised(method, describe(exc)))
            return False
        return True


async def _together(callers: list[Coroutine[Any, Any, None]]) -> None:
    """Run the callers concurrently; an ``AdapterError`` in one stops the others and propagates."""
    tasks = [asyncio.ensure_future(caller) for caller in callers]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
