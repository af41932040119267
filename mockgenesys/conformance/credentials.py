"""Rules on credentials: OAuth access tokens and guest JWTs, followed by their exact fingerprint.

Every credential the server issued is in the journal with its expiry (``facts.issued``), so a
credential is judged against what the client was told: its ``expires_in`` or ``exp``, and the
401 that refused it (graded by send time: a request already on its way when the 401 was
answered is not blamed).
"""

from __future__ import annotations

from collections import defaultdict

from mockgenesys.conformance.facts import ISSUERS, SESSION_GONE, Facts, credential, failed, refused, sent_after, sent_at
from mockgenesys.conformance.report import Violation
from mockgenesys.journal import Entry


def _kind(issuer: Entry | None) -> str:
    return "token" if issuer is None or issuer.endpoint == "oauth.token" else "guest JWT"


def _first_refusals(facts: Facts) -> dict[str, Entry]:
    found: dict[str, Entry] = {}
    for entry in facts.requests:
        cred = credential(entry)
        if cred is not None and refused(entry):
            found.setdefault(cred, entry)
    return found


def token_reuse_after_401(facts: Facts, in_flight: float) -> list[Violation]:
    """A credential sent again after a 401 refused it: sent after the 401 reached the client, or
    after the client had already sent a request with a newer credential."""
    refusals = _first_refusals(facts)
    reused: dict[str, list[Entry]] = defaultdict(list)
    pending: dict[str | None, list[Entry]] = defaultdict(list)  # issuer principal -> its refusals so far
    switched: set[str] = set()  # refused credentials whose caller has since used a newer one
    for entry in facts.requests:
        cred = credential(entry)
        if cred is None:
            continue
        cause = refusals.get(cred)
        if cause is not None and (cred in switched or sent_after(entry, cause, in_flight)):
            reused[cred].append(entry)
        if cause is entry:
            pending[facts.issuer_of(cred)].append(entry)
        issuer = facts.issued.get(cred)
        if issuer is not None and (cause is None or cause.seq > entry.seq):
            waiting = pending.get(issuer.principal)
            if waiting:
                newer = [r for r in waiting if issuer.seq > r.seq]
                switched.update(c for r in newer if (c := credential(r)) is not None)
                pending[issuer.principal] = [r for r in waiting if issuer.seq <= r.seq]
    found = []
    for cred, entries in reused.items():
        cause = refusals[cred]
        kind = _kind(facts.issued.get(cred))
        found.append(
            Violation(
                "token_reuse_after_401",
                f"a {kind} rejected with 401 at #{cause.seq} was sent again {len(entries)} time(s) (first to "
                f"{entries[0].endpoint}); after a 401 drop the {kind} and fetch a new one before retrying.",
                (cause, *entries),
                caller=facts.caller(cause),
            )
        )
    return found


def expired_token(facts: Facts) -> list[Violation]:
    """A credential sent at or after the expiry its issuer announced."""
    late: dict[str, list[Entry]] = defaultdict(list)
    for entry in facts.requests:
        cred = credential(entry)
        issuer = facts.issued.get(cred) if cred is not None else None
        expires_at = issuer.expires_at if issuer is not None else None
        if cred is not None and expires_at is not None and sent_at(entry) >= expires_at:
            late[cred].append(entry)
    found = []
    for cred, entries in late.items():
        issuer = facts.issued[cred]
        assert issuer.expires_at is not None
        kind = _kind(issuer)
        announced = "expires_in" if kind == "token" else "exp"
        found.append(
            Violation(
                "expired_token",
                f"{entries[0].endpoint} was called with a {kind} {sent_at(entries[0]) - issuer.expires_at:.0f} s "
                f"after it expired ({announced} from #{issuer.seq}; {len(entries)} use(s) past it); refresh "
                f"before {announced} runs out.",
                (issuer, *entries),
                caller=facts.caller(entries[0]),
            )
        )
    return found


def relied_on_401(facts: Facts) -> list[Violation]:
    """A credential kept until the server refused it, although its expiry was known (warning)."""
    found = []
    for cred, cause in _first_refusals(facts).items():
        issuer = facts.issued.get(cred)
        if issuer is None or issuer.expires_at is None or sent_at(cause) < issuer.expires_at:
            continue
        kind = _kind(issuer)
        found.append(
            Violation(
                "relied_on_401",
                f"the client learned that its {kind} had expired from the 401 at #{cause.seq}, though #{issuer.seq} "
                f"said when it would; refresh ahead of the known expiry instead of waiting to be refused.",
                (issuer, cause),
                level="warning",
                caller=facts.caller(cause),
            )
        )
    return found


