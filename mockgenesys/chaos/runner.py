"""Run a scenario: guests as concurrent asyncio tasks, the timeline, then the verdicts.

In-process (the default) the mock and every guest share one ``SimClock``: the run is
deterministic per seed and costs no wall time for virtual waits. With ``target`` the guests
talk to a live server in real time and the timeline acts through its ``/__admin`` API.
Guests are driven through the ``GuestAdapter`` protocol; ``adapter_factory`` builds one per
guest (the client core's ``CoreGuestAdapter`` by default).
"""

from __future__ import annotations

import asyncio
import importlib
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from mockgenesys.chaos.events import EVENT_KINDS, EventTarget, apply_event
from mockgenesys.chaos.invariants import (
    GuestRecord,
    InvariantResult,
    SendRecord,
    ServerView,
    evaluate,
    message_text,
)
from mockgenesys.chaos.metrics import collect
from mockgenesys.chaos.scenario import Scenario
from mockgenesys.chaos.secure import create_secure_session
from mockgenesys.chaos.simclock import SimClock, SimulationLimit
from mockgenesys.client import CoreGuestAdapter
from mockgenesys.client.adapter import GuestAdapter
from mockgenesys.clock import Clock, SystemClock
from mockgenesys.errors import ConfigError, MockGenesysError
from mockgenesys.journal import Entry
from mockgenesys.mock import MockGenesys

WORDS = ("order", "refund", "parcel", "invoice", "address", "delivery", "account", "password", "help", "thanks")
DEPLOYMENT_OVERRIDES = ("jwt_ttl", "guest_session_ttl", "read_only_after_disconnect")


class ChaosError(MockGenesysError):
    """A chaos run could not start (no adapter, unreachable target, unsupported event)."""


@dataclass(frozen=True)
class GuestContext:
    """What an adapter factory gets for one guest: who it is and where the mock is."""

    index: int
    name: str
    seed: int
    clock: Clock
    deployment_id: str
    client_id: str
    client_secret: str
    mock: MockGenesys | None = None
    base_url: str | None = None


AdapterFactory = Callable[[GuestContext], GuestAdapter]
Progress = Callable[[str, int, int], None]


def core_adapter_factory(context: GuestContext) -> GuestAdapter:
    """The default factory: the client core's ``CoreGuestAdapter`` (in-process or by URL)."""
    if context.mock is not None:
        return CoreGuestAdapter.for_mock(context.mock, name=context.name, seed=context.seed)
    assert context.base_url is not None
    return CoreGuestAdapter.for_url(context.base_url, context.deployment_id, name=context.name, seed=context.seed)


