"""Timeline events: what a scenario does to the mock at a time of the run.

Each kind is registered with a validator (run when the scenario loads) and one action written
against ``MockControl``, so it acts the same in-process and live. Random picks (which sessions,
conversations or sockets) are drawn here from what the control reports, from the timeline's own
RNG: one seed picks the same set in-process and live. What each kind does is the timeline table
of ``docs/chaos.md``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from mockgenesys.chaos.control import MockControl, Occupation
from mockgenesys.faults.rules import validate_rule
from mockgenesys.server.endpoints import endpoint_catalogue


@dataclass
class RuleIds:
    """The ids a scenario calls its fault rules by, as its timeline arms and removes them.

    A ``fault`` event with an ``id`` is that id; one without is ``rule-N``, numbered from
    ``rule-1`` in timeline order exactly as a fresh (or reset) ``FaultPlan`` numbers them.
    ``installed`` maps each to the id the mock gave it, which differs on a live server that
    already numbered other rules; ``remove_fault`` goes through this map, so it removes the
    scenario's own rule wherever it runs. The loader replays a timeline through one of these to
    refuse, before anything runs, a ``remove_fault`` of a rule that is not installed then.
    """

    installed: dict[str, str] = field(default_factory=dict)
    numbered: int = 0

    def arm(self, given: str | None) -> str:
        """The scenario's id for the next rule armed (``given``, or the next free ``rule-N``)."""
        if given is not None:
            if given in self.installed:
                raise ValueError(f"a rule with id {given!r} is already installed at this time; pick another id")
            return given
        self.numbered += 1
        while f"rule-{self.numbered}" in self.installed:
            self.numbered += 1
        return f"rule-{self.numbered}"


@dataclass
class EventContext:
    """What a timeline event acts through.

    ``later(seconds, action)`` runs ``action`` that much later on the run's time;
    ``occupations`` collects held connections (the runner releases any left at the end);
    ``jumps`` collects clock moves as (time, seconds), which ``recovery_within`` leaves out;
    ``rules`` maps the scenario's rule ids to the mock's.
    """

    control: MockControl
    rng: random.Random
    later: Callable[[float, Callable[[], Awaitable[None]]], None]
    occupations: list[Occupation] = field(default_factory=list)
    jumps: list[tuple[float, float]] = field(default_factory=list)
    rules: RuleIds = field(default_factory=RuleIds)


Validator = Callable[[Any], dict[str, Any]]
Act = Callable[[EventContext, dict[str, Any]], Awaitable[str]]


@dataclass(frozen=True)
class EventKind:
    """A timeline event kind: how its arguments are checked and what it does."""

    name: str
    validate: Validator
    act: Act


