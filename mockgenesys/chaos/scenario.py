"""The scenario model: a chaos run as validated data (``scenarios/*.yaml``).

Every problem found while loading raises one ``ScenarioError`` naming the file, the field path
(``timeline[2].fault.then.status``) and the bad value, so nothing fails lazily mid-run::

    name: storm-429-retry-after
    description: A 429 storm on guest messages, with Retry-After.
    seed: 7
    guests: 20
    world: {routing_delay: 2, limits: {enabled: true}}
    workload: {messages: 12, pacing: {uniform: [0.5, 2.0]}, restore_every: 6}
    timeline:
      - at: 5
        fault: {match: {endpoint: guest.ws.onMessage}, when: {times: 40}, then: {status: 429, retry_after: 3}}
    limits: {max_virtual_seconds: 3600, max_wall_seconds: 60}
    invariants: [no_lost_message, no_duplicate, order_kept, retry_after_honoured]

A ``platform:`` section adds a backend on OAuth client credentials beside the guests
(``PlatformLoad``): ``{callers: 4, calls: 6, pacing: 1.0, operations: [organization, history, search]}``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from mockgenesys.chaos.botload import BotLoad, parse_bot
from mockgenesys.chaos.errors import ScenarioError
from mockgenesys.chaos.events import EVENT_KINDS, RuleIds, validate_event
from mockgenesys.chaos.invariants import INVARIANTS, validate_params
from mockgenesys.chaos.sections import (
    DEFAULT_MAX_VIRTUAL_SECONDS,
    DEFAULT_MAX_WALL_SECONDS,
    PLATFORM_OPERATIONS,
    InvariantSpec,
    Limits,
    Pacing,
    PlatformLoad,
    SecureStep,
    TimelineEvent,
    Workload,
)
from mockgenesys.errors import ConfigError
from mockgenesys.faults.ratelimit import RateLimits
from mockgenesys.faults.rules import FaultRuleError

SCENARIO_FIELDS = (
    "name",
    "description",
    "seed",
    "guests",
    "world",
    "workload",
    "platform",
    "timeline",
    "limits",
    "invariants",
    "bot",
)
WORLD_FIELDS = (
    "conversations", "contacts", "token_ttl", "routing_delay", "bot", "limits", "jwt_ttl", "guest_session_ttl",
    "read_only_after_disconnect",
)  # fmt: skip
WORKLOAD_FIELDS = (
    "messages",
    "pacing",
    "start_spread",
    "restore_every",
    "restore_at_end",
    "text_bytes",
    "secure_session",
    "pipelined",
)
PLATFORM_FIELDS = ("callers", "calls", "pacing", "start_spread", "operations")
MAX_CALLERS = 1000
LIMIT_FIELDS = ("max_virtual_seconds", "max_wall_seconds")
MAX_GUESTS = 10_000
MAX_MESSAGES = 100_000
MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class Scenario:
    """One validated chaos scenario (see the module docstring for the YAML)."""

    name: str
    description: str = ""
    seed: int = 0
    guests: int = 10
    world: dict[str, Any] = field(default_factory=dict)
    workload: Workload = field(default_factory=Workload)
    platform: PlatformLoad | None = None
    timeline: tuple[TimelineEvent, ...] = ()
    limits: Limits = field(default_factory=Limits)
    invariants: tuple[InvariantSpec, ...] = ()
    source: str = "<dict>"
    #: A bot and Open Messaging users beside the guests (``chaos.botload``), when the scenario has ``bot``.
    bot: BotLoad | None = None

    @classmethod
    def from_dict(cls, data: Any, source: str = "<dict>") -> Scenario:
        """Validate ``data`` (a parsed YAML document); ``ScenarioError`` on the first problem."""
        return _Loader(source).scenario(data)

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        """Read and validate a scenario YAML file; its ``source`` is the file's absolute path.

        Errors name the file as given; the absolute ``source`` is what reports and replay
        commands carry, so they work from any directory.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(str(path), "", f"cannot read the file ({exc.strerror}).") from exc
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ScenarioError(str(path), "", f"not valid YAML: {exc}") from exc
        return replace(cls.from_dict(data, str(path)), source=str(path.resolve()))

    def with_overrides(self, *, guests: int | None = None, seed: int | None = None) -> Scenario:
        """A copy with another guest count or seed (the CLI's ``--guests`` and ``--seed``)."""
        if guests is not None and not 1 <= guests <= MAX_GUESTS:
            raise ScenarioError(self.source, "guests", f"must be from 1 to {MAX_GUESTS}, got {guests!r}")
        if seed is not None and not 0 <= seed <= MAX_SEED:
            raise ScenarioError(self.source, "seed", f"must be from 0 to {MAX_SEED}, got {seed!r}")
        return replace(self, guests=self.guests if guests is None else guests, seed=self.seed if seed is None else seed)