def load_factory(spec: str) -> AdapterFactory:
    """``module:callable`` → the adapter factory it names (the CLI's ``--adapter``)."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ConfigError(f"--adapter must look like package.module:factory, got {spec!r}.")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"Cannot import {module_name!r} for --adapter: {exc}.") from exc
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise ConfigError(f"{module_name} has no callable {attribute!r} for --adapter.")
    return factory  # type: ignore[no-any-return]


@dataclass
class ScenarioResult:
    """The outcome of one scenario: verdicts, figures and how to replay each failing guest."""

    scenario: Scenario
    target: str | None
    invariants: list[InvariantResult]
    metrics: dict[str, Any]
    records: list[GuestRecord]
    aborted: str | None = None
    wall_seconds: float = 0.0
    focus: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def seed(self) -> int:
        return self.scenario.seed

    @property
    def guests(self) -> int:
        return self.scenario.guests

    @property
    def passed(self) -> bool:
        return self.aborted is None and all(r.passed for r in self.invariants)

    @property
    def failing_guests(self) -> list[int]:
        return sorted({g for r in self.invariants if not r.passed for g in r.guests})

    def replay_command(self, guest: int | None = None) -> str:
        """The one command that reruns this scenario identically (focused on ``guest``)."""
        source = self.scenario.source
        ref = self.scenario.name if source.startswith(("builtin:", "<")) else source
        parts = ["mockgenesys", "chaos", "run", ref, "--seed", str(self.seed), "--guests", str(self.guests)]
        if guest is not None:
            parts += ["--guest", str(guest)]
        if self.target:
            parts += ["--target", self.target]
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "description": self.scenario.description,
            "source": self.scenario.source,
            "seed": self.seed,
            "guests": self.guests,
            "target": self.target,
            "focus_guest": self.focus,
            "passed": self.passed,
            "aborted": self.aborted,
            "wall_seconds": round(self.wall_seconds, 3),
            "notes": self.notes,
            "invariants": [r.to_dict() for r in self.invariants],
            "failing_guests": self.failing_guests,
            "replay": {str(g): self.replay_command(g) for g in self.failing_guests},
            "replay_all": self.replay_command(),
            "metrics": self.metrics,
        }


def _guest_seed(seed: int, index: int) -> int:
    return random.Random(f"chaos/{seed}/guest/{index}").getrandbits(63)


def _plan(scenario: Scenario, tag: str, index: int, rng: random.Random) -> list[str]:
    texts = []
    for n in range(scenario.workload.messages):
        filler = " ".join(rng.choice(WORDS) for _ in range(3))
        text = message_text(tag, index, n, filler)
        if scenario.workload.text_bytes > len(text):
            text = (text + " " + "x" * scenario.workload.text_bytes)[: scenario.workload.text_bytes]
        texts.append(text)
    return texts


async def _drive_guest(
    scenario: Scenario,
    record: GuestRecord,
    make: Callable[[], GuestAdapter],
    rng: random.Random,
    now: Callable[[], float],
    sleep: Callable[[float], Any],
    secure: Callable[[GuestRecord], Awaitable[Any]] | None = None,
) -> None:
    workload = scenario.workload
    await sleep(rng.uniform(0, workload.start_spread))
    if secure is not None:
        record.secure = await secure(record)
    adapter: GuestAdapter | None = None
    try:
        adapter = make()
        await adapter.start()
    except Exception as exc:
        record.errors.append(f"start failed: {_describe(exc)}")
        return
    try:
        for index, text in enumerate(record.planned):
            if index:
                await sleep(workload.pacing.sample(rng))
            send = SendRecord(index, text, now())
            record.sends.append(send)
            try:
                await adapter.send(text)
                send.done = now()
            except Exception as exc:
                send.error = _describe(exc)
            if workload.restore_every and (index + 1) % workload.restore_every == 0:
                await _restore(adapter, record, now)
        if workload.restore_at_end and record.planned:
            await _restore(adapter, record, now)
        record.finished = True
    finally:
        try:
            await adapter.close()
        except Exception as exc:
            record.errors.append(f"close failed: {_describe(exc)}")


async def _restore(adapter: GuestAdapter, record: GuestRecord, now: Callable[[], float]) -> None:
    try:
        texts = await adapter.restore()
        record.restores.append((now(), len(texts), None))
    except Exception as exc:
        record.restores.append((now(), 0, _describe(exc)))


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


class _Run:
    """The state of one run while it goes."""

    def __init__(
        self,
        scenario: Scenario,
        factory: AdapterFactory,
        progress: Progress | None,
        only: int | None,
    ) -> None:
        self.scenario = scenario
        self.factory = factory
        self.progress = progress
        self.only = only
        self.events: list[dict[str, Any]] = []
        self.jumps: list[tuple[float, float]] = []
        self.done = 0

    def guest_indices(self) -> list[int]:
        return [self.only] if self.only is not None else list(range(self.scenario.guests))

    def records(self, tag: str) -> list[GuestRecord]:
        out = []
        for index in range(self.scenario.guests):
            seed = _guest_seed(self.scenario.seed, index)
            planned = _plan(self.scenario, tag, index, random.Random(f"{seed}/texts"))
            out.append(GuestRecord(index=index, name=f"chaos-guest-{index}", seed=seed, planned=planned))
        return out

    def finished_one(self, total: int) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.scenario.name, self.done, total)

    async def guests_and_timeline(
        self,
        records: list[GuestRecord],
        context: Callable[[GuestRecord], GuestContext],
        target: EventTarget,
        now: Callable[[], float],
        sleep: Callable[[float], Any],
        started: float,
        after_event: Callable[[], Any] | None = None,
        secure: Callable[[GuestRecord], Awaitable[Any]] | None = None,
    ) -> None:
        async def timeline() -> None:
            for event in self.scenario.timeline:
                await sleep(started + event.at - now())
                if event.kind == "advance":
                    self.jumps.append((now(), event.args["seconds"]))
                try:
                    summary = await apply_event(target, event.kind, event.args)
                except Exception as exc:
                    summary = f"failed: {_describe(exc)}"
                self.events.append({"t": event.at, "kind": event.kind, "summary": summary})
                if after_event is not None:
                    await after_event()

        indices = self.guest_indices()

        async def one(record: GuestRecord) -> None:
            rng = random.Random(f"{record.seed}/pacing")
            try:
                await _drive_guest(
                    self.scenario, record, lambda: self.factory(context(record)), rng, now, sleep, secure
                )
            finally:
                self.finished_one(len(indices))

        timeline_task = asyncio.ensure_future(timeline())
        try:
            await asyncio.gather(*(one(records[i]) for i in indices))
        finally:
            timeline_task.cancel()
            await asyncio.gather(timeline_task, return_exceptions=True)


def _mock_for(scenario: Scenario, clock: Clock) -> MockGenesys:
    world = dict(scenario.world)
    overrides = {k: world.pop(k) for k in DEPLOYMENT_OVERRIDES if k in world}
    budget = max(200_000, scenario.guests * max(1, scenario.workload.messages) * 40)
    mock = MockGenesys(seed=scenario.seed, clock=clock, journal_size=budget, **world)
    deployment = mock.world.default_deployment
    for name, value in overrides.items():
        setattr(deployment, name, value)
    return mock


async def _run_in_process(run: _Run, scenario: Scenario) -> tuple[ServerView, list[GuestRecord], dict[str, Any]]:
    clock = SimClock()
    mock = _mock_for(scenario, clock)
    clock.deadline_sources.append(mock.scheduler.next_due)
    tag = f"{scenario.name}/{scenario.seed}"
    records = run.records(tag)
    started = clock.now()
    target = EventTarget(rng=random.Random(f"chaos/{scenario.seed}/timeline"), mock=mock)

    def context(record: GuestRecord) -> GuestContext:
        return GuestContext(
            index=record.index,
            name=record.name,
            seed=record.seed,
            clock=clock,
            deployment_id=mock.deployment_id,
            client_id=mock.client_id,
            client_secret=mock.client_secret,
            mock=mock,
        )

    step = scenario.workload.secure_session
    secure = None
    if step is not None:

        async def secure(record: GuestRecord) -> Any:
            return await create_secure_session(mock, step, clock, guest=record.index, tag=tag, seed=record.seed)

    aborted = None
    try:
        await asyncio.wait_for(
            clock.drive(
                run.guests_and_timeline(records, context, target, clock.now, clock.sleep, started, secure=secure),
                max_seconds=scenario.limits.max_virtual_seconds,
            ),
            timeout=scenario.limits.max_wall_seconds,
        )
    except SimulationLimit as exc:
        aborted = str(exc)
    except TimeoutError:
        aborted = f"the run took longer than {scenario.limits.max_wall_seconds:g} wall seconds"
    ended = clock.now()
    snapshot = mock.world.snapshot()
    view = ServerView(
        tag,
        snapshot["conversations"],
        snapshot["guest_sessions"],
        list(mock.journal),
        run.jumps,
        snapshot["seed_sessions"],
    )
    firings = [
        {"t": round(f.time - started, 3), "rule": f.rule_id, "endpoint": f.endpoint} for f in mock.faults.firings
    ]
    info = {"started": started, "ended": ended, "firings": firings, "aborted": aborted}
    return view, records, info


async def _run_live(
    run: _Run, scenario: Scenario, url: str, admin_token: str | None
) -> tuple[ServerView, list[GuestRecord], dict[str, Any]]:
    live_only = [e.kind for e in scenario.timeline if EVENT_KINDS[e.kind].live is None]
    if scenario.workload.secure_session is not None:
        live_only.append("workload.secure_session")
    if live_only:
        raise ChaosError(
            f"Scenario {scenario.name} uses {sorted(set(live_only))}, which work only in-process; "
            "run it without --target."
        )
    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30.0) as admin:
        try:
            clock_now = (await admin.get("/__admin/clock")).json()["now"]
            world = (await admin.get("/__admin/world")).json()
            marks = (await admin.get("/__admin/journal", params={"endpoint": "admin.*"})).text.splitlines()
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            raise ChaosError(f"Cannot reach the mock's admin API at {url}/__admin: {_describe(exc)}.") from exc
        since = max((int(Entry(**_json(line)).seq) for line in marks if line.strip()), default=0)
        offset = [float(clock_now) - time.time()]

        def now() -> float:
            return time.time() + offset[0]

        async def refresh_offset() -> None:
            answer = (await admin.get("/__admin/clock")).json()
            offset[0] = float(answer["now"]) - time.time()

        tag = f"{scenario.name}/{scenario.seed}/{random.Random().getrandbits(32):08x}"
        records = run.records(tag)
        deployment_id = str(world["deployments"][0]["id"])
        client = world["clients"][0]
        started = now()
        target = EventTarget(rng=random.Random(f"chaos/{scenario.seed}/timeline"), admin=admin)

        def context(record: GuestRecord) -> GuestContext:
            return GuestContext(
                index=record.index,
                name=record.name,
                seed=record.seed,
                clock=SystemClock(),
                deployment_id=deployment_id,
                client_id=str(client["id"]),
                client_secret=str(client["secret"]),
                base_url=url,
            )

        async def sleep(seconds: float) -> None:
            await asyncio.sleep(max(0.0, seconds))

        aborted = None
        try:
            await asyncio.wait_for(
                run.guests_and_timeline(records, context, target, now, sleep, started, refresh_offset),
                timeout=scenario.limits.max_wall_seconds,
            )
        except TimeoutError:
            aborted = f"the run took longer than {scenario.limits.max_wall_seconds:g} wall seconds"
        ended = now()
        world = (await admin.get("/__admin/world")).json()
        lines = (await admin.get("/__admin/journal", params={"since": since})).text.splitlines()
    entries = [Entry(**_json(line)) for line in lines if line.strip()]
    view = ServerView(tag, world["conversations"], world["guest_sessions"], entries, run.jumps, world["seed_sessions"])
    firings = [{"t": round(e.time - started, 3), "rule": e.fault, "endpoint": e.endpoint} for e in entries if e.fault]
    return view, records, {"started": started, "ended": ended, "firings": firings, "aborted": aborted}


def _json(line: str) -> dict[str, Any]:
    import json

    data: dict[str, Any] = json.loads(line)
    return data


async def run_scenario_async(
    scenario: Scenario,
    *,
    guests: int | None = None,
    seed: int | None = None,
    target: str | None = None,
    guest: int | None = None,
    isolate: bool = False,
    adapter_factory: AdapterFactory | None = None,
    progress: Progress | None = None,
    admin_token: str | None = None,
) -> ScenarioResult:
    """Run ``scenario`` and judge it; see ``run_scenario``."""
    scenario = scenario.with_overrides(guests=guests, seed=seed)
    if guest is not None and not 0 <= guest < scenario.guests:
        raise ConfigError(
            f"--guest must be from 0 to {scenario.guests - 1} (the scenario has {scenario.guests} guests), got {guest}."
        )
    if isolate and guest is None:
        raise ConfigError("isolate needs a guest: pass --guest K with --isolate.")
    run = _Run(scenario, adapter_factory or core_adapter_factory, progress, guest if isolate else None)
    wall = time.perf_counter()
    if target is None:
        view, records, info = await _run_in_process(run, scenario)
    else:
        view, records, info = await _run_live(run, scenario, target.rstrip("/"), admin_token)
    judged = [records[i] for i in run.guest_indices()]
    results = evaluate(((s.name, s.params) for s in scenario.invariants), view, judged)
    notes = []
    if target is not None and scenario.world:
        notes.append("world overrides are ignored against a live target (configure the server instead)")
    if isolate:
        notes.append(f"guest {guest} ran alone: faults counted across guests may fire differently than in the full run")
    if guest is not None:
        results = [_focus(r, guest) for r in results]
    metrics = collect(
        view, judged, started=info["started"], ended=info["ended"], firings=info["firings"], events=run.events
    )
    return ScenarioResult(
        scenario=scenario,
        target=target,
        invariants=results,
        metrics=metrics,
        records=records,
        aborted=info["aborted"],
        wall_seconds=time.perf_counter() - wall,
        focus=guest,
        notes=notes,
    )


def _focus(result: InvariantResult, guest: int) -> InvariantResult:
    prefix = f"guest {guest}:"
    mine = [line for line in result.evidence if line.startswith(prefix)]
    shared = [line for line in result.evidence if not line.startswith("guest ")]
    evidence = mine + shared
    passed = not evidence
    summary = (
        result.summary if not passed else f"guest {guest}: passed" + ("" if result.passed else " (other guests failed)")
    )
    return InvariantResult(result.name, result.params, passed, summary, evidence, [guest] if mine else [])


def run_scenario(scenario: Scenario, **options: Any) -> ScenarioResult:
    """Run one scenario to completion and judge it against its invariants.

    Options: ``guests``, ``seed`` (override the scenario's), ``target`` (a live base URL),
    ``guest`` (judge only guest K; with ``isolate=True`` run only guest K), ``adapter_factory``
    (``GuestContext -> GuestAdapter``), ``progress`` (``(scenario, done, total)``), ``admin_token``.
    """
    return asyncio.run(run_scenario_async(scenario, **options))
