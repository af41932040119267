"""A hypothesis state machine that checks any guest client's re-authentication against the mock.

The guest starts in a conversation longer than three history pages. Rules mix guest sends
(also several at once while the guest is offline, and one through a run of 503s), agent replies,
JWT and session expiry, 429 bursts, socket drops, restores (one refused with 403, two with an
idle past the JWT's life between them), closed conversations and clock advances; after
every step the server's own state is checked: every message the client said it sent is in the
conversation exactly once and in the order it was sent, restored history equals the server's,
``mock.check()`` finds nothing, re-authentication stayed bounded, and the client is still usable
or failed with a typed error.

Plug in your own client with an adapter (see ``mockgenesys.client.GuestAdapter``)::

    TestMyClient = reauth_machine(lambda mock, seed: MyAdapter(mock, seed)).TestCase
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from mockgenesys.client import ClientError, CoreGuestAdapter, GuestAdapter
from mockgenesys.mock import MockGenesys
from mockgenesys.stateful.simulated import GRADED_RULES, SimulatedMachine
from mockgenesys.world.models import Conversation, GuestSession, Message

#: Builds the client under test for a mock: ``factory(mock, seed) -> GuestAdapter``.
AdapterFactory = Callable[[MockGenesys, int], GuestAdapter]

#: Messages the guest's conversation starts with: more than three history pages of 25.
HISTORY_MESSAGES = 80
#: Reconnects refused while the guest is offline with sends queued behind it.
OFFLINE_REFUSALS = 2
#: History requests ``history_forbidden`` refuses in a row (a client that retries a 403 sends it again).
FORBIDDEN = 3
#: The longest run of 503s ``server_unavailable`` serves: the client core's twelve attempts ride it out.
MAX_OUTAGE = 10

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=24).map(str.strip).filter(bool)


def core_adapter(mock: MockGenesys, seed: int) -> GuestAdapter:
    """The default adapter: the client core's ``SessionManager``."""
    return CoreGuestAdapter.for_mock(mock, name="Stateful guest", seed=seed)


class ReauthMachine(SimulatedMachine):
    """Re-authentication correctness of the client built by ``adapter_factory``."""

    adapter_factory: AdapterFactory = staticmethod(core_adapter)
    #: How many guest sessions the client may open per session the server ended (plus the first).
    max_sessions_per_expiry = 1

    def __init__(self) -> None:
        super().__init__()
        self.adapter: GuestAdapter | None = None
        self.sent: dict[str, list[str]] = {}
        self.expiries = 0
        self.closed: set[str] = set()
        self.counter = 0

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
        conversation = self.conversation()
        if conversation is not None:
            self._long_history(conversation)

    def _long_history(self, conversation: Conversation) -> None:
        """Earlier agent messages, more than three pages of history (restores must read them all)."""
        world, now = self.mock.world, self.mock.clock.now()
        agent = conversation.participant("agent")
        sender = agent.id if agent is not None else "agent"
        for n in range(HISTORY_MESSAGES):
            world.add_message(
                conversation, Message(world.new_id(), conversation.id, "outbound", f"earlier {n}", now, sender)
            )

    @rule(text=words)
    def guest_sends(self, text: str) -> None:
        self._send(text)

    def _send(self, text: str) -> None:
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
        session = self.session()
        if session is not None:
            session.jwt_generation += 1  # every JWT issued so far stops working; a fresh one works

    @rule()
    def history_forbidden(self) -> None:
        """The history answers 403 to a restore, a few times in a row: a correct client raises a typed
        error at the first; one that retries sends it again (``retried_client_error``)."""
        assert self.adapter is not None
        rule = {"match": {"endpoint": "webmessaging.messages"}, "when": {"times": FORBIDDEN}}
        rule["then"] = {"status": 403, "code": "missing.any.permissions"}
        forbidden = self.mock.add_fault(rule)[0].id or ""
        try:
            self.run(self.adapter.restore())
        except ClientError:
            pass  # the allowed outcome; the invariants judge what the client sent
        finally:
            self.mock.faults.remove(forbidden)  # the refusal belongs to this restore only

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

    @rule(times=st.just(MAX_OUTAGE) | st.integers(1, MAX_OUTAGE), text=words)
    def server_unavailable(self, times: int, text: str) -> None:
        """A send gets 503 (no Retry-After) ``times`` in a row: a correct client backs off and gets through."""
        rule = {"match": {"endpoint": "guest.ws.onMessage"}, "when": {"times": times}, "then": {"status": 503}}
        outage = self.mock.add_fault(rule)[0].id or ""
        try:
            self._send(text)
        finally:
            self.mock.faults.remove(outage)  # the outage belongs to this send only

    @rule(echo=st.booleans())
    def socket_drops(self, echo: bool) -> None:
        endpoint = "guest.ws.out.StructuredMessage" if echo else "guest.ws.onMessage"
        self.mock.add_fault({"match": {"endpoint": endpoint}, "when": {"times": 1}, "then": {"ws": {"drop": True}}})

    @rule(count=st.integers(3, 5))
    def sends_while_offline(self, count: int) -> None:
        """The socket drops and the next reconnects fail while ``count`` sends queue up; the
        backlog must reach the server once each, in the order ``send`` was called."""
        assert self.adapter is not None
        adapter, session = self.adapter, self.session()
        self.mock.add_fault(
            {
                "match": {"endpoint": "guest.ws.configureSession"},
                "when": {"times": OFFLINE_REFUSALS},
                "then": {"ws": {"drop": True}},
            }
        )
        if session is not None:
            for conn in self.mock.hub.connections_for(session):
                conn.drop()
        texts = []
        for _ in range(count):
            self.counter += 1
            texts.append(f"#{self.counter} queued")

        async def all_at_once() -> list[BaseException | None]:
            return await asyncio.gather(*(adapter.send(text) for text in texts), return_exceptions=True)

        outcomes = self.run(all_at_once())
        conversation = self.conversation()
        assert conversation is not None
        for text, outcome in zip(texts, outcomes, strict=True):
            if isinstance(outcome, BaseException) and not isinstance(outcome, ClientError):
                raise outcome
            if outcome is None:
                self.sent.setdefault(conversation.id, []).append(text)

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

    @rule(seconds=st.sampled_from([901, 3600]))
    def history_restores_later(self, seconds: float) -> None:
        """A restore, the guest idle past its JWT's life, another restore: a correct client refreshes
        the JWT it knows has expired instead of sending it (``expired_token``)."""
        self.history_restores()
        self.clock_advances(seconds)
        self.history_restores()

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
            self.close_loop()


def reauth_machine(factory: AdapterFactory, *, name: str = "ClientReauthMachine") -> type[ReauthMachine]:
    """A ``ReauthMachine`` subclass that drives the client ``factory`` builds; use its ``.TestCase``."""
    return type(name, (ReauthMachine,), {"adapter_factory": staticmethod(factory)})