class _Loader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, message: str) -> ScenarioError:
        return ScenarioError(self.source, path, message)

    def obj(self, value: Any, path: str, valid: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a mapping with any of {', '.join(valid)}; got {value!r}")
        for key in value:
            if key not in valid:
                where = f"{path}.{key}" if path else str(key)
                raise self.fail(where, f"unknown field {key!r}; valid fields: {', '.join(valid)}")
        return value

    def integer(self, value: Any, path: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(path, f"must be a whole number from {low} to {high}, got {value!r}")
        return value

    def number(self, value: Any, path: str, low: float, high: float = math.inf, *, open_low: bool = False) -> float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
        if ok and (value < low or (open_low and value == low) or value > high):
            ok = False
        if not ok:
            bound = f"> {low}" if open_low else f">= {low}"
            upper = f" and <= {high}" if high != math.inf else ""
            raise self.fail(path, f"must be a number {bound}{upper}, got {value!r}")
        return float(value)

    def boolean(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"must be true or false, got {value!r}")
        return value

    def scenario(self, data: Any) -> Scenario:
        if data is None:
            raise self.fail("", "the scenario is empty; it needs at least a name.")
        data = self.obj(data, "", SCENARIO_FIELDS)
        name = data.get("name")
        if not isinstance(name, str) or not name or not all(c.isalnum() or c in "-_." for c in name):
            raise self.fail("name", f"must be a non-empty name of letters, digits, '-', '_' or '.', got {name!r}")
        description = data.get("description", "")
        if not isinstance(description, str):
            raise self.fail("description", f"must be text, got {description!r}")
        seed = self.integer(data.get("seed", 0), "seed", 0, MAX_SEED)
        guests = self.integer(data.get("guests", 10), "guests", 1, MAX_GUESTS)
        world = self.world(data.get("world", {}))
        workload = self.workload(data.get("workload", {}))
        platform = self.platform(data["platform"]) if "platform" in data else None
        timeline_data = data.get("timeline", [])
        if not isinstance(timeline_data, list):
            raise self.fail("timeline", f"must be a list of events, got {timeline_data!r}")
        events = []
        for index, item in enumerate(timeline_data):
            path = f"timeline[{index}]"
            if not isinstance(item, dict) or "at" not in item:
                raise self.fail(path, f"must be a mapping with 'at' (virtual seconds) and one event; got {item!r}")
            at = self.number(item["at"], f"{path}.at", 0.0)
            kinds = [k for k in item if k != "at"]
            if len(kinds) != 1 or kinds[0] not in EVENT_KINDS:
                raise self.fail(
                    path, f"needs exactly one event besides 'at', one of {', '.join(EVENT_KINDS)}; got {kinds!r}"
                )
            kind = kinds[0]
            try:
                args = validate_event(kind, item[kind])
            except FaultRuleError as exc:
                raise self.fail(
                    f"{path}.{kind}{'.' + exc.path if exc.path else ''}", _strip(str(exc), exc.path)
                ) from None
            except ValueError as exc:
                raise self.fail(f"{path}.{kind}", str(exc)) from None
            events.append(TimelineEvent(at=at, kind=kind, args=args, index=index))
        events.sort(key=lambda e: (e.at, e.index))
        self.rule_ids(events)
        limits_data = self.obj(data.get("limits", {}), "limits", LIMIT_FIELDS)
        limits = Limits(
            max_virtual_seconds=self.number(
                limits_data.get("max_virtual_seconds", DEFAULT_MAX_VIRTUAL_SECONDS),
                "limits.max_virtual_seconds",
                0.0,
                open_low=True,
            ),
            max_wall_seconds=self.number(
                limits_data.get("max_wall_seconds", DEFAULT_MAX_WALL_SECONDS),
                "limits.max_wall_seconds",
                0.0,
                open_low=True,
            ),
        )
        invariants_data = data.get("invariants", [])
        if not isinstance(invariants_data, list):
            raise self.fail("invariants", f"must be a list of names or {{name: {{params}}}}, got {invariants_data!r}")
        invariants = []
        params: Any
        for index, item in enumerate(invariants_data):
            path = f"invariants[{index}]"
            if isinstance(item, str):
                spec_name, params = item, {}
            elif isinstance(item, dict) and len(item) == 1:
                spec_name, params = next(iter(item.items()))
                params = {} if params is None else params
            else:
                raise self.fail(path, f"must be a name or a one-key mapping {{name: {{params}}}}, got {item!r}")
            if spec_name not in INVARIANTS:
                raise self.fail(path, f"unknown invariant {spec_name!r}; valid: {', '.join(INVARIANTS)}")
            if not isinstance(params, dict):
                raise self.fail(f"{path}.{spec_name}", f"parameters must be a mapping, got {params!r}")
            try:
                params = validate_params(spec_name, params)
            except ValueError as exc:
                raise self.fail(f"{path}.{spec_name}", str(exc)) from None
            invariants.append(InvariantSpec(spec_name, params))
        return Scenario(
            name=name,
            description=description,
            seed=seed,
            guests=guests,
            world=world,
            workload=workload,
            platform=platform,
            timeline=tuple(events),
            limits=limits,
            invariants=tuple(invariants),
            source=self.source,
            bot=parse_bot(data["bot"], self.fail) if "bot" in data else None,
        )

    def rule_ids(self, events: list[TimelineEvent]) -> None:
        """Replay the timeline's rule ids: a ``remove_fault`` must name a rule installed at its time."""
        rules = RuleIds()
        for event in events:
            path = f"timeline[{event.index}].{event.kind}"
            if event.kind == "fault":
                try:
                    name = rules.arm(event.args.get("id"))
                except ValueError as exc:
                    raise self.fail(f"{path}.id", str(exc)) from None
                rules.installed[name] = name
            elif event.kind == "clear_faults":
                rules.installed.clear()
            elif event.kind == "remove_fault" and rules.installed.pop(event.args["id"], None) is None:
                armed = ", ".join(rules.installed) or "none"
                raise self.fail(
                    path,
                    f"no rule {event.args['id']!r} is installed at {event.at:g} s (installed then: {armed}); a fault "
                    "event without an id is rule-N, numbered from rule-1 in timeline order; give the rule an id "
                    "and remove that.",
                )

    def world(self, value: Any) -> dict[str, Any]:
        data = self.obj(value, "world", WORLD_FIELDS)
        world: dict[str, Any] = {}
        for name in ("conversations", "contacts"):
            if name in data:
                world[name] = self.integer(data[name], f"world.{name}", 0, 1000)
        if "token_ttl" in data:
            world["token_ttl"] = self.integer(data["token_ttl"], "world.token_ttl", 300, 172800)
        if "jwt_ttl" in data:
            world["jwt_ttl"] = self.integer(data["jwt_ttl"], "world.jwt_ttl", 60, 86400)
        if "guest_session_ttl" in data:
            world["guest_session_ttl"] = self.integer(data["guest_session_ttl"], "world.guest_session_ttl", 60, 2592000)
        if "routing_delay" in data:
            world["routing_delay"] = self.number(data["routing_delay"], "world.routing_delay", 0.0)
        for name in ("bot", "read_only_after_disconnect"):
            if name in data:
                world[name] = self.boolean(data[name], f"world.{name}")
        if "limits" in data:
            try:
                RateLimits.from_dict(data["limits"])
            except ConfigError as exc:
                raise self.fail("world.limits", str(exc)) from None
            world["limits"] = dict(data["limits"])
        return world

    def workload(self, value: Any) -> Workload:
        data = self.obj(value, "workload", WORKLOAD_FIELDS)
        return Workload(
            messages=self.integer(data.get("messages", 10), "workload.messages", 0, MAX_MESSAGES),
            pacing=self.pacing(data.get("pacing", 1.0), "workload.pacing"),
            start_spread=self.number(data.get("start_spread", 1.0), "workload.start_spread", 0.0),
            restore_every=self.integer(data.get("restore_every", 0), "workload.restore_every", 0, MAX_MESSAGES),
            restore_at_end=self.boolean(data.get("restore_at_end", True), "workload.restore_at_end"),
            text_bytes=self.integer(data.get("text_bytes", 0), "workload.text_bytes", 0, 4000),
            secure_session=self.secure(data["secure_session"]) if "secure_session" in data else None,
            pipelined=self.boolean(data.get("pipelined", False), "workload.pipelined"),
        )

    def platform(self, value: Any) -> PlatformLoad:
        data = self.obj(value, "platform", PLATFORM_FIELDS)
        operations = data.get("operations", list(PLATFORM_OPERATIONS))
        if not isinstance(operations, list) or not operations:
            raise self.fail(
                "platform.operations",
                f"must be a non-empty list drawn from {', '.join(PLATFORM_OPERATIONS)}; got {operations!r}",
            )
        for index, operation in enumerate(operations):
            if operation not in PLATFORM_OPERATIONS:
                raise self.fail(
                    f"platform.operations[{index}]",
                    f"unknown operation {operation!r}; valid: {', '.join(PLATFORM_OPERATIONS)}",
                )
        return PlatformLoad(
            callers=self.integer(data.get("callers", 4), "platform.callers", 1, MAX_CALLERS),
            calls=self.integer(data.get("calls", 6), "platform.calls", 0, MAX_MESSAGES),
            pacing=self.pacing(data.get("pacing", 1.0), "platform.pacing"),
            start_spread=self.number(data.get("start_spread", 0.0), "platform.start_spread", 0.0),
            operations=tuple(operations),
        )

    def secure(self, value: Any) -> SecureStep:
        path = "workload.secure_session"
        data = self.obj(value, path, ("kms_delay", "kms_timeout"))
        return SecureStep(
            kms_delay=self.pacing(data.get("kms_delay", 0.1), f"{path}.kms_delay"),
            kms_timeout=self.number(data.get("kms_timeout", 5.0), f"{path}.kms_timeout", 0.0, open_low=True),
        )

    def pacing(self, value: Any, path: str) -> Pacing:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Pacing("fixed", self.number(value, path, 0.0))
        if not isinstance(value, dict) or len(value) != 1:
            raise self.fail(
                path,
                f"must be seconds, {{fixed: s}}, {{uniform: [low, high]}} or {{lognormal: {{median, sigma}}}}; got {value!r}",
            )
        kind, arg = next(iter(value.items()))
        if kind == "fixed":
            return Pacing("fixed", self.number(arg, f"{path}.fixed", 0.0))
        if kind == "uniform":
            if not isinstance(arg, list) or len(arg) != 2:
                raise self.fail(f"{path}.uniform", f"must be [low, high], got {arg!r}")
            low = self.number(arg[0], f"{path}.uniform[0]", 0.0)
            high = self.number(arg[1], f"{path}.uniform[1]", low)
            return Pacing("uniform", low, high)
        if kind == "lognormal":
            arg = self.obj(arg, f"{path}.lognormal", ("median", "sigma"))
            median = self.number(arg.get("median"), f"{path}.lognormal.median", 0.0, open_low=True)
            sigma = self.number(arg.get("sigma", 0.5), f"{path}.lognormal.sigma", 0.0, 5.0)
            return Pacing("lognormal", median, sigma)
        raise self.fail(path, f"unknown pacing {kind!r}; valid: fixed, uniform, lognormal")


def _strip(message: str, path: str) -> str:
    prefix = f"{path}: "
    return message[len(prefix) :] if path and message.startswith(prefix) else message
