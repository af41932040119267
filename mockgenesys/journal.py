"""The journal: a bounded record of every request and WebSocket frame the mock handled.

It records what the server actually did. A request or inbound frame a fault answered carries the
fault's status (and error code) and the rule id in ``fault``; one a fault cut off without an
answer, so the server did not carry it out, has ``status=0`` and ``code="reset"`` (an HTTP reset,
a dropped socket); one the server answered by closing the socket (the per-session connection
cap, or a frame held by a fault whose socket closed meanwhile) has ``status=0`` and
``code="closed"``. A frame a fault delayed is journaled once, when it is answered, with that
answer's status. Only an ``onMessage`` the server stored is journaled 200.
"""

from __future__ import annotations

import fnmatch
import functools
import gc
import hashlib
import itertools
import json
import operator
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from typing import Any

from mockgenesys.errors import JournalAssertionError

DEFAULT_JOURNAL_SIZE = 100_000
#: ``code`` of a request or frame a fault cut off without an answer (its ``status`` is 0).
RESET = "reset"
#: ``code`` of a frame answered by closing the socket instead (its ``status`` is 0).
CLOSED = "closed"


@dataclass(slots=True)
class Entry:
    """One journal line: an HTTP exchange or a WebSocket frame.

    ``time`` is the mock's clock when the server handled it and ``wall`` the wall clock;
    ``status`` the HTTP status or the frame's code (0: no answer, see ``code``).

    ``principal`` names the caller: ``fp:…`` of the OAuth access token, or of the guest
    session's token for a request bearing a valid guest JWT and for guest frames;
    ``client:<id>`` on the token endpoint; ``guest:<session id>`` on the guest JWT exchange and
    refresh. ``credential`` is the fingerprint of the exact bearer credential an HTTP request
    presented (the access token or the guest JWT), None without one.

    On an entry that issued a credential (``oauth.token``, ``webdeployments.token.exchange``,
    ``webdeployments.token.refresh``, ``guest.ws.getJwt``) ``detail`` is the issued credential's
    fingerprint and ``expires_at`` its expiry on the mock's clock. On ``guest.ws.onMessage``
    ``detail`` is the message's ``metadata.id`` (else its tracingId).

    ``received`` is the mock-clock time the request arrived, when that is earlier than ``time``:
    live HTTP requests (read at the server's entry, before the body) and frames a fault delayed.
    """

    seq: int
    time: float
    wall: float
    kind: str  # "http" | "ws.in" | "ws.out" | "ws.connect"
    endpoint: str
    method: str
    path: str
    status: int
    principal: str | None = None
    org_id: str | None = None
    code: str | None = None
    fault: str | None = None
    latency_ms: float = 0.0
    retry_after: int | None = None
    expires_at: float | None = None
    detail: str | None = None
    credential: str | None = None
    received: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        who = f" by {self.principal}" if self.principal else ""
        code = f" {self.code}" if self.code else ""
        return f"#{self.seq} t={self.time:.3f} {self.method} {self.path} [{self.endpoint}] -> {self.status}{code}{who}"


_Row = tuple[Any, ...]
#: An entry as the plain tuple the ring stores: a tuple of strings and numbers is not tracked by
#: the garbage collector, so a full ring costs nothing to full collections (no latency spikes).
_as_row = operator.attrgetter(*(f.name for f in fields(Entry)))
#: Rows appended between two passes of the collector over its youngest generation. A full ring
#: frees one row for every row it keeps, so the collector's allocation count stands still and no
#: pass would run: new rows (untracked only once a pass has seen them) would pile up until some
#: other allocation set off a pass over all of them, 30-50 ms at 100,000 rows. A pass over 1,024
#: rows takes about 0.1 ms.
ROWS_PER_COLLECTION = 1024


@functools.lru_cache(maxsize=4096)  # a pure function called for every authenticated request
def fingerprint(secret: str) -> str:
    """A short, stable, non-reversible name for a token (the journal never holds tokens)."""
    return "fp:" + hashlib.blake2s(secret.encode("utf-8"), digest_size=6).hexdigest()


