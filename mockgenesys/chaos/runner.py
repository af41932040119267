"""Run a scenario: its workloads as concurrent asyncio tasks beside the timeline, then the verdicts.

One skeleton serves both ways of running, over ``MockControl``: in-process (the default) the
mock and every actor share one ``SimClock``, so the run is deterministic per seed and virtual
waits cost no wall time; with ``target`` the actors talk to a live server in real time and the
timeline acts through its ``/__admin`` API. Every option is checked before anything runs.

The workloads of a run are registered in ``_workloads``: the guests (``GuestWorkload``, driven
through the ``GuestAdapter`` protocol; ``adapter_factory`` builds one adapter per guest); when the
scenario has a ``platform`` section, the platform workload (``PlatformWorkload``: concurrent
callers sharing one ``PlatformAdapter`` that ``platform_factory`` builds); when it has ``bot``, the
bot with its Open Messaging users (``chaos.bots.BotWorkload``).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from mockgenesys.chaos.actors import Actors, RunEnv
from mockgenesys.chaos.adapters import (
    AdapterFactory,
    PlatformFactory,
    core_adapter_factory,
    core_platform_factory,
    factory_spec,
)
from mockgenesys.chaos.bots import BotWorkload
from mockgenesys.chaos.control import MockControl
from mockgenesys.chaos.errors import OptionsError
from mockgenesys.chaos.events import EventContext, apply_event
from mockgenesys.chaos.guests import GuestWorkload, describe
from mockgenesys.chaos.inprocess import InProcessControl
from mockgenesys.chaos.invariants import InvariantResult, evaluate
from mockgenesys.chaos.metrics import collect
from mockgenesys.chaos.platform import PlatformWorkload
from mockgenesys.chaos.records import ServerView
from mockgenesys.chaos.remote import AdminControl
from mockgenesys.chaos.result import AppliedEvent, ScenarioResult
from mockgenesys.chaos.scenario import Scenario
from mockgenesys.chaos.simclock import SimulationLimit

Progress = Callable[[str, int, int], None]
INTERRUPTED = "interrupted by Ctrl-C: the verdicts judge only what ran"


@dataclass
class PreparedRun:
    """A scenario with its options checked (``prepare``): ``run()`` or ``await run_async()`` it."""

    scenario: Scenario
    factory: AdapterFactory
    platform_factory: PlatformFactory
    target: str | None
    admin_token: str | None
    guest: int | None
    isolate: bool
    progress: Progress | None
    events: list[AppliedEvent] = field(default_factory=list, init=False)  # of the run under way
    done: int = field(default=0, init=False)

    @contextlib.asynccontextmanager
    async def _control(self) -> AsyncIterator[MockControl]:
        if self.target is None:
            yield InProcessControl.for_scenario(self.scenario)
        else:
            async with AdminControl.connect(self.target, admin_token=self.admin_token) as control:
                yield control

    def _workloads(self, tag: str) -> tuple[GuestWorkload, PlatformWorkload, list[Actors]]:
        guests = GuestWorkload(self.scenario, tag, self.factory, only=self.guest if self.isolate else None)
        platform = PlatformWorkload(self.scenario, self.platform_factory)
        bots = BotWorkload(self.scenario, guests)
        return guests, platform, [guests, platform, bots] if not self.isolate else [guests]

    def run(self) -> ScenarioResult:
        """Run and judge in a new event loop; Ctrl-C ends the run with a partial result (``interrupted``)."""
        return asyncio.run(self._execute(partial_on_cancel=True))

    async def run_async(self) -> ScenarioResult:
        """Run and judge in the running event loop; cancelling it cancels the run."""
        return await self._execute(partial_on_cancel=False)

    async def _execute(self, *, partial_on_cancel: bool) -> ScenarioResult:
        wall = time.perf_counter()
        self.events, self.done = [], 0
        scenario = self.scenario
        async with self._control() as control:
            tag = f"{scenario.name}/{scenario.seed}" + (f"/{secrets.token_hex(4)}" if control.is_live else "")
            guests, platform, workloads = self._workloads(tag)
            background: list[asyncio.Task[None]] = []
            ctx = EventContext(control, random.Random(f"chaos/{scenario.seed}/timeline"), _later(control, background))
            started = control.now()
            aborted: str | None = None
            interrupted = False
            try:
                main = self._everything(RunEnv(scenario, control, tag), workloads, ctx, started)
                await asyncio.wait_for(
                    control.drive(main, max_seconds=scenario.limits.max_virtual_seconds),
                    timeout=scenario.limits.max_wall_seconds,
                )
            except SimulationLimit as exc:
                aborted = str(exc)
            except TimeoutError:
                aborted = f"the run took longer than {scenario.limits.max_wall_seconds:g} wall seconds"
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not partial_on_cancel or task is None:
                    raise
                task.uncancel()
                aborted, interrupted = INTERRUPTED, True
            finally:
                await _stop(background)
                for occupation in ctx.occupations:
                    await occupation.release()
            ended = control.now()
            evidence = await control.evidence()
        view = ServerView.from_evidence(tag, evidence, ctx.jumps, control.facts.org_id)
        judged = guests.running
        record = platform.record if not self.isolate else None
        bot = next((w.record.principals for w in workloads if isinstance(w, BotWorkload)), set())
        results = evaluate(((s.name, s.params) for s in scenario.invariants), view, judged, record, frozenset(bot))
        if self.guest is not None:
            results = [_focus(r, self.guest) for r in results]
        metrics = collect(view, judged, started=started, ended=ended, firings=evidence.firings, events=self.events)
        spec = factory_spec(self.factory) if self.factory is not core_adapter_factory else None
        platform_spec = (
            factory_spec(self.platform_factory) if self.platform_factory is not core_platform_factory else None
        )
        return ScenarioResult(
            scenario=scenario,
            target=self.target,
            invariants=results,
            metrics=metrics,
            records=guests.records,
            aborted=aborted,
            wall_seconds=time.perf_counter() - wall,
            focus=self.guest,
            notes=self._notes(spec, platform_spec),
            adapter=spec,
            platform_adapter=platform_spec,
            platform=record,
            isolate=self.isolate,
            interrupted=interrupted,
        )

    async def _everything(self, env: RunEnv, workloads: list[Actors], ctx: EventContext, started: float) -> None:
        actors = [actor for workload in workloads for actor in workload.plan(env)]
        timeline = asyncio.ensure_future(self._timeline(ctx, started))
        try:
            await _all_or_nothing([self._counted(actor, len(actors)) for actor in actors])
        finally:
            timeline.cancel()
            await asyncio.gather(timeline, return_exceptions=True)

    async def _counted(self, actor: Coroutine[Any, Any, None], total: int) -> None:
        await actor
        self.done += 1  # not in a finally: a run cut short must not show its guests as done
        if self.progress is not None:
            self.progress(self.scenario.name, self.done, total)

    async def _timeline(self, ctx: EventContext, started: float) -> None:
        for event in self.scenario.timeline:
            await ctx.control.sleep(started + event.at - ctx.control.now())
            try:
                summary = await apply_event(ctx, event.kind, event.args)
            except Exception as exc:
                summary = f"failed: {describe(exc)}"
            self.events.append(AppliedEvent(event.at, event.kind, summary))

    def _notes(self, spec: str | None, platform_spec: str | None) -> list[str]:
        notes = []
        if self.target is not None and self.scenario.world:
            notes.append("world overrides are ignored against a live target (configure the server instead)")
        if self.isolate:
            notes.append(
                f"guest {self.guest} ran alone: faults counted across guests may fire differently than in the full run"
            )
        if spec is None and self.factory is not core_adapter_factory:
            notes.append(
                f"the adapter factory {getattr(self.factory, '__qualname__', self.factory)!r} has no importable "
                "module:name, so the replay commands lack --adapter; define it at module level to replay from the CLI"
            )
        if self.scenario.platform is not None and self.isolate:
            notes.append("the platform workload did not run: an isolated replay runs one guest alone")
        if platform_spec is None and self.platform_factory is not core_platform_factory:
            notes.append(
                f"the platform factory {getattr(self.platform_factory, '__qualname__', self.platform_factory)!r} has "
                "no importable module:name, so the replay commands lack --platform-adapter"
            )
        return notes


def _later(
    control: MockControl, tasks: list[asyncio.Task[None]]
) -> Callable[[float, Callable[[], Awaitable[None]]], None]:
    def later(seconds: float, action: Callable[[], Awaitable[None]]) -> None:
        async def wait_then_act() -> None:
            await control.sleep(seconds)
            await action()

        tasks.append(asyncio.ensure_future(wait_then_act()))

    return later


async def _stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _all_or_nothing(actors: list[Coroutine[Any, Any, None]]) -> None:
    """Run every actor; the first that raises cancels the others, and its error propagates."""
    tasks = [asyncio.ensure_future(actor) for actor in actors]
    try:
        await asyncio.gather(*tasks)
    finally:
        await _stop(tasks)


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


def check_target(target: str) -> str:
    """``target`` without a trailing slash, if it is an http(s) base URL; ``OptionsError`` otherwise."""
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise OptionsError(
            f"--target must be the base URL of a running mock, like http://127.0.0.1:8765; got {target!r}."
        )
    return target.rstrip("/")


def prepare(
    scenario: Scenario,
    *,
    guests: int | None = None,
    seed: int | None = None,
    target: str | None = None,
    guest: int | None = None,
    isolate: bool = False,
    adapter_factory: AdapterFactory | None = None,
    platform_factory: PlatformFactory | None = None,
    progress: Progress | None = None,
    admin_token: str | None = None,
) -> PreparedRun:
    """Check every option against ``scenario`` before anything runs; ``OptionsError`` or ``ScenarioError``."""
    scenario = scenario.with_overrides(guests=guests, seed=seed)
    if guest is not None and not 0 <= guest < scenario.guests:
        raise OptionsError(
            f"--guest must be from 0 to {scenario.guests - 1} (scenario {scenario.name} has {scenario.guests} "
            f"guests), got {guest}."
        )
    if isolate and guest is None:
        raise OptionsError("isolate needs a guest: pass --guest K with --isolate.")
    return PreparedRun(
        scenario=scenario,
        factory=adapter_factory or core_adapter_factory,
        platform_factory=platform_factory or core_platform_factory,
        target=check_target(target) if target is not None else None,
        admin_token=admin_token,
        guest=guest,
        isolate=isolate,
        progress=progress,
    )


async def run_scenario_async(
    scenario: Scenario,
    *,
    guests: int | None = None,
    seed: int | None = None,
    target: str | None = None,
    guest: int | None = None,
    isolate: bool = False,
    adapter_factory: AdapterFactory | None = None,
    platform_factory: PlatformFactory | None = None,
    progress: Progress | None = None,
    admin_token: str | None = None,
) -> ScenarioResult:
    """Run ``scenario`` and judge it, inside a running event loop; see ``run_scenario``."""
    run = prepare(
        scenario,
        guests=guests,
        seed=seed,
        target=target,
        guest=guest,
        isolate=isolate,
        adapter_factory=adapter_factory,
        platform_factory=platform_factory,
        progress=progress,
        admin_token=admin_token,
    )
    return await run.run_async()


def run_scenario(
    scenario: Scenario,
    *,
    guests: int | None = None,
    seed: int | None = None,
    target: str | None = None,
    guest: int | None = None,
    isolate: bool = False,
    adapter_factory: AdapterFactory | None = None,
    platform_factory: PlatformFactory | None = None,
    progress: Progress | None = None,
    admin_token: str | None = None,
) -> ScenarioResult:
    """Run one scenario to completion and judge it against its invariants.

    ``guests`` and ``seed`` override the scenario's; ``target`` is a live mock's base URL (the
    timeline then acts through its ``/__admin``, with ``admin_token`` if it needs one);
    ``guest`` judges only guest K, and ``isolate=True`` runs only guest K; ``adapter_factory``
    builds each guest's ``GuestAdapter`` from a ``GuestContext`` (default: the client core), and
    ``platform_factory`` the platform workload's ``PlatformAdapter`` from a ``PlatformContext``;
    ``progress(scenario, done, total)`` hears of each guest that finished. Bad options raise
    ``OptionsError`` before anything runs; an adapter that is not a ``GuestAdapter`` raises
    ``AdapterError``. Ctrl-C ends the run early with a partial result (``interrupted``).

        result = run_scenario(load_builtin("baseline"), guests=3)
        assert result.passed
    """
    run = prepare(
        scenario,
        guests=guests,
        seed=seed,
        target=target,
        guest=guest,
        isolate=isolate,
        adapter_factory=adapter_factory,
        platform_factory=platform_factory,
        progress=progress,
        admin_token=admin_token,
    )
    return run.run()
