"""What the guests asked to send, and the verdict the mock's stored messages give on it.

Every guest text is unique and says who sent it: ``load <process tag> g<N> m<i>``. A process's
``Ledger`` records, per guest prefix, how many texts were asked for (indices ``0..n-1``), which of
them were abandoned (the run stopped mid-send, or the fate of a send stayed unknown, so it was not
sent again) and how often each kind of re-authentication happened. Ledgers travel to the Locust
master as plain dicts and merge there. ``judge`` then reads the texts the *mock* stored: each asked
text must be stored exactly once (abandoned ones at most once); anything else is lost or duplicated.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

TEXT_PATTERN = re.compile(r"^(?P<prefix>load \S+ g\d+) m(?P<index>\d+)$")
MAX_EXAMPLES = 10


def guest_text(prefix: str, index: int) -> str:
    """The text of message ``index`` of the guest whose texts start with ``prefix``."""
    return f"{prefix} m{index}"


@dataclass
class Ledger:
    """One process's record of what its guests asked to send, and its re-authentication counts."""

    asked: dict[str, int] = field(default_factory=dict)
    abandoned: dict[str, list[int]] = field(default_factory=dict)
    reauth: Counter[str] = field(default_factory=Counter)

    def join(self, prefix: str) -> None:
        """A guest with texts starting ``prefix`` started (it counts as a guest before its first text)."""
        self.asked.setdefault(prefix, 0)

    def ask(self, prefix: str, index: int) -> None:
        """Text ``index`` of ``prefix`` is about to go on the wire."""
        self.asked[prefix] = max(self.asked.get(prefix, 0), index + 1)

    def abandon(self, prefix: str, index: int) -> None:
        """Text ``index`` may or may not have been stored, and will not be sent again."""
        self.abandoned.setdefault(prefix, []).append(index)

    def count_reauth(self, kind: str) -> None:
        self.reauth[kind] += 1

    def to_dict(self) -> dict[str, Any]:
        return {"asked": dict(self.asked), "abandoned": dict(self.abandoned), "reauth": dict(self.reauth)}

    def merge(self, data: dict[str, Any]) -> None:
        """Add another process's ``to_dict()`` to this ledger."""
        for prefix, count in data.get("asked", {}).items():
            self.asked[prefix] = max(self.asked.get(prefix, 0), int(count))
        for prefix, indices in data.get("abandoned", {}).items():
            self.abandoned.setdefault(prefix, []).extend(int(i) for i in indices)
        self.reauth.update({str(k): int(v) for k, v in data.get("reauth", {}).items()})


@dataclass(frozen=True)
class Verdict:
    """Lost and duplicated guest messages, judged from what the mock stored."""

    guests: int
    asked: int
    stored_once: int
    lost: int
    duplicated: int
    abandoned: int
    reauth: dict[str, int]
    examples: list[str]

    @property
    def passed(self) -> bool:
        return self.lost == 0 and self.duplicated == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "guests": self.guests,
            "asked": self.asked,
            "stored_once": self.stored_once,
            "lost": self.lost,
            "duplicated": self.duplicated,
            "abandoned": self.abandoned,
            "reauth": self.reauth,
            "examples": self.examples,
        }

    def lines(self) -> list[str]:
        """The verdict for people, a few lines."""
        mark = "PASS" if self.passed else "FAIL"
        reauth = ", ".join(f"{k} {v}" for k, v in sorted(self.reauth.items())) or "none"
        return [
            f"{mark} guest messages judged from the mock: {self.guests} guests asked {self.asked}, "
            f"{self.stored_once} stored once, {self.lost} lost, {self.duplicated} duplicated, "
            f"{self.abandoned} abandoned mid-send (stored at most once)",
            f"  re-authentication: {reauth}",
            *(f"  {example}" for example in self.examples),
        ]


def judge(ledger: Ledger, stored_texts: Iterable[str]) -> Verdict:
    """Compare what ``ledger`` asked for with the texts the mock stored (of every conversation)."""
    counts: Counter[tuple[str, int]] = Counter()
    for text in stored_texts:
        match = TEXT_PATTERN.match(text)
        if match and match["prefix"] in ledger.asked:
            counts[(match["prefix"], int(match["index"]))] += 1
    abandoned = {(prefix, i) for prefix, indices in ledger.abandoned.items() for i in indices}
    lost = duplicated = once = 0
    examples: list[str] = []
    for prefix, asked in sorted(ledger.asked.items()):
        for index in range(asked):
            stored = counts.get((prefix, index), 0)
            if stored == 1:
                once += 1
            elif stored > 1:
                duplicated += 1
                if len(examples) < MAX_EXAMPLES:
                    examples.append(f"duplicated: {guest_text(prefix, index)!r} is stored {stored} times")
            elif (prefix, index) not in abandoned:
                lost += 1
                if len(examples) < MAX_EXAMPLES:
                    examples.append(f"lost: {guest_text(prefix, index)!r} was confirmed but is not stored")
    return Verdict(
        guests=len(ledger.asked),
        asked=sum(ledger.asked.values()),
        stored_once=once,
        lost=lost,
        duplicated=duplicated,
        abandoned=len(abandoned),
        reauth=dict(ledger.reauth),
        examples=examples,
    )


def stored_texts(snapshot: dict[str, Any]) -> list[str]:
    """Every inbound text in a world snapshot (``GET /__admin/world``), or in a list of them."""
    worlds = snapshot.get("workers", [snapshot]) if isinstance(snapshot, dict) else []
    return [
        str(message.get("text", ""))
        for world in worlds
        for conversation in world.get("conversations", [])
        for message in conversation.get("messages", [])
        if message.get("direction") == "inbound"
    ]
