"""The seeded-bug clients ("mutants"): each is a baseline with exactly one classic bug.

Every mutant overrides one hook of ``BaselineGuest`` or ``BaselinePlatform``; its docstring
names its bug class exactly as issue 13's table does. ``MUTANTS`` maps a mutant's name (its
class name) to its kind (``"guest"`` or ``"platform"``), its class and its bug class.
A guest mutant class is a chaos ``adapter_factory`` (``--adapter tests.mutants.catalogue:NAME``)
and ``NAME.for_mock`` a ``reauth_machine`` factory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from mockgenesys.chaos import GuestContext, PlatformContext, core_adapter_factory, core_platform_factory
from mockgenesys.client import CoreGuestAdapter, CorePlatformAdapter, GuestAdapter, PlatformAdapter

from .baseline_guest import BaselineGuest, Outgoing
from .baseline_platform import BaselinePlatform

#: The short wait a client that ignores Retry-After retries after.
FIXED_WAIT = 0.5
#: The wait between the attempts of a retry storm: no backoff at all, just enough to let time move.
STORM_WAIT = 0.1

RETRY_AFTER = "ignores Retry-After, retries after a fixed short wait"
RETRY_STORM = "retries 429/5xx forever, no cap, no backoff (retry storm)"
RESENDS_BLINDLY = "after a drop or expiry, resends without checking delivery (duplicate)"
DROPS_ON_EXPIRY = "on session expiry, drops the in-flight message but reports success"
RELOGIN_STAMPEDE = "on every 401, logs in again at once, no single flight, no cap (re-login stampede)"
NEVER_REAUTHENTICATES = "never re-authenticates (4006/4007/401 final)"
NO_EARLY_REFRESH = "uses a cached token or guest JWT until refused (no early refresh)"
FIRST_PAGE_ONLY = "restores only the first history page"
RETRIES_403 = "retries a 403"
REVERSE_FLUSH = "flushes an offline queue in reverse after a reconnect"

#: The ten bug classes of issue 13, in its table's order.
BUG_CLASSES = (
    RETRY_AFTER,
    RETRY_STORM,
    RESENDS_BLINDLY,
    DROPS_ON_EXPIRY,
    RELOGIN_STAMPEDE,
    NEVER_REAUTHENTICATES,
    NO_EARLY_REFRESH,
    FIRST_PAGE_ONLY,
    RETRIES_403,
    REVERSE_FLUSH,
)

Kind = Literal["guest", "platform"]

if TYPE_CHECKING:
    from mockgenesys import MockGenesys


# ---------------------------------------------------------------------- guest mutants
class IgnoresRetryAfterGuest(BaselineGuest):
    """ignores Retry-After, retries after a fixed short wait"""

    def _retry_after_wait(self, retry_after: float) -> float:
        return FIXED_WAIT


class RetryStormGuest(BaselineGuest):
    """retries 429/5xx forever, no cap, no backoff (retry storm)"""

    def _next_wait(self, attempt: int, retry_after: float | None) -> float | None:
        return retry_after if retry_after is not None else STORM_WAIT


class ResendsBlindlyGuest(BaselineGuest):
    """after a drop or expiry, resends without checking delivery (duplicate)"""

    async def _settle_uncertain(self, item: Outgoing) -> bool:
        item.message_id = self._new_message_id()  # a fresh message as far as the server can tell
        return False


class DropsOnExpiryGuest(BaselineGuest):
    """on session expiry, drops the in-flight message but reports success"""

    def _resend_after_new_session(self, item: Outgoing) -> bool:
        return False


class ReloginStampedeGuest(BaselineGuest):
    """on every 401, logs in again at once, no single flight, no cap (re-login stampede)"""

    async def _jwt_after_401(self, refused: str, refreshes: int) -> str:
        return await self._fetch_jwt()  # no lock, no cap: every refused call fetches its own


class NeverReauthenticatesGuest(BaselineGuest):
    """never re-authenticates (4006/4007/401 final)"""

    def _may_reauthenticate(self, why: str) -> bool:
        return False


class NoEarlyRefreshGuest(BaselineGuest):
    """uses a cached token or guest JWT until refused (no early refresh)"""

    def _jwt_is_fresh(self, exp: float) -> bool:
        return True


class FirstPageOnlyGuest(BaselineGuest):
    """restores only the first history page"""

    def _more_pages(self, page: int, body: dict[str, Any]) -> bool:
        return False


class Retries403Guest(BaselineGuest):
    """retries a 403"""

    def _retryable_status(self, status: int) -> bool:
        return status == 403 or super()._retryable_status(status)


class ReverseFlushGuest(BaselineGuest):
    """flushes an offline queue in reverse after a reconnect"""

    def _flush_order(self, backlog: list[Outgoing]) -> list[Outgoing]:
        return backlog[::-1]


# ---------------------------------------------------------------------- platform mutants
class IgnoresRetryAfterPlatform(BaselinePlatform):
    """ignores Retry-After, retries after a fixed short wait"""

    def _retry_after_wait(self, retry_after: float) -> float:
        return FIXED_WAIT


class RetryStormPlatform(BaselinePlatform):
    """retries 429/5xx forever, no cap, no backoff (retry storm)"""

    def _next_wait(self, attempt: int, retry_after: float | None) -> float | None:
        return retry_after if retry_after is not None else STORM_WAIT


class ReloginStampedePlatform(BaselinePlatform):
    """on every 401, logs in again at once, no single flight, no cap (re-login stampede)"""

    async def _token_after_401(self, refused: str, refreshes: int) -> str:
        return await self._fetch_token()  # no lock, no cap: every refused call logs in on its own


class NeverReauthenticatesPlatform(BaselinePlatform):
    """never re-authenticates (4006/4007/401 final)"""

    def _may_reauthenticate(self) -> bool:
        return False


class NoEarlyRefreshPlatform(BaselinePlatform):
    """uses a cached token or guest JWT until refused (no early refresh)"""

    def _token_is_fresh(self, expires_at: float) -> bool:
        return True


class FirstPageOnlyPlatform(BaselinePlatform):
    """restores only the first history page"""

    def _more_pages(self, page: int, body: dict[str, Any]) -> bool:
        return False


class Retries403Platform(BaselinePlatform):
    """retries a 403"""

    def _retryable_status(self, status: int) -> bool:
        return status == 403 or super()._retryable_status(status)


# ---------------------------------------------------------------------- registry
@dataclass(frozen=True)
class Mutant:
    """One seeded-bug client: its kind, its class and the bug class it carries."""

    name: str
    kind: Kind
    cls: type[BaselineGuest] | type[BaselinePlatform]
    bug_class: str


def _registry(*classes: type[BaselineGuest] | type[BaselinePlatform]) -> dict[str, Mutant]:
    found = {}
    for cls in classes:
        kind: Kind = "guest" if issubclass(cls, BaselineGuest) else "platform"
        bug_class = (cls.__doc__ or "").strip()
        if bug_class not in BUG_CLASSES:
            raise AssertionError(f"{cls.__name__}'s docstring {bug_class!r} names no bug class of issue 13")
        found[cls.__name__] = Mutant(cls.__name__, kind, cls, bug_class)
    return found


MUTANTS: dict[str, Mutant] = _registry(
    IgnoresRetryAfterGuest,
    RetryStormGuest,
    ResendsBlindlyGuest,
    DropsOnExpiryGuest,
    ReloginStampedeGuest,
    NeverReauthenticatesGuest,
    NoEarlyRefreshGuest,
    FirstPageOnlyGuest,
    Retries403Guest,
    ReverseFlushGuest,
    IgnoresRetryAfterPlatform,
    RetryStormPlatform,
    ReloginStampedePlatform,
    NeverReauthenticatesPlatform,
    NoEarlyRefreshPlatform,
    FirstPageOnlyPlatform,
    Retries403Platform,
)

#: The two correct clients every judge must pass, by name.
BASELINES: dict[str, type[BaselineGuest] | type[BaselinePlatform]] = {
    "BaselineGuest": BaselineGuest,
    "BaselinePlatform": BaselinePlatform,
}


# ---------------------------------------------------------------------- the reference client
class ReferenceGuest:
    """The client core as a guest (``CoreGuestAdapter``), built like a baseline: a correct client."""

    def __init__(self, ctx: GuestContext) -> None:
        self.adapter: GuestAdapter = core_adapter_factory(ctx)

    @classmethod
    def for_mock(cls, mock: MockGenesys, seed: int = 0) -> GuestAdapter:
        return CoreGuestAdapter.for_mock(mock, name="reference guest", seed=seed)

    async def start(self) -> None:
        await self.adapter.start()

    async def send(self, text: str) -> None:
        await self.adapter.send(text)

    async def restore(self) -> list[str]:
        return await self.adapter.restore()

    async def close(self) -> None:
        await self.adapter.close()


class ReferencePlatform:
    """The client core as a backend (``CorePlatformAdapter``), built like a baseline: a correct client."""

    def __init__(self, ctx: PlatformContext) -> None:
        self.adapter: PlatformAdapter = core_platform_factory(ctx)

    @classmethod
    def for_mock(cls, mock: MockGenesys, seed: int = 0) -> PlatformAdapter:
        return CorePlatformAdapter.for_mock(mock, seed=seed)

    async def start(self) -> None:
        await self.adapter.start()

    async def organization(self) -> str:
        return await self.adapter.organization()

    async def history(self, conversation_id: str) -> list[str]:
        return await self.adapter.history(conversation_id)

    async def search_contacts(self, query: str) -> list[str]:
        return await self.adapter.search_contacts(query)

    async def close(self) -> None:
        await self.adapter.close()


Subject = type[BaselineGuest] | type[BaselinePlatform] | type[ReferenceGuest] | type[ReferencePlatform]

#: The client core, which every judge must pass too, by name.
REFERENCES: dict[str, type[ReferenceGuest] | type[ReferencePlatform]] = {
    "ReferenceGuest": ReferenceGuest,
    "ReferencePlatform": ReferencePlatform,
}
#: Every correct client: the baselines and the client core.
CORRECT: dict[str, Subject] = {**BASELINES, **REFERENCES}


def subject(name: str) -> Subject:
    """A correct client or a mutant, by name (``KeyError`` for an unknown one)."""
    return CORRECT[name] if name in CORRECT else MUTANTS[name].cls


def kind_of(name: str) -> Kind:
    """Whether the client named ``name`` is a guest or a platform client."""
    return "guest" if issubclass(subject(name), (BaselineGuest, ReferenceGuest)) else "platform"