class Journal:
    """A ring buffer of ``Entry`` with query and assertion helpers.

    >>> journal = Journal(maxlen=2)
    >>> for n in range(3):
    ...     _ = journal.record(time=n, wall=n, kind="http", endpoint="oauth.token",
    ...                        method="POST", path="/oauth/token", status=200)
    >>> [e.seq for e in journal]
    [2, 3]
    """

    def __init__(self, maxlen: int = DEFAULT_JOURNAL_SIZE) -> None:
        if maxlen < 1:
            raise ValueError(f"The journal needs room for at least one entry, got maxlen={maxlen}.")
        self._rows: deque[_Row] = deque(maxlen=maxlen)
        self._seq = 0
        self.maxlen = maxlen

    def record(self, **fields: Any) -> Entry:
        """Keep an entry given by keyword (``time=…, kind=…``); the journal numbers it."""
        return self.append(Entry(seq=0, **fields))

    def append(self, entry: Entry) -> Entry:
        """Number ``entry`` and keep it."""
        self._seq += 1
        entry.seq = self._seq
        self._rows.append(_as_row(entry))
        if not self._seq % ROWS_PER_COLLECTION and gc.isenabled():
            gc.collect(0)
        return entry

    def add(self, *fields: Any) -> int:
        """Keep one entry given as every ``Entry`` field after ``seq``, in order; returns its seq.

        The server's hot path: it skips making an ``Entry`` (a third of a request's journaling cost).
        """
        self._seq += 1
        self._rows.append((self._seq, *fields))
        if not self._seq % ROWS_PER_COLLECTION and gc.isenabled():
            gc.collect(0)
        return self._seq

    @property
    def _entries(self) -> list[Entry]:
        return [Entry(*row) for row in self._rows]

    @property
    def total(self) -> int:
        """How many entries were ever recorded (including those the ring dropped)."""
        return self._seq

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries)

    def clear(self) -> None:
        self._rows.clear()

    def rows_after(self, seq: int, limit: int) -> list[tuple[Any, ...]]:
        """The newest rows numbered after ``seq``, at most ``limit``, oldest first.

        A row holds ``Entry``'s fields in order (``Entry(*row)`` makes the entry). Costs the rows
        returned, not the journal's size: a live feed tails the journal with it.
        """
        count = min(self._seq - seq, len(self._rows), limit)
        if count <= 0:
            return []
        rows = list(itertools.islice(reversed(self._rows), count))
        rows.reverse()
        return rows

    def calls(
        self,
        endpoint: str | None = None,
        *,
        status: int | None = None,
        method: str | None = None,
        principal: str | None = None,
        kind: str | None = None,
        since: int = 0,
    ) -> list[Entry]:
        """Entries matching every given filter; ``endpoint`` may be a glob (``guest.ws.*``)."""
        rows = (Entry(*row) for row in self._rows)
        return [e for e in rows if _matches(e, endpoint, status, method, principal, kind, since)]

    def assert_called(
        self,
        endpoint: str,
        *,
        status: int | None = None,
        method: str | None = None,
        principal: str | None = None,
        times: int | None = None,
    ) -> list[Entry]:
        """Return the matching entries, or raise showing what was expected and the near misses."""
        found = self.calls(endpoint, status=status, method=method, principal=principal)
        if (times is None and found) or (times is not None and len(found) == times):
            return found
        wanted = _describe(endpoint, status, method, principal, times)
        entries = self._entries
        near = [e for e in entries if fnmatch.fnmatchcase(e.endpoint, endpoint)] or entries
        lines = "\n".join(f"  {e}" for e in near[-10:]) or "  (the journal is empty)"
        raise JournalAssertionError(f"Expected {wanted}, found {len(found)} matching call(s). Nearest calls:\n{lines}")

    def to_jsonl(self, entries: Iterable[Entry] | None = None) -> str:
        """The entries as JSON lines (one object per line)."""
        rows = self._entries if entries is None else entries
        return "".join(json.dumps(e.to_dict(), separators=(",", ":")) + "\n" for e in rows)


def _matches(
    e: Entry,
    endpoint: str | None,
    status: int | None,
    method: str | None,
    principal: str | None,
    kind: str | None,
    since: int,
) -> bool:
    if e.seq <= since:
        return False
    if endpoint is not None and e.endpoint != endpoint and not fnmatch.fnmatchcase(e.endpoint, endpoint):
        return False
    if status is not None and e.status != status:
        return False
    if method is not None and e.method != method.upper():
        return False
    if principal is not None and e.principal != principal:
        return False
    return kind is None or e.kind == kind


def _describe(endpoint: str, status: int | None, method: str | None, principal: str | None, times: int | None) -> str:
    parts = [f"endpoint={endpoint!r}"]
    if method:
        parts.append(f"method={method.upper()!r}")
    if status is not None:
        parts.append(f"status={status}")
    if principal:
        parts.append(f"principal={principal!r}")
    count = "at least one call" if times is None else f"exactly {times} call(s)"
    return f"{count} with " + ", ".join(parts)
