"""A hypothesis state machine that checks any platform client (OAuth client credentials and REST).

The client, behind a ``PlatformAdapter``, reads a world with a conversation longer than three
history pages and more contacts than fit on two pages. Rules mix its calls (one at a time and
several at once on the shared token) with token revocation, a token refused once, 429 bursts
with Retry-After, runs of 503s without, a forbidden search and clock advances past the token's
life. Every answer is compared with the server's, and after every step ``mock.check()`` must
find nothing: Retry-After honoured, attempts bounded and backed off, no 4xx retried, one token
fetch per need, no token used past its expiry or after its 401.

Plug in your own client (see ``mockgenesys.client.PlatformAdapter``)::

    TestMyBackend = platform_machine(lambda mock, seed: MyPlatformAdapter(mock, seed)).TestCase
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from mockgenesys.client import ClientError, CorePlatformAdapter, PlatformAdapter
from mockgenesys.mock import MockGenesys
from mockgenesys.stateful.simulated import GRADED_RULES, SimulatedMachine

#: Builds the platform client under test for a mock: ``factory(mock, seed) -> PlatformAdapter``.
PlatformFactory = Callable[[MockGenesys, int], PlatformAdapter]

#: Conformance rules a correct platform client never breaks (the machine's 429s are injected).
PLATFORM_GRADED_RULES = GRADED_RULES
#: The OAuth client's token life in the machine's world, so clock advances reach it.
TOKEN_TTL = 900
#: More than three history pages of 25, more than two pages of contacts.
HISTORY_MESSAGES = 80
EXTRA_CONTACTS = 40
#: The longest run of 503s one rule serves: the client core's twelve attempts ride it out. One
#: refusing rule (429s or 503s) is armed at a time, so a correct client never has to give up.
MAX_OUTAGE = 10
#: Searches one ``search_forbidden`` refuses (a client that retries a 403 sends it again).
FORBIDDEN = 3
ENDPOINTS = {
    "organization": "organizations.me",
    "history": "conversations.history",
    "search": "externalcontacts.search",
}


def core_platform_adapter(mock: MockGenesys, seed: int) -> PlatformAdapter:
    """The default platform adapter: the client core's ``PlatformClient``."""
    return CorePlatformAdapter.for_mock(mock, seed=seed)


