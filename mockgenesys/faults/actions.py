"""What a fault does: a registry of action kinds, each parsed from ``then`` and applied to a
``FaultContext``. Unknown kinds are load-time errors naming the valid kinds."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockgenesys.server.core import Server
    from mockgenesys.server.http import MockRequest
    from mockgenesys.server.websocket.connection import GuestConnection
    from mockgenesys.world.models import GuestSession

ErrorFactory = Callable[[str, str], Exception]


@dataclass
class FaultContext:
    """What the actions of one firing act on; the transports read the outcome."""

    server: Server
    rng: random.Random
    rule_id: str
    request: MockRequest | None = None
    connection: GuestConnection | None = None
    frame: dict[str, Any] | None = None
    respond: Respond | None = None
    delay: float = 0.0
    reset: bool = False
    empty_body: bool = False
    malformed: bool = False
    consumed: bool = False
    outbound: list[Action] = field(default_factory=list)

    def guest_session(self) -> GuestSession | None:
        if self.connection is not None:
            return self.connection.session or self.server.world.guest_session(str((self.frame or {}).get("token", "")))
        if self.request is not None:
            return self.request.guest
        return None


class Action:
    """One thing a fault does."""

    def apply(self, ctx: FaultContext) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class Respond(Action):
    status: int
    code: str | None = None
    message: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    retry_after: int | None = None
    body: Any = None

    def apply(self, ctx: FaultContext) -> None:
        ctx.respond = self
        if ctx.connection is not None:  # on the guest WebSocket a response is an error frame
            hub, conn, tracing = ctx.server.hub, ctx.connection, (ctx.frame or {}).get("tracingId")
            assert hub is not None
            if self.status == 429:
                hub.send_too_many(conn, self.retry_after or 1, self.message or "Request rate too high", tracing)
            else:
                hub.send_error(conn, self.status, self.message or "Request failed.", tracing)
            ctx.consumed = True


def draw_seconds(kind: str, a: float, b: float, rng: random.Random) -> float:
    """Seconds from a ``fixed`` (a), ``uniform`` (a..b) or ``lognormal`` (median a, sigma b) distribution."""
    if kind == "fixed":
        return a
    if kind == "uniform":
        return rng.uniform(a, b)
    return rng.lognormvariate(math.log(a), b)


@dataclass(frozen=True)
class Delay(Action):
    kind: str
    a: float
    b: float = 0.0

    def sample(self, rng: random.Random) -> float:
        return draw_seconds(self.kind, self.a, self.b, rng)

    def apply(self, ctx: FaultContext) -> None:
        ctx.delay += self.sample(ctx.rng)


@dataclass(frozen=True)
class Flag(Action):
    """reset / empty_body / malformed_json."""

    name: str

    def apply(self, ctx: FaultContext) -> None:
        if self.name == "reset":
            ctx.reset = True
            if ctx.connection is not None:
                ctx.connection.drop()
                ctx.consumed = True
        elif self.name == "empty_body":
            ctx.empty_body = True
        else:
            ctx.malformed = True


@dataclass(frozen=True)
class ExpireToken(Action):
    def apply(self, ctx: FaultContext) -> None:
        token = ctx.request.bearer if ctx.request is not None else None
        record = ctx.server.world.tokens.get(token) if token else None
        if record is not None:
            record.expires_at = min(record.expires_at, ctx.server.clock.now())
        session = ctx.guest_session()
        if session is not None:
            session.jwt_generation += 1


@dataclass(frozen=True)
class ExpireSession(Action):
    def apply(self, ctx: FaultContext) -> None:
        session = ctx.guest_session()
        if session is not None and ctx.server.hub is not None:
            ctx.server.hub.expire_session(session)


@dataclass(frozen=True)
class CloseConversation(Action):
    def apply(self, ctx: FaultContext) -> None:
        session = ctx.guest_session()
        conversation_id = session.conversation_id if session else None
        if conversation_id is None and ctx.request is not None:
            conversation_id = ctx.request.params.get("conversationId")
        hub = ctx.server.hub
        if conversation_id and hub is not None and hub.agent is not None:
            conversation = ctx.server.world.conversations.get(conversation_id)
            if conversation is not None and conversation.is_active:
                hub.agent.disconnect(conversation_id)


@dataclass(frozen=True)
class WsDrop(Action):
    def apply(self, ctx: FaultContext) -> None:
        if ctx.connection is not None:
            ctx.connection.drop()
            ctx.consumed = True
        else:
            session = ctx.guest_session()
            if session is not None and ctx.server.hub is not None:
                for conn in ctx.server.hub.connections_for(session):
                    conn.drop()


@dataclass(frozen=True)
class WsError(Action):
    code: int
    text: str

    def apply(self, ctx: FaultContext) -> None:
        if ctx.connection is not None and ctx.server.hub is not None:
            ctx.server.hub.send_error(ctx.connection, self.code, self.text, (ctx.frame or {}).get("tracingId"))
            ctx.consumed = True


@dataclass(frozen=True)
class WsTooMany(Action):
    retry_after: int
    message: str

    def apply(self, ctx: FaultContext) -> None:
        if ctx.connection is not None and ctx.server.hub is not None:
            ctx.server.hub.send_too_many(
                ctx.connection, self.retry_after, self.message, (ctx.frame or {}).get("tracingId")
            )
            ctx.consumed = True


@dataclass(frozen=True)
class WsOutbound(Action):
    """duplicate / reorder / hold: transforms the frames the matched request makes the server send."""

    kind: str
    seconds: float = 0.0

    def apply(self, ctx: FaultContext) -> None:
        ctx.outbound.append(self)


# ---------------------------------------------------------------------- parsing
RESPOND_KEYS = ("status", "code", "message", "headers", "retry_after", "body")
FLAG_KEYS = ("reset", "empty_body", "malformed_json")
SIMPLE: dict[str, Callable[[], Action]] = {
    "expire_token": ExpireToken,
    "expire_session": ExpireSession,
    "close_conversation": CloseConversation,
}
WS_KEYS = ("drop", "error", "too_many", "duplicate", "reorder", "hold")


def valid_then_keys() -> list[str]:
    return [*RESPOND_KEYS, "delay", *FLAG_KEYS, *SIMPLE, "ws"]


def parse_then(data: Any, path: str, error: ErrorFactory) -> tuple[Action, ...]:
    """The actions of a rule's ``then``; ``error(path, message)`` builds the load-time error."""
    if not isinstance(data, dict) or not data:
        raise error(path, f"must be an object with one or more of {', '.join(valid_then_keys())}; got {data!r}")
    for key in data:
        if key not in valid_then_keys():
            raise error(f"{path}.{key}", f"unknown fault action; valid actions: {', '.join(valid_then_keys())}")
    actions: list[Action] = []
    if any(key in data for key in RESPOND_KEYS):
        actions.append(_respond(data, path, error))
    if "delay" in data:
        actions.append(_delay(data["delay"], f"{path}.delay", error))
    for key in FLAG_KEYS:
        if key in data:
            _true(data[key], f"{path}.{key}", error)
            actions.append(Flag("malformed" if key == "malformed_json" else key))
    for key, factory in SIMPLE.items():
        if key in data:
            _true(data[key], f"{path}.{key}", error)
            actions.append(factory())
    if "ws" in data:
        actions.extend(_ws(data["ws"], f"{path}.ws", error))
    return tuple(actions)


