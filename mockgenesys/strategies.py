"""Hypothesis strategies for property-based tests against the mock.

Everything generated is valid by construction: every rule loads with ``FaultRule.from_dict``,
every plan installs on a ``MockGenesys``, every clock step is accepted by ``advance`` and
every guest message is accepted by the guest WebSocket's ``onMessage``.

>>> from hypothesis import given
>>> from mockgenesys.strategies import fault_rules
>>> @given(fault_rules())
... def test_round_trip(rule):
...     assert FaultRule.from_dict(rule.to_dict()) == rule
>>> test_round_trip()

Needs hypothesis (``pip install 'mockgenesys[test]'``).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from mockgenesys.faults.plan import FaultPlan
from mockgenesys.faults.rules import FaultRule
from mockgenesys.server.websocket.actions import MAX_TEXT_BYTES

__all__ = [
    "clock_advances",
    "endpoint_ids",
    "fault_plans",
    "fault_rule_dicts",
    "fault_rules",
    "guest_message_texts",
    "guest_messages",
    "http_endpoint_ids",
    "ws_endpoint_ids",
]

#: Statuses a fault answers with: the errors Genesys really returns.
FAULT_STATUSES = (400, 401, 403, 404, 408, 409, 413, 429, 500, 502, 503, 504)
#: WebSocket error codes Genesys sends in ``class: "string"`` frames.
WS_ERROR_CODES = (4000, 4001, 4006, 4007, 4008, 4011, 4013, 4029)
#: The guest WebSocket's message-size limit, in UTF-8 bytes (the mock's own).
MAX_MESSAGE_BYTES = MAX_TEXT_BYTES
MAX_DELAY = 5.0


def http_endpoint_ids() -> list[str]:
    """Every REST endpoint id of the mock (``oauth.token``, ``conversations.history``…)."""
    from mockgenesys.server.routes import all_routes

    return sorted({route.endpoint for route in all_routes()})


def ws_endpoint_ids() -> list[str]:
    """Every guest WebSocket action's endpoint id (``guest.ws.<action>``; the handshake takes no rules)."""
    from mockgenesys.server.websocket.actions import ACTIONS

    return [f"guest.ws.{action}" for action in ACTIONS]


def endpoint_ids(*, websocket: bool | None = None) -> st.SearchStrategy[str]:
    """Endpoint ids: REST only (``websocket=False``), WebSocket only (``True``) or both."""
    names: list[str] = []
    if websocket is not True:
        names += http_endpoint_ids()
    if websocket is not False:
        names += ws_endpoint_ids()
    return st.sampled_from(names)


def _delays() -> st.SearchStrategy[Any]:
    seconds = st.floats(0, MAX_DELAY, allow_nan=False)
    return st.one_of(
        seconds,
        st.builds(lambda s: {"fixed": s}, seconds),
        st.tuples(seconds, seconds).map(lambda pair: {"uniform": sorted(pair)}),
        st.builds(
            lambda median, sigma: {"lognormal": {"median": median, "sigma": sigma}},
            st.floats(0.01, 2.0),
            st.floats(0.0, 1.0),
        ),
    )


def _respond() -> st.SearchStrategy[dict[str, Any]]:
    plain = st.fixed_dictionaries(
        {"status": st.sampled_from(FAULT_STATUSES)},
        optional={
            "code": st.sampled_from(["service.unavailable", "bad.request", "internal.server.error"]),
            "message": st.text(st.characters(codec="ascii", categories=("L", "N", "Zs")), min_size=1, max_size=40),
        },
    )
    throttled = st.builds(lambda seconds: {"status": 429, "retry_after": seconds}, st.integers(0, 60))
    return st.one_of(plain, throttled)


def _http_then() -> st.SearchStrategy[dict[str, Any]]:
    single = st.one_of(
        _respond(),
        st.just({"reset": True}),
        st.just({"expire_token": True}),
        st.sampled_from([{"empty_body": True}, {"malformed_json": True}]).map(lambda flag: {"status": 200, **flag}),
    )
    return st.one_of(single, st.builds(lambda then, delay: {**then, "delay": delay}, single, _delays()))