class PlatformMachine(SimulatedMachine):
    """Correctness of the platform client built by ``platform_factory``."""

    platform_factory: PlatformFactory = staticmethod(core_platform_adapter)

    def __init__(self) -> None:
        super().__init__()
        self.mock.world.default_client.token_ttl = TOKEN_TTL
        self.long = self.mock.add_conversation(messages=[f"history line {n}" for n in range(HISTORY_MESSAGES)])
        for n in range(EXTRA_CONTACTS):
            self.mock.add_contact(firstName=f"Machine{n}", lastName="Contact")
        self.adapter: PlatformAdapter | None = None
        self.armed: dict[str, str] = {}  # kind of one-at-a-time fault -> its rule id
        self.revoked = False  # tokens revoked and no call made since

    # ------------------------------------------------------------------ the server's answers
    def expected(self, operation: str, argument: str) -> str | list[str]:
        world = self.mock.world
        if operation == "organization":
            return self.mock.org_id
        if operation == "history":
            return [m.text or "" for m in world.conversations[argument].messages if m.type != "Event"]
        return sorted(c.id for c in world.contacts.values() if c.org_id == self.mock.org_id)

    async def call(self, operation: str, argument: str) -> None:
        assert self.adapter is not None
        try:
            if operation == "organization":
                answer: str | list[str] = await self.adapter.organization()
            elif operation == "history":
                answer = await self.adapter.history(argument)
            else:
                answer = sorted(await self.adapter.search_contacts(argument))
        except ClientError:
            return  # a typed failure is allowed; mock.check() judges how the client got there
        expected = self.expected(operation, argument)
        assert answer == expected, f"{operation}({argument!r}) returned {answer!r}, the server holds {expected!r}"

    def arm(self, kind: str, rule: dict[str, Any]) -> None:
        """Arm a fault of ``kind``, replacing the previous one of that kind (never two at once)."""
        previous = self.armed.pop(kind, None)
        if previous is not None:
            self.mock.faults.remove(previous)
        self.armed[kind] = self.mock.add_fault(rule)[0].id or ""

    def spent(self, kind: str) -> bool:
        """Whether no fault of ``kind`` is armed, or the armed one has done all it will."""
        rule_id = self.armed.get(kind)
        if rule_id is None:
            return True
        rule = next(r for r in self.mock.faults if r.id == rule_id)
        return self.mock.faults.stats(rule_id)["fired"] >= (rule.when.times or 0)

    # ------------------------------------------------------------------ rules
    @initialize(seed=st.integers(0, 2**16))
    def start(self, seed: int) -> None:
        self.adapter = type(self).platform_factory(self.mock, seed)
        self.run(self.adapter.start())

    @rule(operation=st.sampled_from(sorted(ENDPOINTS)))
    def one_call(self, operation: str) -> None:
        self.run(self.call(operation, self.long.id if operation == "history" else ""))
        self.revoked = False

    @precondition(lambda self: not self.revoked and all(self.spent(kind) for kind in list(self.armed)))
    @rule(operations=st.lists(st.sampled_from(sorted(ENDPOINTS)), min_size=2, max_size=3, unique=True))
    def concurrent_calls(self, operations: list[str]) -> None:
        """Several calls at once on the shared token (one fetch for all when it is due).

        Only while nothing is refused: in-process, a request already on its way when another
        call's 401 or 429 comes back cannot be told from one sent after it, so the machine does
        not put a correct client in that spot."""

        async def together() -> None:
            await asyncio.gather(*(self.call(op, self.long.id if op == "history" else "") for op in operations))

        self.run(together())

    @rule()
    def tokens_revoked(self) -> None:
        self.mock.world.expire_tokens(now=self.mock.clock.now())
        self.revoked = True

    @precondition(lambda self: self.spent("refused"))
    @rule(operation=st.sampled_from(sorted(ENDPOINTS)))
    def token_refused_once(self, operation: str) -> None:
        """The next call's token dies (one such rule at a time: one refresh must be enough)."""
        rule = {"match": {"endpoint": ENDPOINTS[operation]}, "when": {"times": 1}, "then": {"expire_token": True}}
        self.arm("refused", rule)

    @precondition(lambda self: self.spent("refusals"))
    @rule(operation=st.sampled_from(sorted(ENDPOINTS)), times=st.integers(1, 3), retry_after=st.integers(1, 5))
    def rate_limited(self, operation: str, times: int, retry_after: int) -> None:
        then = {"status": 429, "retry_after": retry_after}
        self.arm("refusals", {"match": {"endpoint": ENDPOINTS[operation]}, "when": {"times": times}, "then": then})

    @precondition(lambda self: self.spent("refusals"))
    @rule(operation=st.sampled_from(sorted(ENDPOINTS)), times=st.just(MAX_OUTAGE) | st.integers(1, MAX_OUTAGE))
    def unavailable(self, operation: str, times: int) -> None:
        """``times`` 503s in a row (often the longest run: where backoff and the attempt cap show)."""
        rule = {"match": {"endpoint": ENDPOINTS[operation]}, "when": {"times": times}, "then": {"status": 503}}
        self.arm("refusals", rule)

    @precondition(lambda self: self.spent("forbidden"))
    @rule()
    def search_forbidden(self) -> None:
        then = {"status": 403, "code": "missing.any.permissions"}
        self.arm("forbidden", {"match": {"endpoint": ENDPOINTS["search"]}, "when": {"times": FORBIDDEN}, "then": then})

    @rule(seconds=st.sampled_from([0.5, 5, 61, TOKEN_TTL - 30, TOKEN_TTL + 1, 3600]))
    def clock_advances(self, seconds: float) -> None:
        self.run(self.mock.clock.sleep(seconds))

    # ------------------------------------------------------------------ invariants
    @invariant()
    def the_client_follows_the_rules(self) -> None:
        broken = self.mock.check(rules=PLATFORM_GRADED_RULES).violations
        assert not broken, "\n".join(str(v) for v in broken)

    def teardown(self) -> None:
        try:
            if self.adapter is not None:
                self.mock.faults.clear()
                self.run(self.call("organization", ""))  # still usable after everything
                self.run(self.adapter.close())
                self.the_client_follows_the_rules()
        finally:
            self.close_loop()


def platform_machine(factory: PlatformFactory, *, name: str = "ClientPlatformMachine") -> type[PlatformMachine]:
    """A ``PlatformMachine`` subclass that drives the client ``factory`` builds; use its ``.TestCase``."""
    return type(name, (PlatformMachine,), {"platform_factory": staticmethod(factory)})
