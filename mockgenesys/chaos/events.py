"""Timeline events: what a scenario does to the mock at a virtual time.

Each kind is registered with a validator and how it acts in-process (on the ``MockGenesys``)
and live (through the ``/__admin`` API). A kind without a live form is refused when the run
starts with ``--target``, before any guest connects. What each kind does is the timeline table
of ``docs/chaos.md``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from mockgenesys.faults.rules import validate_rule

if TYPE_CHECKING:
    from mockgenesys.mock import MockGenesys


@dataclass
class EventTarget:
    """Where timeline events act: an in-process mock, or a live server's admin API."""

    rng: random.Random
    mock: MockGenesys | None = None
    admin: httpx.AsyncClient | None = None


Validator = Callable[[Any], dict[str, Any]]
InProcess = Callable[[EventTarget, dict[str, Any]], str]
Live = Callable[[EventTarget, dict[str, Any]], Awaitable[str]]


@dataclass(frozen=True)
class EventKind:
    name: str
    validate: Validator
    in_process: InProcess
    live: Live | None


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


def _rule_id(value: Any) -> dict[str, Any]:
    if not isinstance(value, str) or not value:
        raise ValueError(f"must be the id of a fault rule given in an earlier 'fault' event, got {value!r}")
    return {"id": value}


def _flag(value: Any) -> dict[str, Any]:
    if value is not True and value != {}:
        raise ValueError(f"takes no arguments: write 'true', got {value!r}")
    return {}


def _occupy(value: Any) -> dict[str, Any]:
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


# ---------------------------------------------------------------------- helpers
def _pick(rng: random.Random, items: list[Any], fraction: float) -> list[Any]:
    if not items:
        return []
    count = max(1, math.ceil(len(items) * fraction))
    return items if count >= len(items) else sorted(rng.sample(items, count), key=items.index)


def _mock(target: EventTarget) -> MockGenesys:
    assert target.mock is not None
    return target.mock


def _open_sessions(mock: MockGenesys) -> list[Any]:
    return sorted((s for s in mock.world.guest_sessions.values() if not s.closed and not s.expired), key=lambda s: s.id)


async def _admin(target: EventTarget, method: str, path: str, body: Any = None) -> httpx.Response:
    assert target.admin is not None
    response = await target.admin.request(method, path, json=body)
    if response.status_code >= 400:
        raise RuntimeError(f"{method} {path} answered {response.status_code}: {response.text[:200]}")
    return response


def _open_live_sessions(world: dict[str, Any]) -> list[dict[str, Any]]:
    sessions = [s for s in world.get("guest_sessions", []) if not s.get("closed") and not s.get("expired")]
    return sorted(sessions, key=lambda s: str(s["id"]))


async def _live_world(target: EventTarget) -> dict[str, Any]:
    world: dict[str, Any] = (await _admin(target, "GET", "/__admin/world")).json()
    return world


# ---------------------------------------------------------------------- fault, remove_fault, clear_faults
def _fault(target: EventTarget, args: dict[str, Any]) -> str:
    rules = _mock(target).add_fault(args)
    return f"armed {rules[0].id}"


async def _fault_live(target: EventTarget, args: dict[str, Any]) -> str:
    answer = (await _admin(target, "POST", "/__admin/faults", args)).json()
    return f"armed {answer['faults'][0]['id']}"


def _remove(target: EventTarget, args: dict[str, Any]) -> str:
    return f"removed {args['id']}" if _mock(target).faults.remove(args["id"]) else f"no rule {args['id']}"


async def _remove_live(target: EventTarget, args: dict[str, Any]) -> str:
    await _admin(target, "DELETE", f"/__admin/faults/{args['id']}")
    return f"removed {args['id']}"


def _clear(target: EventTarget, args: dict[str, Any]) -> str:
    _mock(target).faults.clear()
    return "cleared every fault rule"


async def _clear_live(target: EventTarget, args: dict[str, Any]) -> str:
    await _admin(target, "DELETE", "/__admin/faults")
    return "cleared every fault rule"


# ---------------------------------------------------------------------- clock and credentials
def _advance(target: EventTarget, args: dict[str, Any]) -> str:
    _mock(target).clock.advance(args["seconds"])
    return f"clock +{args['seconds']:g} s"


async def _advance_live(target: EventTarget, args: dict[str, Any]) -> str:
    await _admin(target, "POST", "/__admin/clock/advance", {"seconds": args["seconds"]})
    return f"clock +{args['seconds']:g} s"


def _expire_tokens(target: EventTarget, args: dict[str, Any]) -> str:
    mock = _mock(target)
    count = mock.world.expire_tokens(client_id=args.get("client_id"), now=mock.clock.now())
    return f"expired {count} access token(s)"


async def _expire_tokens_live(target: EventTarget, args: dict[str, Any]) -> str:
    body = {"clientId": args["client_id"]} if "client_id" in args else {}
    answer = (await _admin(target, "POST", "/__admin/world/expire-tokens", body)).json()
    return f"expired {answer.get('expired', '?')} access token(s)"


def _expire_sessions(target: EventTarget, args: dict[str, Any]) -> str:
    mock = _mock(target)
    chosen = _pick(target.rng, _open_sessions(mock), args["fraction"])
    for session in chosen:
        mock.hub.expire_session(session)
    return f"expired {len(chosen)} guest session(s)"


