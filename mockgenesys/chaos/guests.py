"""The guest workload: each guest a ``GuestAdapter`` sending the scenario's texts at its pacing.

A guest waits up to ``start_spread``, optionally creates a secure session, ``start()``s, sends
its texts with history restores on the way, and ``close()``s. With ``workload.pipelined`` each send
starts on schedule without waiting for the previous one, so a backlog queues up in the client
while it is offline. Texts, pacing and seeds follow from
the scenario's seed alone, so a focused or isolated replay sends exactly what the full run sent.
Whatever the adapter raises is recorded (``GuestRecord.raised``), never trusted or hidden.
"""

from __future__ import annotations

import asyncio
import inspect
import random
from collections.abc import Coroutine
from typing import Any

from mockgenesys.chaos.actors import RunEnv
from mockgenesys.chaos.adapters import AdapterFactory, GuestContext, check_adapter
from mockgenesys.chaos.errors import AdapterError
from mockgenesys.chaos.records import GuestRecord, Raised, RestoreRecord, SendRecord, message_text
from mockgenesys.chaos.scenario import Scenario
from mockgenesys.chaos.secure import create_secure_session
from mockgenesys.client import GuestAdapter

WORDS = ("order", "refund", "parcel", "invoice", "address", "delivery", "account", "password", "help", "thanks")
MAX_ERROR_CHARS = 300


def guest_seed(seed: int, index: int) -> int:
    """Guest ``index``'s own seed in a run seeded ``seed`` (its texts, pacing and adapter seed)."""
    return random.Random(f"chaos/{seed}/guest/{index}").getrandbits(63)


def plan_texts(scenario: Scenario, tag: str, index: int, rng: random.Random) -> list[str]:
    """The unique texts guest ``index`` sends, padded to ``workload.text_bytes``."""
    texts = []
    for n in range(scenario.workload.messages):
        filler = " ".join(rng.choice(WORDS) for _ in range(3))
        text = message_text(tag, index, n, filler)
        if scenario.workload.text_bytes > len(text):
            text = (text + " " + "x" * scenario.workload.text_bytes)[: scenario.workload.text_bytes]
        texts.append(text)
    return texts


def describe(exc: BaseException) -> str:
    """An exception in one line: its type and the first line of its message."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}"[:MAX_ERROR_CHARS] if lines else type(exc).__name__


class GuestWorkload:
    """The guests of one run; ``records`` holds every guest's, ``judged`` the ones that count."""

    kind = "guests"

    def __init__(self, scenario: Scenario, tag: str, factory: AdapterFactory, *, only: int | None = None) -> None:
        self.scenario = scenario
        self.factory = factory
        self.only = only
        self.made_by = getattr(factory, "__qualname__", None) or repr(factory)
        self.records = []
        for index in range(scenario.guests):
            seed = guest_seed(scenario.seed, index)
            planned = plan_texts(scenario, tag, index, random.Random(f"{seed}/texts"))
            self.records.append(GuestRecord(index=index, name=f"chaos-guest-{index}", seed=seed, planned=planned))

    @property
    def running(self) -> list[GuestRecord]:
        """The guests that run: all of them, or the one of an isolated replay."""
        return [self.records[self.only]] if self.only is not None else list(self.records)

    def plan(self, env: RunEnv) -> list[Coroutine[Any, Any, None]]:
        return [self._guest(env, record) for record in self.running]

    def context(self, env: RunEnv, record: GuestRecord) -> GuestContext:
        """What the factory gets for ``record``'s guest."""
        facts = env.control.facts
        return GuestContext(
            index=record.index,
            name=record.name,
            seed=record.seed,
            clock=facts.clock,
            deployment_id=facts.deployment_id,
            client_id=facts.client_id,
            client_secret=facts.client_secret,
            mock=facts.mock,
            base_url=facts.base_url,
        )

    async def _guest(self, env: RunEnv, record: GuestRecord) -> None:
        control = env.control
        workload = self.scenario.workload
        rng = random.Random(f"{record.seed}/pacing")
        await control.sleep(rng.uniform(0, workload.start_spread))
        if workload.secure_session is not None:
            record.secure = await create_secure_session(
                control.facts, workload.secure_session, control.now, guest=record.index, tag=env.tag, seed=record.seed
            )
        try:
            adapter = check_adapter(self.factory(self.context(env, record)), self.made_by)
        except AdapterError:
            raise
        except Exception as exc:
            record.raised.append(Raised("start", describe(exc)))
            return
        pending: list[asyncio.Task[None]] = []
        try:
            if not (await self._call(record, adapter, "start"))[0]:
                return
            for index, text in enumerate(record.planned):
                if index:
                    await control.sleep(workload.pacing.sample(rng))
                send = SendRecord(index, text, control.now())
                record.sends.append(send)
                if workload.pipelined:  # the next send starts on schedule: a backlog forms while offline
                    pending.append(asyncio.ensure_future(self._send(env, record, adapter, send)))
                else:
                    await self._send(env, record, adapter, send)
                if workload.restore_every and (index + 1) % workload.restore_every == 0:
                    await self._restore(env, record, adapter)
            if pending:
                await asyncio.gather(*pending)
            if workload.restore_at_end and record.planned:
                await self._restore(env, record, adapter)
            record.finished = True
        finally:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            await self._call(record, adapter, "close")

    async def _send(self, env: RunEnv, record: GuestRecord, adapter: GuestAdapter, send: SendRecord) -> None:
        if (await self._call(record, adapter, "send", send.text))[0]:
            send.done = env.control.now()
        else:
            send.error = record.raised[-1].error

    async def _restore(self, env: RunEnv, record: GuestRecord, adapter: GuestAdapter) -> None:
        restore = RestoreRecord(env.control.now())
        ok, texts = await self._call(record, adapter, "restore")
        if ok and not (isinstance(texts, list) and all(isinstance(t, str) for t in texts)):
            ok = False
            record.raised.append(Raised("restore", f"returned {type(texts).__name__}, not a list of texts"))
        restore.done = env.control.now()
        if ok:
            restore.texts = list(texts)
        else:
            restore.error = record.raised[-1].error
        record.restored.append(restore)
        record.restores.append((restore.done, len(texts) if ok else 0, restore.error))

    async def _call(self, record: GuestRecord, adapter: GuestAdapter, method: str, *args: Any) -> tuple[bool, Any]:
        """Await ``adapter.method(*args)``: (True, its value), or (False, None) with the error recorded."""
        try:
            result = getattr(adapter, method)(*args)
            if not inspect.isawaitable(result):
                raise AdapterError(
                    f"{type(adapter).__name__}.{method} returned {type(result).__name__}, not an awaitable; "
                    "a GuestAdapter's methods are async def."
                )
            return True, await result
        except AdapterError:
            raise
        except Exception as exc:
            record.raised.append(Raised(method, describe(exc)))
            return False, None
