"""How much a world keeps of what it gains at run time, and the sweep that keeps it bounded.

Every record a running mock creates (guest sessions and their conversations, messages, refresh
tokens, seed-dialect sessions) lives in a store with a bound from ``Retention``. The server calls
``World.tidy`` once per request and frame; each call looks at a few of the oldest entries of each
store, forgets the ones that have expired on the mock's clock and, while a store is over its
bound, the oldest ones nobody is using. The work per call is a small constant, so memory stays
flat under any load and no call pauses.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

from mockgenesys.errors import ConfigError

K = TypeVar("K")
V = TypeVar("V")

#: How many of the oldest entries of one store a quiet ``tidy`` looks at (one over its bound: more).
QUIET_STEPS = 1
BUSY_STEPS = 8


@dataclass(frozen=True)
class Retention:
    """The bounds on what a world keeps from run time (records of its seed or snapshot are kept).

    ``guest_sessions`` guest sessions opened at run time (an expired or cleared one is forgotten
    ``expired_grace`` seconds after it ended; until then its token answers 4006); past the bound
    the oldest without an open socket goes. ``conversations`` conversations started at run time
    and ``messages`` messages stored in them altogether; past either, the oldest conversation no
    guest session is on goes. ``messages_per_conversation``: a longer history loses its oldest
    tenth. ``refresh_tokens`` and ``seed_sessions``: expired ones go, and past the bound the oldest.
    """

    guest_sessions: int = 10_000
    conversations: int = 10_000
    messages: int = 200_000
    messages_per_conversation: int = 10_000
    refresh_tokens: int = 10_000
    seed_sessions: int = 10_000
    expired_grace: float = 3600.0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            kinds = (int, float) if item.name == "expired_grace" else int
            if isinstance(value, bool) or not isinstance(value, kinds) or not 1 <= value <= 10**9:
                kind = "number of seconds" if item.name == "expired_grace" else "whole number"
                raise ConfigError(f"Retention.{item.name} must be a {kind} from 1 to 1e9, got {value!r}.")

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Retention:
        """A ``Retention`` from keyword values; ``ConfigError`` naming an unknown key and the valid ones."""
        names = [item.name for item in fields(cls)]
        unknown = sorted(str(key) for key in set(data or {}) - set(names))
        if unknown:
            raise ConfigError(f"Unknown retention setting(s) {unknown}; valid: {', '.join(names)}.")
        return replace(cls(), **(data or {}))


def sweep(
    order: OrderedDict[K, V],
    *,
    over: Callable[[], bool],
    dead: Callable[[K], bool],
    keep: Callable[[K], bool],
    forget: Callable[[K], None],
) -> None:
    """Look at the oldest few keys of ``order``: ``forget`` the dead ones and, while ``over()``,
    the ones not to ``keep``; the rest move to the back (so every entry is looked at in turn).
    ``forget`` must remove the key from ``order``; a key that is already gone from the store
    should count as dead."""
    steps = BUSY_STEPS if over() else QUIET_STEPS
    for _ in range(min(steps, len(order))):
        key = next(iter(order))
        if dead(key) or (over() and not keep(key)):
            forget(key)
        else:
            order.move_to_end(key)


class CappedDict(OrderedDict[K, V]):
    """A dict that keeps at most ``capacity`` entries: storing a new key past it forgets the oldest."""

    def __init__(self, capacity: int) -> None:
        super().__init__()
        self.capacity = capacity

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        while len(self) > self.capacity:
            self.popitem(last=False)


class BudgetDict(CappedDict[K, V]):
    """A ``CappedDict`` that also keeps the total ``weigh(value)`` at most ``budget`` (one entry
    over it on its own is still kept): storing past either bound forgets the oldest."""

    def __init__(self, capacity: int, budget: int, weigh: Callable[[V], int]) -> None:
        super().__init__(capacity)
        self.budget = budget
        self.weigh = weigh
        self.total = 0

    def __setitem__(self, key: K, value: V) -> None:
        if key in self:
            del self[key]
        self.total += self.weigh(value)
        super().__setitem__(key, value)
        while len(self) > 1 and self.total > self.budget:
            self.popitem(last=False)

    def __delitem__(self, key: K) -> None:
        self.total -= self.weigh(self[key])
        super().__delitem__(key)

    def popitem(self, last: bool = True) -> tuple[K, V]:
        key, value = super().popitem(last)
        self.total -= self.weigh(value)
        return key, value

    def clear(self) -> None:
        super().clear()
        self.total = 0