def no_reauth_after_401(facts: Facts) -> list[Violation]:
    """A 401 for the caller's newest credential that was never followed by fetching a new one.

    A 401 for a credential fetched right after another 401 may end the operation (one refresh
    per refusal is enough), and so may a 401 for a credential already replaced, or a guest JWT's
    401 after which the server ended the guest's session (4006, 4007): the new session's JWT is
    the cure, fetched by the new session.
    """
    issuances: dict[str, list[Entry]] = defaultdict(list)  # issuer principal -> its attempts, in order
    ended: dict[str, int] = {}  # guest session principal -> seq of the last answer that ended it
    for entry in facts.requests:
        if entry.endpoint in ISSUERS and entry.principal is not None:
            issuances[entry.principal].append(entry)
        if entry.status in SESSION_GONE and entry.principal is not None:
            ended[entry.principal] = entry.seq
    refetched: set[str] = set()
    pending: set[str] = set()
    for entry in facts.requests:
        cred = credential(entry)
        if cred is not None and refused(entry):
            owner = facts.issuer_of(cred)
            if owner is not None:
                pending.add(owner)
        elif entry.endpoint in ISSUERS and entry.status == 200 and entry.detail and entry.principal in pending:
            refetched.add(entry.detail)
            pending.discard(entry.principal)
    found = []
    seen: set[str] = set()
    for entry in facts.requests:
        cred = credential(entry)
        if cred is None or not refused(entry) or cred in refetched or cred in seen:
            continue
        issuer = facts.issued.get(cred)
        if issuer is None or issuer.principal is None:
            continue
        attempts = issuances[issuer.principal]
        if any(a.seq > entry.seq for a in attempts):
            continue
        if any(a.seq > issuer.seq and a.status == 200 for a in attempts):
            continue  # a newer credential already replaced it: the refusal came to a request in flight
        if ended.get(issuer.principal, 0) > entry.seq:
            continue  # the session ended since: a new session (and its JWT) replaced it
        seen.add(cred)
        kind = _kind(issuer)
        found.append(
            Violation(
                "no_reauth_after_401",
                f"after its {kind} was refused with 401 at #{entry.seq} the client never asked for a new one; on a "
                f"401 fetch a fresh {kind} once and retry, and fail only if the fresh one is refused too.",
                (issuer, entry),
                caller=facts.caller(entry),
            )
        )
    return found


def relogin_storm(facts: Facts, *, count: int, window: float, margin: float, max_relogins: int) -> list[Violation]:
    """Several credentials fetched where one would do: ``count`` within ``window`` while a valid one
    existed (no single flight), or more than ``max_relogins`` in a row each refused at once (no cap)."""
    return _redundant_fetches(facts, count, window, margin) + _relogin_loops(facts, max_relogins)


def _redundant_fetches(facts: Facts, count: int, window: float, margin: float) -> list[Violation]:
    issued: dict[str, list[Entry]] = defaultdict(list)
    refused_creds: set[str] = set()
    storms: dict[str, list[Entry]] = {}
    for entry in facts.requests:
        cred = credential(entry)
        if cred is not None and refused(entry):
            refused_creds.add(cred)
        if entry.endpoint not in ISSUERS or entry.status != 200 or not entry.principal:
            continue
        earlier = issued[entry.principal]
        valid = [
            e
            for e in earlier
            if e.expires_at is not None
            and e.expires_at - margin > entry.time
            and e.detail not in refused_creds
            and entry.time - e.time <= window
        ]
        if len(valid) + 1 >= count:
            storm = storms.setdefault(entry.principal, [])
            storm.extend(e for e in (*valid, entry) if e not in storm)
        earlier.append(entry)
    return [
        Violation(
            "relogin_storm",
            f"{who} fetched {len(entries)} credentials ({entries[0].endpoint}) within {window:.0f} s while a valid "
            "one existed; cache the credential and share one refresh between concurrent callers (single flight).",
            tuple(sorted(entries, key=lambda e: e.seq)),
            caller=who,
        )
        for who, entries in storms.items()
    ]


def _relogin_loops(facts: Facts, max_relogins: int) -> list[Violation]:
    found = []
    for who, requests in facts.by_caller.items():
        loop: list[Entry] = []
        current: str | None = None
        state = ""  # "fresh": issued, not yet used; "refused": refused on its first use
        flagged = False
        for entry in requests:
            if entry.endpoint in ISSUERS and entry.status == 200 and entry.detail:
                loop = [*loop, entry] if state == "refused" else [entry]
                current, state = entry.detail, "fresh"
                if len(loop) > max_relogins and not flagged:
                    flagged = True
                    found.append(
                        Violation(
                            "relogin_storm",
                            f"{who} fetched {len(loop)} credentials in a row and each was refused on its first use; "
                            "after a fresh credential is refused, stop and report the failure instead of logging "
                            "in again.",
                            tuple(loop),
                            caller=who,
                        )
                    )
            elif state == "fresh" and credential(entry) == current:
                state = "refused" if refused(entry) else ""
                if not state:
                    loop, flagged = [], False
            elif not failed(entry) and entry.endpoint not in ISSUERS:
                loop, state, flagged = [], "", False
    return found
