"""What a fault does: a registry of action kinds, each parsed from ``then`` and folded into the
``Outcome`` of a firing. Unknown kinds are load-time errors naming the valid kinds.

Actions only describe: none of them touches a server. The server reads the ``Outcome``.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockgenesys.faults.outcome import Effect, Outcome, Reply, Transform, TransformKind

ErrorFactory = Callable[[str, str], Exception]


class Action:
    """One thing a fault does: it adds itself to the outcome of a firing."""

    def apply(self, outcome: Outcome, rng: random.Random) -> None:
        """Add this action to ``outcome``; ``rng`` is the plan's seeded generator."""
        raise NotImplementedError


@dataclass(frozen=True)
class Respond(Action):
    """Answer with ``reply`` instead of the real answer."""

    reply: Reply

    def apply(self, outcome: Outcome, rng: random.Random) -> None:
        outcome.replies.append(self.reply)


#: The longest delay a fault may add, in seconds (a lognormal draw is capped there too).
MAX_DELAY_SECONDS = 3600.0
#: The largest lognormal sigma (beyond it nearly every draw hits the cap).
MAX_SIGMA = 10.0
#: The longest ``Retry-After`` a fault may announce, in seconds.
MAX_RETRY_AFTER = 86_400
#: The longest fault message, header value or WebSocket error text, in characters.
MAX_TEXT = 4096
#: Header names a fault may not set: they frame the HTTP message itself.
FRAMING_HEADERS = frozenset(
    {"connection", "content-length", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"}
)
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,256}$")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def draw_seconds(kind: str, a: float, b: float, rng: random.Random) -> float:
    """Seconds from a ``fixed`` (a), ``uniform`` (a..b) or ``lognormal`` (median a, sigma b)
    distribution, never more than ``MAX_DELAY_SECONDS``."""
    if kind == "fixed":
        return a
    if kind == "uniform":
        return rng.uniform(a, b)
    return min(MAX_DELAY_SECONDS, rng.lognormvariate(math.log(a), b))


@dataclass(frozen=True)
class Delay(Action):
    """Answer later: ``fixed`` (a), ``uniform`` (a..b) or ``lognormal`` (median a, sigma b) seconds."""

    kind: str
    a: float
    b: float = 0.0

    def sample(self, rng: random.Random) -> float:
        return draw_seconds(self.kind, self.a, self.b, rng)

    def apply(self, outcome: Outcome, rng: random.Random) -> None:
        outcome.delay += self.sample(rng)


@dataclass(frozen=True)
class Flag(Action):
    """reset / empty_body / malformed / forge_signature: how the answer (or a webhook) breaks."""

    name: str

    def apply(self, outcome: Outcome, rng: random.Random) -> None:
        if self.name == "reset":
            outcome.reset = True
        elif self.name == "empty_body":
            outcome.empty_body = True
        elif self.name == "forge_signature":
            outcome.forge_signature = True
        else:
            outcome.malformed = True


@dataclass(frozen=True)
class StateChange(Action):
    """expire_token / expire_session / close_conversation: a change the server makes to its state."""

    effect: Effect

    def apply(self, outcome: Outcome, rng: random.Random) -> None:
        outcome.effects.append(self.effect)


@dataclass(frozen=True)
class WsDrop(Action):
    """Drop the guest socket (on a REST call: every socket of the caller's guest session)."""

    def apply(self, outcome: Outcome, rng: random.Random) -> None:
        outcome.drop = True


@dataclass(frozen=True)
class WsOutbound(Action):
    """duplicate / reorder / hold: transforms the frames the matched request makes the server send."""

    transform: Transform

    def apply(self, outcome: Outcome, rng: random.Random) -> None:
        outcome.transforms.append(self.transform)