async def _expire_sessions_live(target: EventTarget, args: dict[str, Any]) -> str:
    chosen = _pick(target.rng, _open_live_sessions(await _live_world(target)), args["fraction"])
    for session in chosen:
        await _admin(target, "POST", "/__admin/world/expire-sessions", {"sessionId": session["id"]})
    return f"expired {len(chosen)} guest session(s)"


# ---------------------------------------------------------------------- agent side
def _guest_conversations(mock: MockGenesys) -> list[str]:
    ids = {s.conversation_id for s in _open_sessions(mock)}
    return sorted(c for c in ids if mock.world.conversations[c].is_active)


async def _live_conversations(target: EventTarget) -> list[str]:
    world = await _live_world(target)
    # the same filter as Conversation.is_active, so a seed picks from the same set in-process and live
    active = {
        str(c["id"]) for c in world.get("conversations", []) if c.get("state") not in ("disconnected", "terminated")
    }
    return sorted({str(s["conversation_id"]) for s in _open_live_sessions(world)} & active)


def _close(target: EventTarget, args: dict[str, Any]) -> str:
    mock = _mock(target)
    chosen = _pick(target.rng, _guest_conversations(mock), args["fraction"])
    for conversation_id in chosen:
        mock.agent.disconnect(conversation_id)
    return f"agent closed {len(chosen)} conversation(s)"


async def _close_live(target: EventTarget, args: dict[str, Any]) -> str:
    chosen = _pick(target.rng, await _live_conversations(target), args["fraction"])
    for conversation_id in chosen:
        await _admin(target, "POST", f"/__admin/agent/{conversation_id}/disconnect")
    return f"agent closed {len(chosen)} conversation(s)"


def _agent_reply(target: EventTarget, args: dict[str, Any]) -> str:
    mock = _mock(target)
    chosen = _pick(target.rng, _guest_conversations(mock), args["fraction"])
    for conversation_id in chosen:
        mock.agent.reply(conversation_id, args["text"])
    return f"agent replied in {len(chosen)} conversation(s)"


async def _agent_reply_live(target: EventTarget, args: dict[str, Any]) -> str:
    chosen = _pick(target.rng, await _live_conversations(target), args["fraction"])
    for conversation_id in chosen:
        await _admin(target, "POST", f"/__admin/agent/{conversation_id}/reply", {"text": args["text"]})
    return f"agent replied in {len(chosen)} conversation(s)"


# ---------------------------------------------------------------------- sockets
def _drop(target: EventTarget, args: dict[str, Any]) -> str:
    mock = _mock(target)
    connections = [c for peers in mock.hub.connections.values() for c in peers]
    connections.sort(key=lambda c: c.id)
    chosen = _pick(target.rng, connections, args["fraction"])
    for conn in chosen:
        conn.drop()
    return f"dropped {len(chosen)} guest socket(s)"


def _occupy_connections(target: EventTarget, args: dict[str, Any]) -> str:
    """Open extra connections on guest sessions (up to the per-session cap), release them later."""
    mock = _mock(target)
    chosen = _pick(target.rng, _open_sessions(mock), args["fraction"])
    opened = []
    for session in chosen:
        deployment = mock.world.deployments[session.deployment_id]
        for _ in range(args["count"]):
            conn = mock.hub.open(deployment.id)
            if not mock.hub.attach(conn, session):
                break
            opened.append(conn)

    def release() -> None:
        for conn in opened:
            conn.close(1000, "released")

    mock.scheduler.call_later(args["hold"], release)
    return f"occupied {len(opened)} connection slot(s) on {len(chosen)} session(s) for {args['hold']:g} s"


EVENT_KINDS: dict[str, EventKind] = {
    kind.name: kind
    for kind in (
        EventKind("fault", validate_rule, _fault, _fault_live),
        EventKind("remove_fault", _rule_id, _remove, _remove_live),
        EventKind("clear_faults", _flag, _clear, _clear_live),
        EventKind("advance", _seconds, _advance, _advance_live),
        EventKind("expire_tokens", _tokens, _expire_tokens, _expire_tokens_live),
        EventKind("expire_sessions", _fraction, _expire_sessions, _expire_sessions_live),
        EventKind("close_conversations", _fraction, _close, _close_live),
        EventKind("agent_reply", _reply, _agent_reply, _agent_reply_live),
        EventKind("drop_sockets", _fraction, _drop, None),
        EventKind("occupy_connections", _occupy, _occupy_connections, None),
    )
}


def validate_event(kind: str, value: Any) -> dict[str, Any]:
    """Validate the arguments of one timeline event kind (``ValueError`` or ``FaultRuleError``)."""
    return EVENT_KINDS[kind].validate(value)


async def apply_event(target: EventTarget, kind: str, args: dict[str, Any]) -> str:
    """Run one event against ``target``; returns a one-line summary for the report."""
    event = EVENT_KINDS[kind]
    if target.mock is not None:
        return event.in_process(target, args)
    if event.live is None:
        raise RuntimeError(f"timeline event {kind!r} works only in-process; run without --target")
    return await event.live(target, args)
