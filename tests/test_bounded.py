from __future__ import annotations

from collections import OrderedDict

from mockgenesys.bounded import PASSES, forget_one


def test_forget_one_drops_the_first_idle_and_moves_busy_ones_back() -> None:
    entries = OrderedDict((n, n) for n in range(20))
    forget_one(entries, lambda key, _: key < 3)
    assert 3 not in entries and len(entries) == 19
    assert list(entries)[:2] == [4, 5] and list(entries)[-3:] == [0, 1, 2]


def test_forget_one_gives_up_after_a_bounded_number_of_busy_entries() -> None:
    entries = OrderedDict((n, n) for n in range(20))
    asked: list[int] = []

    def busy(key: int, _: int) -> bool:
        asked.append(key)
        return True

    forget_one(entries, busy)
    assert asked == list(range(PASSES)) and PASSES not in entries and len(entries) == 19
