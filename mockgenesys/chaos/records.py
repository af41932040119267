"""What a run records: each guest's and the platform's asks and answers, and the server's side of the run.

Every guest sends unique texts (``chaos <tag> g<K> m<i>``), so the server's conversations show
which message of which guest arrived where, how often and when. ``ServerView`` indexes them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockgenesys.journal import Entry, fingerprint

if TYPE_CHECKING:
    from mockgenesys.chaos.control import Evidence

TEXT_PATTERN = re.compile(r"^chaos (\S+) g(\d+) m(\d+)(?: |$)")


def message_text(tag: str, guest: int, index: int, filler: str = "") -> str:
    """The unique text guest ``guest`` sends as its ``index``-th message."""
    return f"chaos {tag} g{guest} m{index}" + (f" {filler}" if filler else "")


@dataclass(frozen=True)
class Stored:
    """One workload text as the server holds it."""

    guest: int
    index: int
    conversation_id: str
    position: int
    time: float


@dataclass
class SendRecord:
    """One workload message as the runner asked for it (the client's answer is kept, not trusted)."""

    index: int
    text: str
    issued: float
    done: float | None = None
    error: str | None = None


@dataclass
class RestoreRecord:
    """One history restore the runner asked for: when, and the texts the client returned (or its error)."""

    issued: float
    done: float | None = None
    texts: list[str] | None = None
    error: str | None = None


@dataclass(frozen=True)
class Raised:
    """An exception one of the adapter's methods raised: which method, and the error in one line."""

    method: str
    error: str


@dataclass
class SecureOutcome:
    """What the harness saw of one guest's secure session (timed by the runner, not the client).

    ``credential`` is the fingerprint of the broker's access token, so the journal tells which
    Retry-After waits the server imposed on this guest's broker.
    """

    issued: float
    done: float | None = None
    kms_synced: bool | None = None
    error: str | None = None
    webhook_calls: int = 0
    credential: str | None = None


@dataclass
class GuestRecord:
    """What one guest's workload asked for and what its client answered.

    ``raised`` holds every exception the adapter raised, in order (``send`` ones also sit on
    their ``SendRecord``); ``errors`` is the start and close failures among them, as text.
    ``restores`` is each restore as (time, texts returned, error); ``restored`` the same with the texts.
    """

    index: int
    name: str
    seed: int
    planned: list[str]
    sends: list[SendRecord] = field(default_factory=list)
    restores: list[tuple[float, int, str | None]] = field(default_factory=list)
    restored: list[RestoreRecord] = field(default_factory=list)
    raised: list[Raised] = field(default_factory=list)
    finished: bool = False
    secure: SecureOutcome | None = None

    @property
    def errors(self) -> list[str]:
        return [f"{r.method} failed: {r.error}" for r in self.raised if r.method in ("start", "close")]


@dataclass
class PlatformCall:
    """One call a platform caller made: what it asked, when, and its answer or error (kept, not trusted)."""

    caller: int
    index: int
    operation: str
    argument: str
    issued: float
    done: float | None = None
    answer: str | list[str] | None = None
    error: str | None = None

    @property
    def error_type(self) -> str | None:
        """The error's class name (``"PermissionDeniedError"``), None for a call that returned."""
        return self.error.split(":", 1)[0] if self.error is not None else None


@dataclass
class PlatformRecord:
    """What the platform workload asked for and what its adapter answered.

    ``raised`` holds the errors of ``start`` and ``close`` (each call's error is on its ``PlatformCall``).
    """

    callers: int
    seed: int
    calls: list[PlatformCall] = field(default_factory=list)
    raised: list[Raised] = field(default_factory=list)
    finished: bool = False


@dataclass
class RunRecords:
    """Everything the workloads of one run recorded: the guests judged, and the platform's calls."""

    guests: list[GuestRecord]
    platform: PlatformRecord | None = None
    #: The journal principals of the toolkit's own bot (``BotRecord.principals``): its rows.
    bot_principals: frozenset[str] = frozenset()


@dataclass
class ServerView:
    """The server's side of a run: conversations, guest sessions and the journal."""

    tag: str
    conversations: list[dict[str, Any]]
    sessions: list[dict[str, Any]]
    entries: list[Entry]
    jumps: list[tuple[float, float]] = field(default_factory=list)
    seed_sessions: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    org_id: str = ""
    stored: dict[int, list[Stored]] = field(init=False, default_factory=dict)
    principals: dict[str, int] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        found: dict[int, list[Stored]] = defaultdict(list)
        owners: dict[str, int] = {}
        starts = {c["id"]: (c.get("start_time") or 0.0, n) for n, c in enumerate(self.conversations)}
        for conversation in self.conversations:
            for position, message in enumerate(conversation.get("messages", [])):
                if message.get("direction") != "inbound":
                    continue
                match = TEXT_PATTERN.match(message.get("text") or "")
                if match is None or match.group(1) != self.tag:
                    continue
                guest = int(match.group(2))
                found[guest].append(
                    Stored(guest, int(match.group(3)), conversation["id"], position, float(message["timestamp"]))
                )
                owners[conversation["id"]] = guest
        for items in found.values():
            items.sort(key=lambda s: (s.time, starts[s.conversation_id], s.position))
        self.stored = dict(found)
        for session in self.sessions:
            owner = owners.get(session.get("conversation_id", ""))
            if owner is not None:
                self.principals[_credential(session)] = owner
                self.principals[str(session["id"])] = owner

    @classmethod
    def from_evidence(
        cls, tag: str, evidence: Evidence, jumps: list[tuple[float, float]], org_id: str = ""
    ) -> ServerView:
        """The view of what a control reported at the end of a run."""
        return cls(
            tag,
            evidence.conversations,
            evidence.guest_sessions,
            evidence.entries,
            list(jumps),
            evidence.seed_sessions,
            evidence.contacts,
            org_id,
        )

    def waited(self, start: float, end: float) -> float:
        """Seconds from ``start`` to ``end`` that really passed (timeline clock jumps excluded)."""
        return end - start - sum(seconds for at, seconds in self.jumps if start <= at < end)

    def guest_of(self, entry: Entry) -> int | None:
        """The guest whose session or token made ``entry``, if the run can tell."""
        return self.principals.get(entry.principal or "")

    def guest_of_caller(self, caller: str | None) -> int | None:
        """The guest a conformance ``Violation.caller`` names (its session), if the run can tell."""
        return self.principals.get(caller or "")

    def conversation(self, conversation_id: str) -> dict[str, Any] | None:
        """A conversation of the world at the end of the run, by id."""
        return next((c for c in self.conversations if c.get("id") == conversation_id), None)


def _credential(session: dict[str, Any]) -> str:
    """The journal's name of a guest session's token: published as a fingerprint, or the token itself."""
    published = session.get("token_fingerprint")
    return str(published) if published is not None else fingerprint(str(session.get("token", "")))
