"""Conformance rules for the contact-centre side: notification clients, backends and webhook receivers.

Each rule reads the journal only and answers ``Finding``\\ s (rule, message, entries), which
``mockgenesys.conformance.check`` turns into violations:

- ``notification_storm``: one caller created notification channels, or wrote subscriptions that
  changed nothing, ``DEFAULT_STORM_COUNT`` times or more within ``DEFAULT_STORM_WINDOW`` seconds.
  A channel survives a dropped socket (reconnect to its ``connectUri``) and keeps its topics; only
  renewing it before its 24 hours run out needs a subscription written again.
- ``unverified_webhook``: a webhook receiver answered a delivery whose ``X-Hub-Signature-256``
  was forged (a ``forge_signature`` fault) with a 2xx: it did not check the signature, so anyone
  who knows its URL can speak for Genesys.
- ``missed_events``: events were published on topics a client had subscribed on a channel that
  then expired or was pushed out by its 21st channel, before the client subscribed them again: a
  backend that lets its channel lapse loses what happens meanwhile.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from mockgenesys.journal import Entry

CC_RULES = ("notification_storm", "unverified_webhook", "missed_events")
DEFAULT_STORM_COUNT = 4
DEFAULT_STORM_WINDOW = 60.0
_SETUP = ("notifications.channels.create", "notifications.subscriptions.put", "notifications.subscriptions.post")
#: The journal codes of a missed event the client could have prevented (``not-connected`` is a network's doing).
_LAPSED = ("expired", "removed")


class Finding(NamedTuple):
    """One violation as the rules see it: ``Violation(*finding)``."""

    rule: str
    message: str
    entries: tuple[Entry, ...]


def contact_centre_findings(
    entries: Iterable[Entry],
    rule: str,
    *,
    storm_count: int = DEFAULT_STORM_COUNT,
    storm_window: float = DEFAULT_STORM_WINDOW,
) -> list[Finding]:
    """What ``rule`` (one of ``CC_RULES``) finds in ``entries`` (in journal order)."""
    ordered = sorted(entries, key=lambda e: e.seq)
    if rule == "notification_storm":
        return _storms(ordered, storm_count, storm_window)
    if rule == "unverified_webhook":
        return _unverified(ordered)
    if rule == "missed_events":
        return _missed(ordered)
    raise ValueError(f"Unknown contact-centre rule {rule!r}; valid: {', '.join(CC_RULES)}.")


def _redundant(entry: Entry) -> bool:
    """A channel created, or a subscription written that changed no topic."""
    if entry.endpoint not in _SETUP or entry.status != 200:
        return False
    return entry.endpoint == "notifications.channels.create" or entry.detail == "unchanged"


def _storms(entries: list[Entry], count: int, window: float) -> list[Finding]:
    recent: dict[str | None, list[Entry]] = defaultdict(list)
    found: list[Finding] = []
    reported: set[str | None] = set()
    for entry in entries:
        if not _redundant(entry) or entry.principal is None:
            continue
        calls = recent[entry.principal]
        calls.append(entry)
        while calls and entry.time - calls[0].time > window:
            calls.pop(0)
        if len(calls) >= count and entry.principal not in reported:
            reported.add(entry.principal)
            created = sum(1 for e in calls if e.endpoint == "notifications.channels.create")
            found.append(
                Finding(
                    "notification_storm",
                    f"{entry.principal} created {created} notification channel(s) and rewrote unchanged subscriptions "
                    f"{len(calls) - created} time(s) within {window:.0f} s; keep one channel, reconnect to its connectUri "
                    "after a drop (it keeps its topics) and subscribe again only to renew it before it expires.",
                    tuple(calls),
                )
            )
    return found


def _unverified(entries: list[Entry]) -> list[Finding]:
    accepted: dict[str | None, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.endpoint == "openmessaging.webhook" and entry.code == "forged" and 200 <= entry.status < 300:
            accepted[entry.principal].append(entry)
    return [
        Finding(
            "unverified_webhook",
            f"the webhook of integration {integration} accepted {len(found)} request(s) with a forged "
            f"X-Hub-Signature-256 (HTTP {found[0].status}); compute sha256= + base64(HMAC-SHA256(secret, body)) over "
            "the raw body, compare in constant time and answer 401 when it differs.",
            tuple(found),
        )
        for integration, found in accepted.items()
    ]


def _missed(entries: list[Entry]) -> list[Finding]:
    missed: dict[str | None, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.endpoint == "notifications.event.missed" and entry.code in _LAPSED:
            missed[entry.principal].append(entry)
    findings = []
    for principal, found in missed.items():
        topics = sorted({e.detail for e in found if e.detail})
        shown = ", ".join(topics[:3]) + (f" and {len(topics) - 3} more" if len(topics) > 3 else "")
        findings.append(
            Finding(
                "missed_events",
                f"{principal} missed {len(found)} event(s) on {shown} after its channel {found[0].code} "
                f"({found[0].path}); subscribe again before the channel's expires (the same topics renew it for "
                "24 h), or make a new channel and subscribe when v2.system.socket_closing arrives.",
                tuple(found),
            )
        )
    return findings
