"""Rules on guest messages: stored once, and never silently dropped when the session ends.

A guest message is known by its identity (``metadata.id``, else its tracingId: the journal's
``detail`` on ``onMessage``) and by its content (``content``: a digest of text and attachments).
Only frames the server stored are journaled 200.
"""

from __future__ import annotations

from mockgenesys.conformance.facts import ON_MESSAGE, SESSION_GONE, Facts, failed
from mockgenesys.conformance.report import Violation
from mockgenesys.journal import Entry

#: The read-only refusal of a message to a conversation the agent left (a new conversation is the cure).
READ_ONLY = 403
ECHO = "guest.ws.out.StructuredMessage"


def _echoed(facts: Facts) -> set[int]:
    """Seqs of stored guest messages whose echo went out: the server journals the echo (a
    ``StructuredMessage`` to the session) just before the message it answers."""
    found = set()
    for index, entry in enumerate(facts.entries):
        if entry.endpoint != ON_MESSAGE or entry.status != 200:
            continue
        back = index - 1
        while back >= 0 and facts.entries[back].kind == "ws.out":
            echo = facts.entries[back]
            if echo.endpoint == ECHO and echo.principal == entry.principal:
                found.add(entry.seq)
                break
            back -= 1
    return found


def duplicate_message(facts: Facts) -> list[Violation]:
    """A guest message stored twice in one session: the same identity, or the same content resent
    under a new identity after its first copy was stored without an echo (the socket failed) and
    the client did not check delivery."""
    by_identity: dict[tuple[str | None, str], Entry] = {}
    by_content: dict[tuple[str | None, str], Entry] = {}
    echoed = _echoed(facts)
    found = []
    for entry in facts.requests:
        if entry.endpoint != ON_MESSAGE or entry.status != 200:
            continue
        if entry.detail:
            first = by_identity.get((entry.principal, entry.detail))
            if first is not None:
                found.append(
                    Violation(
                        "duplicate_message",
                        f"guest message {entry.detail!r} was stored twice in one session; check echoes and "
                        "history before resending after a reconnect.",
                        (first, entry),
                        caller=entry.principal,
                    )
                )
                continue
            by_identity[(entry.principal, entry.detail)] = entry
        if entry.content:
            first = by_content.get((entry.principal, entry.content))
            if first is not None and first.detail != entry.detail and first.seq not in echoed:
                found.append(
                    Violation(
                        "duplicate_message",
                        f"the same guest message was stored twice in one session, resent as {entry.detail!r} "
                        f"after #{first.seq} stored it as {first.detail!r} and its echo was lost; keep one "
                        "metadata.id per message and check delivery (echo, history) before resending.",
                        (first, entry),
                        caller=entry.principal,
                    )
                )
                continue
            by_content[(entry.principal, entry.content)] = entry
    return found


def dropped_message(facts: Facts, max_attempts: int) -> list[Violation]:
    """A guest message the server refused because the session or conversation ended (4006, 4007,
    read-only 403) that the client never sent again (by identity or content, in any session),
    unless that refusal answered its ``max_attempts``-th try in a row: a client out of attempts
    reports the failure instead."""
    later_identities: dict[str, int] = {}
    later_contents: dict[str, int] = {}
    sends = [e for e in facts.requests if e.endpoint == ON_MESSAGE]
    tries: dict[tuple[str | None, str], int] = {}  # (caller, message) -> failed tries in a row so far
    at_cap: set[int] = set()
    for entry in sends:
        if entry.detail:
            later_identities[entry.detail] = entry.seq
        if entry.content:
            later_contents[entry.content] = entry.seq
        key = (entry.principal, entry.content or entry.detail or "")
        tries[key] = tries.get(key, 0) + 1 if failed(entry) else 0
        if tries[key] >= max_attempts:
            at_cap.add(entry.seq)
    found = []
    for entry in sends:
        if entry.status not in SESSION_GONE and entry.status != READ_ONLY:
            continue
        last = max(later_identities.get(entry.detail or "", 0), later_contents.get(entry.content or "", 0))
        if last > entry.seq or entry.seq in at_cap:
            continue
        why = (
            "the conversation became read-only" if entry.status == READ_ONLY else f"the session ended ({entry.status})"
        )
        found.append(
            Violation(
                "dropped_message",
                f"guest message {entry.detail!r} was refused because {why} and never sent again; an ended "
                "session is no reason to lose a message: start a new session (or conversation) and resend it.",
                (entry,),
                caller=entry.principal,
            )
        )
    return found