def _ws_then() -> st.SearchStrategy[dict[str, Any]]:
    ws = st.one_of(
        st.just({"drop": True}),
        st.just({"duplicate": True}),
        st.just({"reorder": True}),
        st.builds(lambda s: {"hold": s}, st.floats(0.1, MAX_DELAY)),
        st.builds(lambda code: {"error": {"code": code, "text": "Request failed."}}, st.sampled_from(WS_ERROR_CODES)),
        st.builds(lambda s: {"too_many": {"retry_after": s}}, st.integers(0, 30)),
    )
    return st.one_of(
        st.builds(lambda action: {"ws": action}, ws),
        _respond(),
        st.just({"expire_session": True}),
        st.builds(lambda s: {"delay": s}, st.floats(0, MAX_DELAY, allow_nan=False)),
    )


def _when() -> st.SearchStrategy[dict[str, Any]]:
    window = st.tuples(st.floats(0, 3600), st.floats(0.5, 3600)).map(
        lambda pair: {"start": pair[0], "end": pair[0] + pair[1]}
    )
    counts = st.fixed_dictionaries(
        {},
        optional={
            "after": st.integers(0, 5),
            "times": st.integers(1, 10),
            "every": st.integers(1, 4),
            "probability": st.floats(0, 1),
        },
    )
    return st.one_of(counts, st.builds(lambda c, w: {**c, **w}, counts, window))


@st.composite
def fault_rule_dicts(draw: st.DrawFn, *, endpoints: list[str] | None = None) -> dict[str, Any]:
    """A fault rule in its dict form (``match``/``when``/``then``), as YAML and JSON write it.

    ``endpoints`` restricts the endpoint ids matched; ``then`` suits the endpoint (HTTP
    actions for REST endpoints, WebSocket actions for ``guest.ws.*``).
    """
    endpoint = draw(st.sampled_from(endpoints) if endpoints else endpoint_ids())
    is_ws = endpoint.startswith("guest.ws.")
    rule: dict[str, Any] = {"match": {"endpoint": endpoint}}
    when = draw(_when())
    if when:
        rule["when"] = when
    rule["then"] = draw(_ws_then() if is_ws else _http_then())
    return rule


def fault_rules(*, endpoints: list[str] | None = None) -> st.SearchStrategy[FaultRule]:
    """A ``FaultRule`` (see ``fault_rule_dicts``)."""
    return fault_rule_dicts(endpoints=endpoints).map(FaultRule.from_dict)


def fault_plans(
    *, max_rules: int = 5, endpoints: list[str] | None = None, seed: int | None = None
) -> st.SearchStrategy[FaultPlan]:
    """A ``FaultPlan`` of up to ``max_rules`` rules, seeded with ``seed`` (or a drawn seed)."""
    seeds = st.just(seed) if seed is not None else st.integers(0, 2**32 - 1)
    rules = st.lists(fault_rule_dicts(endpoints=endpoints), max_size=max_rules)
    return st.builds(lambda items, s: FaultPlan(items, seed=s), rules, seeds)


def clock_advances(*, max_steps: int = 20, max_seconds: float = 3600.0) -> st.SearchStrategy[list[float]]:
    """A timeline of clock steps for ``VirtualClock.advance``: finite seconds from 0 to ``max_seconds``."""
    return st.lists(st.floats(0, max_seconds, allow_nan=False, allow_infinity=False), max_size=max_steps)


def guest_message_texts(*, max_chars: int = 200) -> st.SearchStrategy[str]:
    """One guest message text: printable, not blank, within the 4096-byte limit."""
    alphabet = st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn"))
    return (
        st.text(alphabet, min_size=1, max_size=max_chars)
        .filter(lambda text: bool(text.strip()))
        .filter(lambda text: len(text.encode("utf-8")) <= MAX_MESSAGE_BYTES)
    )


def guest_messages(*, min_size: int = 0, max_size: int = 20, max_chars: int = 200) -> st.SearchStrategy[list[str]]:
    """A sequence of guest message texts, in sending order (duplicates allowed, as guests repeat)."""
    return st.lists(guest_message_texts(max_chars=max_chars), min_size=min_size, max_size=max_size)
