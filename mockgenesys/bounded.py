"""Constant-time eviction for the mock's bounded stores (tokens, rate-limit windows)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")

#: How many busy entries one eviction may pass over (moving them to the back) before it gives up.
PASSES = 8


def forget_one(entries: OrderedDict[K, V], busy: Callable[[K, V], bool]) -> None:
    """Drop one entry of a non-empty store kept oldest first: the first of the oldest that is not
    ``busy``; busy ones move to the back (a second chance); if ``PASSES`` in a row are busy, the
    next oldest goes anyway. The work is the same small amount every time, so no call pauses."""
    for _ in range(PASSES):
        key, value = entries.popitem(last=False)
        if not busy(key, value):
            return
        entries[key] = value
    entries.popitem(last=False)
