"""What every rule reads the journal as: callers, operations, attempts and issued credentials.

- A **caller** is who sends: an OAuth client (``client:<id>``: a request bearing one of its tokens
  is followed back to the ``oauth.token`` entry that issued the token, so a refreshed token is
  the same caller), a guest session (``fp:…`` of its token, for its frames and for requests
  bearing its guest JWT), or ``guest:<session id>`` on the guest JWT exchange and refresh.
- An **operation** is what one caller asks again when it retries: an HTTP method and path, a
  guest action, and for ``onMessage`` the message's identity (``metadata.id``).
- An **attempt** was sent at ``sent_at`` (its ``received`` time when the server journaled one,
  live HTTP; else ``time``) and answered at ``time``. It failed when its status is 0 (reset,
  closed) or 400 and up; 2xx and 3xx are successes. A request is blamed for an answer (a 401,
  a 429) only if it was sent after that answer (``sent_after``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from mockgenesys.journal import Entry

#: Endpoints that issue a credential (``detail`` is its fingerprint, ``expires_at`` its expiry).
ISSUERS = frozenset({"oauth.token", "guest.ws.getJwt", "webdeployments.token.exchange", "webdeployments.token.refresh"})
#: 401 codes that say nothing about the credential's life: no credential, or the guest session ended.
NOT_A_REFUSAL = frozenset({"authentication.required", "credentials.expired"})
#: Guest WebSocket codes for a session that is gone (a new session is the cure, not a retry).
SESSION_GONE = frozenset({4006, 4007})
ON_MESSAGE = "guest.ws.onMessage"


def client_requests(entries: Iterable[Entry]) -> list[Entry]:
    """The requests clients made: HTTP calls and inbound WebSocket frames, admin API calls left out."""
    return [e for e in entries if e.kind in ("http", "ws.in") and not e.endpoint.startswith("admin.")]


def sent_at(entry: Entry) -> float:
    """When the client sent ``entry``: its arrival time if journaled, else its handling time."""
    return entry.received if entry.received is not None else entry.time


def sent_after(entry: Entry, answer: Entry, in_flight: float) -> bool:
    """Whether ``entry`` was sent once ``answer`` had reached its client, so the client could know of it.

    In-process the server handles each request as it is sent, so the journal's order is the
    order of knowledge. Live (the entry has a ``received`` time), the server cannot see when a
    request left its client: concurrent requests reach the app one after another, so one that
    arrived within ``in_flight`` seconds of ``answer`` is taken to have been on its way already.
    """
    if entry.seq <= answer.seq:
        return False
    return entry.received is None or entry.received >= answer.time + in_flight


def failed(entry: Entry) -> bool:
    """Whether the attempt failed: no answer (status 0) or an error status."""
    return entry.status == 0 or entry.status >= 400


def is_client_error(status: int) -> bool:
    """A 4xx that no retry can cure (401, 408 and 429 can be)."""
    return 400 <= status < 500 and status not in (401, 408, 429)


def operation(entry: Entry) -> str:
    """What ``entry`` asked for, as one retried operation: method and path, or the guest action
    (and message identity for ``onMessage``)."""
    if entry.kind == "ws.in":
        return f"{entry.endpoint} {entry.detail}" if entry.endpoint == ON_MESSAGE else entry.endpoint
    return f"{entry.method} {entry.path}"


def credential(entry: Entry) -> str | None:
    """The bearer credential an HTTP entry presented: ``credential``, or (journals written before
    it existed) a token-fingerprint ``principal``."""
    if entry.kind != "http":
        return None
    if entry.credential is not None:
        return entry.credential
    principal = entry.principal
    return principal if principal is not None and principal.startswith("fp:") else None


def refused(entry: Entry) -> bool:
    """Whether ``entry`` is a 401 that says its credential is no good (expired, revoked, unknown)."""
    return entry.status == 401 and entry.code not in NOT_A_REFUSAL and credential(entry) is not None


@dataclass
class Facts:
    """The journal read once for every rule: entries by seq, client requests, issued credentials."""

    entries: list[Entry]
    requests: list[Entry] = field(init=False)
    #: Credential fingerprint -> the entry that issued it.
    issued: dict[str, Entry] = field(init=False)
    #: Caller -> its requests in journal order.
    by_caller: dict[str, list[Entry]] = field(init=False)

    def __post_init__(self) -> None:
        self.entries = sorted(self.entries, key=lambda e: e.seq)
        self.requests = client_requests(self.entries)
        self.issued = {}
        for entry in self.requests:
            if entry.endpoint in ISSUERS and entry.status == 200 and entry.detail:
                self.issued.setdefault(entry.detail, entry)
        self.by_caller = defaultdict(list)
        for entry in self.requests:
            who = self.caller(entry)
            if who is not None:
                self.by_caller[who].append(entry)

    def caller(self, entry: Entry) -> str | None:
        """Who sent ``entry`` (see the module docstring); None when the journal cannot tell."""
        bearer = credential(entry)
        if bearer is not None:
            issuer = self.issued.get(bearer)
            if issuer is not None and issuer.endpoint == "oauth.token":
                return issuer.principal
        return entry.principal

    def issuer_of(self, credential_fp: str) -> str | None:
        """The caller a credential was issued to (the principal of its issuing entry)."""
        issuer = self.issued.get(credential_fp)
        return issuer.principal if issuer is not None else None
