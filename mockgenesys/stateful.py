"""A hypothesis state machine that checks any guest client's re-authentication against the mock.

Rules mix guest sends, agent replies, JWT and session expiry, 429 bursts, socket drops, closed
conversations and clock advances; after every step the server's own state is checked: every
message the client said it sent is in the conversation exactly once and in order, restored
history equals the server's, Retry-After was honoured, re-authentication stayed bounded, and
the client is still usable or failed with a typed error.

Plug in your own client with an adapter (see ``mockgenesys.client.GuestAdapter``)::

    TestMyClient = reauth_machine(lambda mock, seed: MyAdapter(mock, seed)).TestCase
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from mockgenesys.client import ClientError, CoreGuestAdapter, GuestAdapter
from mockgenesys.clock import VirtualClock
from mockgenesys.mock import MockGenesys
from mockgenesys.world.models import Conversation, GuestSession

T = TypeVar("T")

#: Builds the client under test for a mock: ``factory(mock, seed) -> GuestAdapter``.
AdapterFactory = Callable[[MockGenesys, int], GuestAdapter]

#: Conformance rules a correct client never breaks (``limit_breach`` from injected 429s is not counted).
GRADED_RULES = ("retry_after", "token_reuse_after_401", "expired_token", "relogin_storm", "duplicate_message")

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=24).map(str.strip).filter(bool)


def core_adapter(mock: MockGenesys, seed: int) -> GuestAdapter:
    """The default adapter: the client core's ``SessionManager``."""
    return CoreGuestAdapter.for_mock(mock, name="Stateful guest", seed=seed)


class ReauthMachine(RuleBasedStateMachine):
    """Re-authentication correctness of the client built by ``adapter_factory``."""

    adapter_factory: AdapterFactory = staticmethod(core_adapter)
    #: How many guest sessions the client may open per session the server ended (plus the first).
    max_sessions_per_expiry = 1

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.mock = MockGenesys(seed=7, clock=VirtualClock(), conversations=2, contacts=2)
        self.adapter: GuestAdapter | None = None
        self.sent: dict[str, list[str]] = {}
        self.expiries = 0
        self.closed: set[str] = set()
        self.counter = 0

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    # ------------------------------------------------------------------ server-side views
    def session(self) -> GuestSession | None:
        sessions = list(self.mock.world.guest_sessions.values())
        return sessions[-1] if sessions else None

    def conversation(self) -> Conversation | None:
        session = self.session()
        return self.mock.world.conversations.get(session.conversation_id) if session else None

    # ------------------------------------------------------------------ rules
    @initialize(seed=st.integers(0, 2**16))
    def start(self, seed: int) -> None:
        self.adapter = type(self).adapter_factory(self.mock, seed)
        self.run(self.adapter.start())

    @rule(text=words)
    def guest_sends(self, text: str) -> None:
        assert self.adapter is not None
        self.counter += 1
        unique = f"#{self.counter} {text}"
        try:
            self.run(self.adapter.send(unique))
        except ClientError:
            return  # a typed failure is an allowed outcome; the invariants judge what the server holds
        conversation = self.conversation()
        assert conversation is not None
        self.sent.setdefault(conversation.id, []).append(unique)

    @rule(text=words)
    def agent_replies(self, text: str) -> None:
        conversation = self.conversation()
        if conversation is not None and conversation.id not in self.closed:
            self.mock.agent.reply(conversation.id, text)

    @rule()
    def jwt_expires(self) -> None:
        self.mock.add_fault(
            {"match": {"endpoint": "webmessaging.messages"}, "when": {"times": 1}, "then": {"expire_token": True}}
        )

    @rule()
    def session_expires(self) -> None:
        session = self.session()
        if session is not None and not session.expired and self.mock.hub is not None:
            self.mock.hub.expire_session(session)
            self.expiries += 1

    @rule(times=st.integers(1, 3), retry_after=st.integers(1, 5))
    def burst_of_429(self, times: int, retry_after: int) -> None:
        self.mock.add_fault(
            {
                "match": {"endpoint": "guest.ws.onMessage"},
                "when": {"times": times},
                "then": {"ws": {"too_many": {"retry_after": retry_after}}},
            }
        )

    @rule(echo=st.booleans())
    def socket_drops(self, echo: bool) -> None:
        endpoint = "guest.ws.out.StructuredMessage" if echo else "guest.ws.onMessage"
        self.mock.add_fault({"match": {"endpoint": endpoint}, "when": {"times": 1}, "then": {"ws": {"drop": True}}})

    @precondition(lambda self: self.conversation() is not None)
    @rule()
    def conversation_closes(self) -> None:
        conversation = self.conversation()
        assert conversation is not None
        self.mock.agent.disconnect(conversation.id)
        self.closed.add(conversation.id)

    @rule(seconds=st.sampled_from([0.5, 5, 61, 901, 3600]))
    def clock_advances(self, seconds: float) -> None:
        self.run(self.mock.clock.sleep(seconds))

    @rule()
    def history_restores(self) -> None:
        assert self.adapter is not None
        conversation = self.conversation()
        try:
            restored = self.run(self.adapter.restore())
        except ClientError:
            return  # a typed failure is an allowed outcome; the invariants judge what the server holds
        if conversation is not None and conversation is self.conversation():
            server = [m.text or "" for m in conversation.messages if m.type != "Event"]
            assert restored == server, f"restored history {restored} differs from the server's {server}"

    # ------------------------------------------------------------------ invariants
    @invariant()
    def every_sent_message_is_stored_exactly_once_and_in_order(self) -> None:
        for conversation_id, sent in self.sent.items():
            conversation = self.mock.world.conversations[conversation_id]
            texts = set(sent)
            stored = [m.text for m in conversation.messages if m.direction == "inbound" and m.text in texts]
            assert stored == sent, f"conversation {conversation_id}: sent {sent}, the server has {stored}"

    @invariant()
    def the_client_follows_the_rules(self) -> None:
        broken = self.mock.check(rules=GRADED_RULES).violations
        assert not broken, "\n".join(str(v) for v in broken)

    @invariant()
    def reauthentication_is_bounded(self) -> None:
        sessions = len(self.mock.world.guest_sessions)
        assert sessions <= 1 + self.max_sessions_per_expiry * self.expiries + len(self.closed), (
            f"{sessions} guest sessions for {self.expiries} expiries: the client re-authenticates too often"
        )

    def teardown(self) -> None:
        try:
            if self.adapter is not None:
                conversation = self.conversation()
                if conversation is not None and conversation.id not in self.closed:
                    self.counter += 1
                    final = f"#{self.counter} still there?"
                    try:
                        self.run(self.adapter.send(final))
                    except ClientError:
                        pass  # a typed failure is an acceptable ending
                    else:
                        current = self.conversation()
                        assert current is not None
                        self.sent.setdefault(current.id, []).append(final)
                        self.every_sent_message_is_stored_exactly_once_and_in_order()
                self.run(self.adapter.close())
        finally:
            leftover = asyncio.all_tasks(self.loop)
            for task in leftover:
                task.cancel()
            if leftover:
                self.loop.run_until_complete(asyncio.wait(leftover))
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()


def reauth_machine(factory: AdapterFactory, *, name: str = "ClientReauthMachine") -> type[ReauthMachine]:
    """A ``ReauthMachine`` subclass that drives the client ``factory`` builds; use its ``.TestCase``."""
    return type(name, (ReauthMachine,), {"adapter_factory": staticmethod(factory)})