# ---------------------------------------------------------------------- validators
def _fraction(value: Any, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    if value is None or value is True:
        value = {}
    if not isinstance(value, dict):
        raise ValueError(f"must be a mapping like {{fraction: 0.5}} (or true for all), got {value!r}")
    unknown = sorted(set(value) - {"fraction", *extra})
    if unknown:
        raise ValueError(f"unknown field(s) {unknown}; valid fields: {', '.join(('fraction', *extra))}")
    fraction = value.get("fraction", 1.0)
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction <= 1:
        raise ValueError(f"fraction must be a number in (0, 1], got {fraction!r}")
    return {**value, "fraction": float(fraction)}


def _seconds(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        value = value.get("seconds")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"must be a number of virtual seconds >= 0, got {value!r}")
    return {"seconds": float(value)}


def _fault_rule(value: Any) -> dict[str, Any]:
    """A fault rule, with its endpoint ids, actions and methods checked against the mock's."""
    return validate_rule(value, endpoint_catalogue())


def _rule_id(value: Any) -> dict[str, Any]:
    if not isinstance(value, str) or not value:
        raise ValueError(f"must be the id of a fault rule given in an earlier 'fault' event, got {value!r}")
    return {"id": value}


def _flag(value: Any) -> dict[str, Any]:
    if value is not True and value != {}:
        raise ValueError(f"takes no arguments: write 'true', got {value!r}")
    return {}


def _occupy_args(value: Any) -> dict[str, Any]:
    args = _fraction(value, ("count", "hold"))
    count = args.get("count", 3)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 10:
        raise ValueError(f"count must be a whole number from 1 to 10, got {count!r}")
    hold = args.get("hold", 30)
    if isinstance(hold, bool) or not isinstance(hold, (int, float)) or hold <= 0:
        raise ValueError(f"hold must be virtual seconds > 0, got {hold!r}")
    return {**args, "count": count, "hold": float(hold)}


def _reply(value: Any) -> dict[str, Any]:
    args = _fraction(value, ("text",))
    text = args.get("text", "An agent is looking into it.")
    if not isinstance(text, str) or not text:
        raise ValueError(f"text must be a non-empty string, got {text!r}")
    return {**args, "text": text}


def _tokens(value: Any) -> dict[str, Any]:
    if value is None or value is True:
        return {}
    if not isinstance(value, dict) or set(value) - {"client_id"}:
        raise ValueError(f"must be true or {{client_id: ID}}, got {value!r}")
    return dict(value)


# ---------------------------------------------------------------------- picking
def _pick(rng: random.Random, items: list[Any], fraction: float) -> list[Any]:
    if not items:
        return []
    count = max(1, math.ceil(len(items) * fraction))
    return items if count >= len(items) else sorted(rng.sample(items, count), key=items.index)


async def _active_conversations(control: MockControl) -> list[str]:
    return sorted({s.conversation_id for s in await control.sessions() if s.conversation_active})


# ---------------------------------------------------------------------- faults
async def _fault(ctx: EventContext, args: dict[str, Any]) -> str:
    name = ctx.rules.arm(args.get("id"))
    actual = await ctx.control.add_fault(args)
    ctx.rules.installed[name] = actual
    return f"armed {name}" if actual == name else f"armed {name} (the mock's {actual})"


async def _remove(ctx: EventContext, args: dict[str, Any]) -> str:
    actual = ctx.rules.installed.pop(args["id"], None)
    if actual is None or not await ctx.control.remove_fault(actual):
        return f"no rule {args['id']}"
    return f"removed {args['id']}"


async def _clear(ctx: EventContext, args: dict[str, Any]) -> str:
    await ctx.control.clear_faults()
    ctx.rules.installed.clear()
    return "cleared every fault rule"


# ---------------------------------------------------------------------- clock and credentials
async def _advance(ctx: EventContext, args: dict[str, Any]) -> str:
    ctx.jumps.append((ctx.control.now(), args["seconds"]))
    await ctx.control.advance(args["seconds"])
    return f"clock +{args['seconds']:g} s"


async def _expire_tokens(ctx: EventContext, args: dict[str, Any]) -> str:
    count = await ctx.control.expire_tokens(args.get("client_id"))
    return f"expired {count} access token(s)"


async def _expire_sessions(ctx: EventContext, args: dict[str, Any]) -> str:
    chosen = _pick(ctx.rng, await ctx.control.sessions(), args["fraction"])
    for session in chosen:
        await ctx.control.expire_session(session.id)
    return f"expired {len(chosen)} guest session(s)"


# ---------------------------------------------------------------------- agent side
async def _close(ctx: EventContext, args: dict[str, Any]) -> str:
    chosen = _pick(ctx.rng, await _active_conversations(ctx.control), args["fraction"])
    for conversation_id in chosen:
        await ctx.control.agent_disconnect(conversation_id)
    return f"agent closed {len(chosen)} conversation(s)"


async def _agent_reply(ctx: EventContext, args: dict[str, Any]) -> str:
    chosen = _pick(ctx.rng, await _active_conversations(ctx.control), args["fraction"])
    for conversation_id in chosen:
        await ctx.control.agent_reply(conversation_id, args["text"])
    return f"agent replied in {len(chosen)} conversation(s)"


# ---------------------------------------------------------------------- sockets
async def _drop(ctx: EventContext, args: dict[str, Any]) -> str:
    chosen = _pick(ctx.rng, list(await ctx.control.connections()), args["fraction"])
    dropped = await ctx.control.drop(chosen) if chosen else 0
    return f"dropped {dropped} guest socket(s)"


async def _occupy(ctx: EventContext, args: dict[str, Any]) -> str:
    """Other tabs take connection slots of guest sessions (up to the cap) and give them back later."""
    chosen = _pick(ctx.rng, await ctx.control.sessions(), args["fraction"])
    opened = 0
    for session in chosen:
        occupation = await ctx.control.occupy(session, args["count"])
        ctx.occupations.append(occupation)
        ctx.later(args["hold"], occupation.release)
        opened += occupation.opened
    return f"occupied {opened} connection slot(s) on {len(chosen)} session(s) for {args['hold']:g} s"


EVENT_KINDS: dict[str, EventKind] = {
    kind.name: kind
    for kind in (
        EventKind("fault", _fault_rule, _fault),
        EventKind("remove_fault", _rule_id, _remove),
        EventKind("clear_faults", _flag, _clear),
        EventKind("advance", _seconds, _advance),
        EventKind("expire_tokens", _tokens, _expire_tokens),
        EventKind("expire_sessions", _fraction, _expire_sessions),
        EventKind("close_conversations", _fraction, _close),
        EventKind("agent_reply", _reply, _agent_reply),
        EventKind("drop_sockets", _fraction, _drop),
        EventKind("occupy_connections", _occupy_args, _occupy),
    )
}


def validate_event(kind: str, value: Any) -> dict[str, Any]:
    """Validate the arguments of one timeline event kind (``ValueError`` or ``FaultRuleError``)."""
    return EVENT_KINDS[kind].validate(value)


async def apply_event(ctx: EventContext, kind: str, args: dict[str, Any]) -> str:
    """Run one event through ``ctx.control``; returns a one-line summary for the report."""
    return await EVENT_KINDS[kind].act(ctx, args)
