"""Invariants on what the guests asked for and what the server holds: every text stored once, in
order, in time; restored histories complete; secure sessions created.

The evidence is the world's conversations (every guest text is unique: ``chaos <tag> g<K> m<i>``)
and what each guest's workload recorded; nothing the client says is trusted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from mockgenesys.chaos.records import GuestRecord, RestoreRecord, RunRecords, ServerView
from mockgenesys.chaos.verdicts import InvariantResult, verdict


def no_lost_message(view: ServerView, run: RunRecords, params: dict[str, Any]) -> InvariantResult:
    failures: dict[int, list[str]] = defaultdict(list)
    for record in run.guests:
        present = {s.index for s in view.stored.get(record.index, [])}
        sends = {s.index: s for s in record.sends}
        for index, text in enumerate(record.planned):
            if index in present:
                continue
            send = sends.get(index)
            if send is None:
                why = "never sent: the guest stopped before it (" + ("; ".join(record.errors[-1:]) or "run limit") + ")"
            elif send.error is not None:
                why = f"send raised {send.error}"
            else:
                why = "the client reported it sent, but the server has no such message"
            failures[record.index].append(f"guest {record.index}: {text!r} is not on the server: {why}")
    return verdict(
        "no_lost_message",
        params,
        failures,
        "every workload text is on the server",
        "{n} message(s) of {g} guest(s) lost",
    )


def no_duplicate(view: ServerView, run: RunRecords, params: dict[str, Any]) -> InvariantResult:
    failures: dict[int, list[str]] = defaultdict(list)
    for guest, items in view.stored.items():
        counts = Counter(s.index for s in items)
        for index, count in sorted(counts.items()):
            if count > 1:
                where = ", ".join(f"{s.conversation_id}@{s.position}" for s in items if s.index == index)
                failures[guest].append(f"guest {guest}: message m{index} is stored {count} times ({where})")
    return verdict(
        "no_duplicate", params, failures, "no text is stored twice", "{n} duplicated message(s) in {g} guest(s)"
    )


def order_kept(view: ServerView, run: RunRecords, params: dict[str, Any]) -> InvariantResult:
    failures: dict[int, list[str]] = defaultdict(list)
    for guest, items in view.stored.items():
        seen: set[int] = set()
        last = -1
        for stored in items:
            if stored.index in seen:
                continue
            seen.add(stored.index)
            if stored.index < last:
                failures[guest].append(
                    f"guest {guest}: m{stored.index} is stored after m{last} (t={stored.time:.3f}, {stored.conversation_id})"
                )
            last = max(last, stored.index)
    return verdict(
        "order_kept",
        params,
        failures,
        "every guest's texts are in send order",
        "{n} out-of-order message(s) in {g} guest(s)",
    )


def recovery_within(view: ServerView, run: RunRecords, params: dict[str, Any]) -> InvariantResult:
    limit = params["seconds"]
    failures: dict[int, list[str]] = defaultdict(list)
    for record in run.guests:
        first: dict[int, float] = {}
        for stored in view.stored.get(record.index, []):
            first.setdefault(stored.index, stored.time)
        for send in record.sends:
            waited = view.waited(send.issued, first[send.index]) if send.index in first else 0.0
            if waited > limit:
                failures[record.index].append(
                    f"guest {record.index}: m{send.index} reached the server {waited:.1f} s "
                    f"after it was asked for (limit {limit:g} s)"
                )
    return verdict(
        "recovery_within",
        params,
        failures,
        f"every text arrived within {limit:g} s",
        "{n} slow recoveries in {g} guest(s)",
    )


def secure_session_created(view: ServerView, run: RunRecords, params: dict[str, Any]) -> InvariantResult:
    owned = Counter(
        int(s["metadata"]["chaosGuest"])
        for s in view.seed_sessions
        if (s.get("metadata") or {}).get("chaosTag") == view.tag and "chaosGuest" in s["metadata"]
    )
    failures: dict[int, list[str]] = defaultdict(list)
    for record in run.guests:
        count = owned.get(record.index, 0)
        if count != 1:
            failures[record.index].append(f"guest {record.index}: {count} secure sessions on the server, expected 1")
        outcome = record.secure
        if outcome is None:
            continue
        if outcome.error is not None:
            failures[record.index].append(f"guest {record.index}: the broker raised {outcome.error}")
        elif outcome.done is not None:
            imposed = _imposed_waits(view, outcome.credential, outcome.issued, outcome.done)
            if view.waited(outcome.issued, outcome.done) - imposed > params["within"]:
                told = f", {imposed:g} s of them Retry-After the server asked for" if imposed else ""
                failures[record.index].append(
                    f"guest {record.index}: the broker took {outcome.done - outcome.issued:.1f} s{told} "
                    f"(limit {params['within']:g} s; a slow KMS webhook must not hold it up)"
                )
    return verdict(
        "secure_session_created",
        params,
        failures,
        "every guest got one secure session in time",
        "{n} problem(s) in {g} guest(s)",
    )


def history_complete(view: ServerView, run: RunRecords, params: dict[str, Any]) -> InvariantResult:
    """Each restore returned, oldest first, every message its conversation held when it began."""
    failures: dict[int, list[str]] = defaultdict(list)
    for record in run.guests:
        for restore in record.restored:
            problem = _restore_problem(view, record, restore)
            if problem is not None:
                failures[record.index].append(f"guest {record.index}: the restore at t={restore.issued:.3f} {problem}")
    return verdict(
        "history_complete",
        params,
        failures,
        "every restore returned the whole conversation",
        "{n} incomplete restore(s) in {g} guest(s)",
    )


def _restore_problem(view: ServerView, record: GuestRecord, restore: RestoreRecord) -> str | None:
    if restore.texts is None:
        return None  # a failed restore is judged by what it leaves undone, not here
    planned = {text: index for index, text in enumerate(record.planned)}
    shown = {planned[t] for t in restore.texts if t in planned}
    where = Counter(s.conversation_id for s in view.stored.get(record.index, []) if s.index in shown)
    if not where:
        return None  # none of this guest's texts: which conversation it shows cannot be told
    conversation = view.conversation(where.most_common(1)[0][0])
    if conversation is None:
        return None
    expected = [
        m.get("text") or ""
        for m in conversation.get("messages", [])
        if m.get("type") != "Event" and float(m.get("timestamp", 0.0)) < restore.issued
    ]
    found = 0  # how much of ``expected`` appears in order in what the client returned
    for text in restore.texts:
        if found < len(expected) and text == expected[found]:
            found += 1
    if found == len(expected):
        return None
    return (
        f"returned {len(restore.texts)} text(s), but the conversation held {len(expected)} before it began; "
        f"{len(expected) - found} of them are missing or out of order from {expected[found]!r} on "
        "(restore every page, oldest first)"
    )


def _imposed_waits(view: ServerView, credential: str | None, start: float, end: float) -> float:
    """Seconds of Retry-After the server gave ``credential``'s requests between ``start`` and ``end``."""
    if credential is None:
        return 0.0
    return float(
        sum(
            e.retry_after or 0
            for e in view.entries
            if e.status == 429 and e.credential == credential and start <= e.time <= end
        )
    )
