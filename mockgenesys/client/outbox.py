"""The outbox: every guest message delivered exactly once, in the order it was sent.

Sends are serialized (an ``asyncio.Lock`` wakes its waiters first come, first served, so a backlog
built while the socket was down goes out in order). When the server refuses a message (429,
4006 / 4007, a read-only conversation) the outbox knows it was not stored and sends it again after
the wait. When its fate is unknown (the socket dropped or the echo never came) it first looks for
it: a late echo, then the guest history, where it counts the messages with that text against the
ones it already knows of. Only a message that is not there is sent again.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from mockgenesys.client.channel import (
    SENT_WITH,
    SESSION_GONE,
    Conversation,
    FrameRateLimited,
    GuestChannel,
    SocketLost,
)
from mockgenesys.client.errors import (
    ClientError,
    ConversationClosedError,
    GuestError,
    MessageFailedError,
    RateLimitedError,
)
from mockgenesys.client.messages import GuestMessage
from mockgenesys.client.retry import Retry

#: Genesys refuses text messages longer than this many bytes (4011).
MAX_TEXT_BYTES = 4096

History = Callable[[], Awaitable[list[GuestMessage]]]


@dataclass
class _Outgoing:
    text: str
    tracing_id: str = ""
    conversation: Conversation | None = None
    uncertain: bool = False  # sent, and neither an echo nor a refusal came back


class Outbox:
    """Delivers guest texts over ``channel`` exactly once; ``history`` reads the conversation.

    ``restart_closed``: when the agent ended the conversation and it is read-only, a send starts
    a new conversation in the same session instead of raising ``ConversationClosedError``.
    """

    def __init__(self, channel: GuestChannel, history: History, *, restart_closed: bool = True) -> None:
        self.channel = channel
        self.history = history
        self.restart_closed = restart_closed
        self._lock = asyncio.Lock()
        #: How many guest messages of each text the conversation ``_counted`` holds, as far as known.
        self._known: Counter[str] = Counter()
        self._counted: Conversation | None = None

    async def send(self, text: str) -> GuestMessage:
        """Deliver ``text``; the message the server stored, or ``MessageFailedError`` (also emitted)."""
        events = self.channel.events
        if not isinstance(text, str) or not text.strip():
            raise MessageFailedError(str(text), ValueError("a message needs non-blank text"))
        size = len(text.encode())
        if size > MAX_TEXT_BYTES:
            error = MessageFailedError(
                text, ValueError(f"it is {size} bytes; Genesys accepts {MAX_TEXT_BYTES}: split it")
            )
            events.emit("message_failed", error)
            raise error
        async with self._lock:
            try:
                await self._count_resumed()
                message = await self._deliver(_Outgoing(text))
            except ClientError as exc:
                error = MessageFailedError(text, exc)
                events.emit("message_failed", error)
                raise error from exc
            finally:
                self.channel.replies.forget_late()  # one message is sent at a time: older echoes cannot matter
            self._follow_new_conversation()
            self._known[text] += 1
            events.emit("message_sent", message)
            return message

    def _follow_new_conversation(self) -> bool:
        """Start counting from zero in a conversation this client started; False if there is none."""
        conversation = self.channel.conversation
        if conversation is not None and conversation is not self._counted and conversation.is_new:
            self._known = Counter()
            self._counted = conversation
        return conversation is not None and conversation is self._counted

    async def _count_resumed(self) -> None:
        """Count the guest messages already in a conversation this client resumed (``token=``) but did
        not start, so that messages sent before it came cannot pass for a resend that arrived."""
        await self.channel.ensure_connected()
        if self._follow_new_conversation():
            return
        conversation = self.channel.conversation
        self._known = Counter()  # until counted, only this client's own sends count
        try:
            history = await self.history()
        except ClientError:
            return  # counted at the next send
        self._known = Counter(m.text for m in history if m.is_inbound_text and m.text)
        self._counted = conversation

    async def _deliver(self, outgoing: _Outgoing) -> GuestMessage:
        channel = self.channel
        limited = False

        def sent(tracing_id: str) -> None:
            outgoing.tracing_id = tracing_id
            outgoing.conversation = channel.conversation
            outgoing.uncertain = True

        async def attempt() -> GuestMessage | Retry:
            nonlocal limited
            limited = False
            if outgoing.uncertain:
                found = await self._arrived(outgoing)
                if found is not None:
                    return found
                channel.stats.resends += 1
            try:
                reply = await channel.request(
                    "onMessage", {"message": {"type": "Text", "text": outgoing.text}}, on_send=sent
                )
            except (SocketLost, TimeoutError) as exc:
                if channel.expired:
                    outgoing.uncertain = False  # SessionExpiredEvent came first: the server stored nothing
                return Retry(f"{type(exc).__name__}: {exc}")
            except FrameRateLimited as exc:
                outgoing.uncertain = False
                channel.stats.rate_limited += 1
                limited = True
                return Retry(f"rate limited ({exc.detail})", exc.retry_after)
            outgoing.uncertain = False
            body = reply.get("body")
            if reply.get("class") == "StructuredMessage" and isinstance(body, dict):
                return GuestMessage.from_body(body)
            code = int(reply.get("code") or 200)
            if code in SESSION_GONE:
                channel.session_gone(code, str(body), reply.get(SENT_WITH))
                return Retry(f"session gone ({code})")
            if code == 403:
                return await self._conversation_closed()
            if code in channel.retry.retry_statuses:
                return Retry(f"the server answered {code}")  # refused, not stored: another attempt is safe
            raise GuestError(code, str(body))

        def give_up(retry: Retry, attempts: int) -> GuestMessage:
            if limited:
                raise RateLimitedError(429, "4029", retry.reason)
            raise GuestError(
                0,
                f"gave up after {attempts} attempts ({retry.reason})",
                hint="Raise RetryPolicy.max_attempts or check the connection.",
            )

        return await channel.retry.run(attempt, channel.timing, give_up=give_up)

    async def _conversation_closed(self) -> Retry:
        """The agent ended the conversation and it is read-only: start a new one, or fail."""
        self.channel.read_only = True
        if not self.restart_closed:
            raise ConversationClosedError(None)
        await self.channel.new_conversation()
        self.channel.events.emit("conversation_updated", {"state": "ACTIVE", "token": self.channel.token, "new": True})
        return Retry("conversation closed; started a new one")

    async def _arrived(self, outgoing: _Outgoing) -> GuestMessage | None:
        """The stored message, if an earlier attempt of ``outgoing`` reached the server."""
        echo = self.channel.replies.late_echo(outgoing.tracing_id)
        if echo is not None and isinstance(echo.get("body"), dict):
            outgoing.uncertain = False
            return GuestMessage.from_body(echo["body"])
        if outgoing.conversation is not self.channel.conversation:
            return None  # a new session means a new conversation: the old attempt cannot be in it
        self.channel.stats.history_checks += 1
        history = await self.history()
        mine = [m for m in history if m.is_inbound_text and m.text == outgoing.text]
        self._follow_new_conversation()
        if len(mine) > self._known[outgoing.text]:
            outgoing.uncertain = False
            return mine[-1]
        return None