# ---------------------------------------------------------------------- parsing
RESPOND_KEYS = ("status", "code", "message", "headers", "retry_after", "body")
FLAG_KEYS = ("reset", "empty_body", "malformed_json", "forge_signature")
SIMPLE: dict[str, Effect] = {
    "expire_token": "expire_token",
    "expire_session": "expire_session",
    "close_conversation": "close_conversation",
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
    for key, effect in SIMPLE.items():
        if key in data:
            _true(data[key], f"{path}.{key}", error)
            actions.append(StateChange(effect))
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
        retry_after = _int(retry_after, f"{path}.retry_after", error, 0, MAX_RETRY_AFTER)
    status = data.get("status", 429 if retry_after is not None else None)
    if status is None:
        raise error(f"{path}.status", "is required with code, message, headers or body (an HTTP status like 503)")
    if isinstance(status, int) and not isinstance(status, bool) and 600 <= status <= 5999:
        raise error(f"{path}.status", f"must be an HTTP status from 100 to 599, got {status}; for a WebSocket "
                    "error code use ws: {error: {code: ...}}")  # fmt: skip
    status = _int(status, f"{path}.status", error, 100, 599)
    for key in ("code", "message"):
        if key in data and (not isinstance(data[key], str) or len(data[key]) > MAX_TEXT):
            raise error(f"{path}.{key}", f"must be a string of at most {MAX_TEXT} characters, got {_short(data[key])}")
    headers = _headers(data.get("headers", {}), f"{path}.headers", error)
    body = data.get("body")
    return Respond(
        Reply(
            status=status,
            code=data.get("code"),
            message=data.get("message"),
            headers=tuple(sorted(headers.items())),
            retry_after=retry_after,
            body=None if body is None else json.dumps(body, sort_keys=True),
        )
    )


def _headers(value: Any, path: str, error: ErrorFactory) -> dict[str, str]:
    """Response headers a fault adds: HTTP token names (not the message-framing ones) and values
    without control characters, all encodable as Latin-1."""
    if not isinstance(value, dict) or len(value) > 50:
        raise error(path, f"must be an object of at most 50 header names to string values, got {_short(value)}")
    for name, text in value.items():
        if not _TOKEN.match(name):
            raise error(f"{path}.{name[:40]}", "is not a valid header name (letters, digits and !#$%&'*+-.^_`|~)")
        if name.lower() in FRAMING_HEADERS:
            raise error(
                f"{path}.{name}",
                f"cannot be set by a fault (it frames the HTTP message); not: {', '.join(sorted(FRAMING_HEADERS))}",
            )
        if not isinstance(text, str) or len(text) > MAX_TEXT or _BAD_VALUE.search(text) or not _latin1(text):
            raise error(
                f"{path}.{name}", f"must be a Latin-1 string without CR, LF or control characters, got {_short(text)}"
            )
    return value


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _delay(value: Any, path: str, error: ErrorFactory) -> Delay:
    def seconds(v: Any, where: str, high: float = MAX_DELAY_SECONDS) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not 0 <= v <= high:
            raise error(where, f"must be seconds from 0 to {high:g}, got {_short(v)}")
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
        seconds(spec["sigma"], f"{path}.lognormal.sigma", MAX_SIGMA),
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
            kind: TransformKind = "duplicate" if key == "duplicate" else "reorder"
            actions.append(WsDrop() if key == "drop" else WsOutbound(Transform(kind)))
        elif key == "hold":
            if (
                isinstance(spec, bool)
                or not isinstance(spec, (int, float))
                or not math.isfinite(spec)
                or not 0 < spec <= MAX_DELAY_SECONDS
            ):
                raise error(
                    where, f"must be seconds > 0 (at most {MAX_DELAY_SECONDS:g}) to hold frames back, got {spec!r}"
                )
            actions.append(WsOutbound(Transform("hold", float(spec))))
        elif key == "error":
            if not isinstance(spec, dict) or "code" not in spec:
                raise error(where, f'must be {{code: 4006, text: "..."}}, got {spec!r}')
            text = spec.get("text", "Request failed.")
            if not isinstance(text, str) or len(text) > MAX_TEXT:
                raise error(f"{where}.text", f"must be a string of at most {MAX_TEXT} characters, got {_short(text)}")
            code = _int(spec["code"], f"{where}.code", error, 400, 5999)
            actions.append(Respond(Reply(status=code, message=text, websocket_only=True)))
        elif key == "too_many":
            spec = {"retry_after": spec} if isinstance(spec, int) and not isinstance(spec, bool) else spec
            if not isinstance(spec, dict):
                raise error(where, f'must be {{retry_after: seconds, message: "..."}}, got {spec!r}')
            message = spec.get("message", "Request rate too high")
            if not isinstance(message, str) or len(message) > MAX_TEXT:
                raise error(
                    f"{where}.message", f"must be a string of at most {MAX_TEXT} characters, got {_short(message)}"
                )
            retry_after = _int(spec.get("retry_after", 1), f"{where}.retry_after", error, 0, MAX_RETRY_AFTER)
            actions.append(Respond(Reply(status=429, message=message, retry_after=retry_after, websocket_only=True)))
        else:
            raise error(where, f"unknown WebSocket fault; valid: {', '.join(WS_KEYS)}")
    return actions