def _true(value: Any, path: str, error: ErrorFactory) -> None:
    if value is not True:
        raise error(path, f"must be true (leave the key out to disable it), got {value!r}")


def _int(value: Any, path: str, error: ErrorFactory, low: int, high: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f">= {low}"
        raise error(path, f"must be a whole number {bound}, got {value!r}")
    return value


def _respond(data: dict[str, Any], path: str, error: ErrorFactory) -> Respond:
    retry_after = data.get("retry_after")
    if retry_after is not None:
        retry_after = _int(retry_after, f"{path}.retry_after", error, 0)
    status = data.get("status", 429 if retry_after is not None else None)
    if status is None:
        raise error(f"{path}.status", "is required with code, message, headers or body (an HTTP status like 503)")
    status = _int(status, f"{path}.status", error, 100, 5999)
    for key in ("code", "message"):
        if key in data and not isinstance(data[key], str):
            raise error(f"{path}.{key}", f"must be a string, got {data[key]!r}")
    headers = data.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        raise error(f"{path}.headers", f"must be an object of string header values, got {headers!r}")
    return Respond(
        status=status,
        code=data.get("code"),
        message=data.get("message"),
        headers=tuple(sorted(headers.items())),
        retry_after=retry_after,
        body=_freeze(data.get("body")),
    )


def _freeze(value: Any) -> Any:
    import json

    return None if value is None else json.dumps(value, sort_keys=True)


def _delay(value: Any, path: str, error: ErrorFactory) -> Delay:
    def seconds(v: Any, where: str) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
            raise error(where, f"must be seconds >= 0, got {v!r}")
        return float(v)

    if not isinstance(value, dict):
        return Delay("fixed", seconds(value, path))
    if len(value) != 1 or next(iter(value)) not in ("fixed", "uniform", "lognormal"):
        raise error(
            path,
            f"must be seconds or one of {{fixed: s}}, {{uniform: [low, high]}}, {{lognormal: {{median, sigma}}}}; got {value!r}",
        )
    kind, spec = next(iter(value.items()))
    if kind == "fixed":
        return Delay("fixed", seconds(spec, f"{path}.fixed"))
    if kind == "uniform":
        if not isinstance(spec, list) or len(spec) != 2:
            raise error(f"{path}.uniform", f"must be [low, high], got {spec!r}")
        low, high = seconds(spec[0], f"{path}.uniform[0]"), seconds(spec[1], f"{path}.uniform[1]")
        if high < low:
            raise error(f"{path}.uniform", f"high must be >= low, got {spec!r}")
        return Delay("uniform", low, high)
    if not isinstance(spec, dict) or set(spec) != {"median", "sigma"}:
        raise error(f"{path}.lognormal", f"must be {{median: seconds > 0, sigma: >= 0}}, got {spec!r}")
    median, sigma = (
        seconds(spec["median"], f"{path}.lognormal.median"),
        seconds(spec["sigma"], f"{path}.lognormal.sigma"),
    )
    if median <= 0:
        raise error(f"{path}.lognormal.median", "must be > 0")
    return Delay("lognormal", median, sigma)


def _ws(value: Any, path: str, error: ErrorFactory) -> list[Action]:
    if not isinstance(value, dict) or not value:
        raise error(path, f"must be an object with one or more of {', '.join(WS_KEYS)}; got {value!r}")
    actions: list[Action] = []
    for key, spec in value.items():
        where = f"{path}.{key}"
        if key in ("drop", "duplicate", "reorder"):
            _true(spec, where, error)
            actions.append(WsDrop() if key == "drop" else WsOutbound(key))
        elif key == "hold":
            if isinstance(spec, bool) or not isinstance(spec, (int, float)) or spec <= 0:
                raise error(where, f"must be seconds > 0 to hold outgoing frames back, got {spec!r}")
            actions.append(WsOutbound("hold", float(spec)))
        elif key == "error":
            if not isinstance(spec, dict) or "code" not in spec:
                raise error(where, f'must be {{code: 4006, text: "..."}}, got {spec!r}')
            text = spec.get("text", "Request failed.")
            if not isinstance(text, str):
                raise error(f"{where}.text", f"must be a string, got {text!r}")
            actions.append(WsError(_int(spec["code"], f"{where}.code", error, 400, 5999), text))
        elif key == "too_many":
            spec = {"retry_after": spec} if isinstance(spec, int) and not isinstance(spec, bool) else spec
            if not isinstance(spec, dict):
                raise error(where, f'must be {{retry_after: seconds, message: "..."}}, got {spec!r}')
            message = spec.get("message", "Request rate too high")
            if not isinstance(message, str):
                raise error(f"{where}.message", f"must be a string, got {message!r}")
            actions.append(WsTooMany(_int(spec.get("retry_after", 1), f"{where}.retry_after", error, 0), message))
        else:
            raise error(where, f"unknown WebSocket fault; valid: {', '.join(WS_KEYS)}")
    return actions
