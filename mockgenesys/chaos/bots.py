"""The bot workload: a bot and Open Messaging users beside the guests (the scenario's ``bot``).

One actor runs it all. It creates an Open Messaging integration whose webhook is a
``WebhookReceiver`` (in-process through ``mock.webhooks.transport``; live on a loopback port),
subscribes a ``NotificationClient`` to the org queue's ``.conversations`` topic, and answers every
customer text as the agent, on the agent's communication (``echo: <text>``): the guests' and the
open users' alike. What it learns from an event it reads again after every notification gap, so a
dropped socket loses nothing. It stops once every guest and user is done and nothing is left to
answer, or ``grace`` seconds later. The invariants ``bot_answered`` and ``webhooks_delivered``
(``chaos.botchecks``) judge the outcome from the server's side.

The bot behaves as a production bot must under Genesys' documented limits: every HTTP request it
makes (retries and the open users' posts included: they share its token) waits its turn under
``BOT_PACE``, below ``token.rate.per.minute`` (300 per token); a 429's Retry-After holds every later
call; the pending texts of a conversation are read with one bulk call, not one call each. The
bearer tokens it used are recorded (``BotRecord.principals``) so its journal rows are told apart
from the guests' and the platform workload's.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from mockgenesys.chaos.botload import ANSWER_PREFIX, BotLoad
from mockgenesys.chaos.guests import describe
from mockgenesys.client import (
    ClientError,
    NotificationClient,
    NotificationEvent,
    NotificationGap,
    OpenMessagingClient,
    PlatformClient,
    Timing,
    WebhookReceiver,
    mock_notification_connector,
    notification_connector,
)
from mockgenesys.client.pacing import Limits, Pacer
from mockgenesys.client.platform import MOCK_BASE_URL
from mockgenesys.journal import fingerprint
from mockgenesys.server.routes.queues import QUEUE_NAME
from mockgenesys.serving import serve_in_thread

if TYPE_CHECKING:
    from mockgenesys.chaos.actors import RunEnv
    from mockgenesys.chaos.control import MockFacts
    from mockgenesys.chaos.guests import GuestWorkload
    from mockgenesys.chaos.scenario import Scenario

#: The secret the run's integration signs its webhook with.
WEBHOOK_SECRET = "chaos-webhook-secret-0123456789"
POLL = 1.0
#: Seconds without anything left to do after which the bot stops (at most ``grace``).
QUIET = 10.0
#: The bot's pace, (requests, per seconds): Genesys allows 300 per token per minute
#: (``token.rate.per.minute``). The bot spreads them, five a second, and keeps ten a minute back
#: for a live server that sees a request a moment after the bot sent it: a burst of 300 followed
#: by a minute's silence would keep the texts that came after the burst waiting a minute.
BOT_PACE: Limits = ((5, 1.0), (290, 60.0))
#: Message ids one bulk read may name (Genesys' documented maximum).
BULK_IDS = 1000


def user_text(tag: str, user: int, index: int) -> str:
    """The unique text open user ``user`` sends as its ``index``-th message."""
    return f"chaos {tag} u{user} m{index}"


@dataclass
class BotRecord:
    """What the bot did in one run."""

    answered: int = 0
    events: int = 0
    gaps: list[NotificationGap] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    users_done: int = 0
    webhook_messages: int = 0
    webhook_duplicates: int = 0
    webhook_rejected: int = 0
    #: The journal principals of the bearer tokens the bot used (``fp:…``): its own rows.
    principals: set[str] = field(default_factory=set)


class PacedTransport(httpx.AsyncBaseTransport):
    """Sends each request when ``pacer`` lets it go, and records the bearer tokens it carried."""

    def __init__(self, inner: httpx.AsyncBaseTransport, pacer: Pacer, record: BotRecord) -> None:
        self.inner = inner
        self.pacer = pacer
        self.record = record

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self.pacer.wait()
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme == "Bearer" and token:
            self.record.principals.add(fingerprint(token))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class EchoBot:
    """Answers every customer text of a conversation once, as its connected agent, oldest text first."""

    def __init__(self, platform: PlatformClient, record: BotRecord) -> None:
        self.platform = platform
        self.record = record
        self.answered: set[str] = set()
        self.known: set[str] = set()
        self.waiting: set[str] = set()
        #: A notification gap happened: every known conversation must be read again.
        self.stale = False
        #: The ids of answers sent on Open Messaging conversations (they go out through the webhook).
        self.sent_open: set[str] = set()
        #: Customer message id -> (when the customer wrote it, the order the bot first heard of it in).
        self.heard: dict[str, tuple[str, int]] = {}

    async def answer_all(self, bodies: list[Any]) -> None:
        """Answer what ``.conversations`` event bodies (or read ``Conversation``s) name, oldest text first.

        The bodies are those that queued up while the bot waited its turn under ``BOT_PACE`` (and,
        after a gap, the conversations read again). The texts are answered in the order the
        customers wrote them (``messageTime``), whichever body finally brought their agent; the
        unanswered texts of a conversation are read with one bulk call when its oldest is due.
        """
        conversations: dict[str, _Pending] = {}
        for body in bodies:
            if not isinstance(body, dict) or not isinstance(body.get("id"), str):
                continue
            self.known.add(body["id"])
            pending = conversations.setdefault(body["id"], _Pending())
            pending.take(body)
            for message_id in pending.ids:
                self.heard.setdefault(message_id, (pending.times.get(message_id, ""), len(self.heard)))
        due: list[tuple[tuple[str, int], str, str]] = []
        for conversation_id, pending in conversations.items():
            unanswered = [i for i in pending.ids if i not in self.answered]
            if unanswered and pending.agent is None:
                self.waiting.add(conversation_id)  # routing has not connected an agent yet
                continue
            self.waiting.discard(conversation_id)
            due += [(self.heard[i], conversation_id, i) for i in unanswered]
        texts: dict[str, str] = {}
        for _, conversation_id, message_id in sorted(due):
            pending = conversations[conversation_id]
            if message_id not in texts:
                unread = [i for i in pending.ids if i not in self.answered and i not in texts]
                try:
                    texts.update(await self._texts(conversation_id, unread))
                except ClientError as exc:
                    self.record.errors.append(f"reading {len(unread)} message(s) of {conversation_id}: {describe(exc)}")
                    continue
            await self._answer(conversation_id, pending, message_id, texts[message_id])

    async def _answer(self, conversation_id: str, pending: _Pending, message_id: str, text: str) -> None:
        path = f"/api/v2/conversations/messages/{conversation_id}/communications/{pending.agent}/messages"
        try:
            sent = await self.platform.request("POST", path, json={"textBody": ANSWER_PREFIX + text})
        except ClientError as exc:
            self.record.errors.append(f"answering {message_id}: {describe(exc)}")
            return
        self.answered.add(message_id)
        self.record.answered += 1
        if pending.is_open and isinstance(sent, dict) and isinstance(sent.get("id"), str):
            self.sent_open.add(sent["id"])

    async def _texts(self, conversation_id: str, message_ids: list[str]) -> dict[str, str]:
        """The texts of ``message_ids`` in one bulk call per 1,000 ids (not one call each)."""
        texts: dict[str, str] = {}
        path = f"/api/v2/conversations/messages/{conversation_id}/messages/bulk"
        for start in range(0, len(message_ids), BULK_IDS):
            body = await self.platform.request(
                "POST", path, params={"useNormalizedMessage": "true"}, json=message_ids[start : start + BULK_IDS]
            )
            for entity in body.get("entities", []) if isinstance(body, dict) else []:
                if isinstance(entity, dict) and isinstance(entity.get("id"), str):
                    texts[entity["id"]] = str((entity.get("normalizedMessage") or {}).get("text") or "")
        return {message_id: texts.get(message_id, "") for message_id in message_ids}

    async def read(self, conversation_ids: set[str] | None = None) -> list[dict[str, Any]]:
        """Known conversations read again: every one after a gap (what changed meanwhile), or ``conversation_ids``.

        Every conversation is read before any is answered, so the answers still go oldest text first.
        """
        bodies: list[dict[str, Any]] = []
        for conversation_id in sorted(self.known if conversation_ids is None else conversation_ids):
            try:
                conversation = await self.platform.request("GET", f"/api/v2/conversations/{conversation_id}")
            except ClientError as exc:
                self.record.errors.append(f"reading {conversation_id}: {describe(exc)}")
                continue
            if isinstance(conversation, dict) and conversation.get("state") != "disconnected":
                bodies.append(conversation)
        return bodies


class _Pending:
    """What the bodies of one conversation say: its customer's message ids, its agent, its kind."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.times: dict[str, str] = {}
        self.agent: str | None = None
        self.is_open = False

    def take(self, conversation: dict[str, Any]) -> None:
        """Add one body (a late, held-back body adds no message id and keeps a newer agent)."""
        for participant in conversation.get("participants", []):
            for communication in participant.get("messages", []):
                self.is_open = self.is_open or communication.get("type") == "open"
                if participant.get("purpose") == "agent" and communication.get("state") == "connected":
                    self.agent = communication.get("id") or self.agent
                if participant.get("purpose") == "customer":
                    for message in communication.get("messages", []):
                        message_id = message.get("messageId")
                        if isinstance(message_id, str) and message_id not in self.ids:
                            self.ids.append(message_id)
                            self.times[message_id] = str(message.get("messageTime") or "")


class BotWorkload:
    """The ``bot`` of one run (none when the scenario has no ``bot`` section)."""

    kind = "bot"

    def __init__(self, scenario: Scenario, guests: GuestWorkload) -> None:
        self.scenario = scenario
        self.guests = guests
        self.record = BotRecord()

    def plan(self, env: RunEnv) -> list[Coroutine[Any, Any, None]]:
        load = self.scenario.bot
        return [] if load is None else [self._run(env, load)]

    async def _run(self, env: RunEnv, load: BotLoad) -> None:
        facts = env.control.facts
        seed = random.Random(f"chaos/{self.scenario.seed}/bot").getrandbits(63)
        timing = Timing(clock=facts.clock, rng=random.Random(seed))
        platform = _platform(facts, timing, self.record)
        receiver = WebhookReceiver(WEBHOOK_SECRET)
        async with platform, _webhook_url(facts, receiver) as url:
            bot = EchoBot(platform, self.record)

            async def on_gap(gap: NotificationGap) -> None:
                # read again in the listening loop, never beside it: two readers would answer twice
                self.record.gaps.append(gap)
                bot.stale = True

            connector = mock_notification_connector(facts.mock) if facts.mock else notification_connector()
            notes = NotificationClient(platform, connector, timing=timing, on_gap=on_gap)
            try:
                queue = await _queue(platform)
                integration = await OpenMessagingClient.create_integration(
                    platform, name=f"chaos {env.tag}", webhook_url=url, secret=WEBHOOK_SECRET
                )
                await notes.start([f"v2.routing.queues.{queue}.conversations"])
            except ClientError as exc:
                self.record.errors.append(f"setting up: {describe(exc)}")
                return
            users = [self._user(env, load, integration, n) for n in range(load.open_users)]
            tasks = [_spawn(user) for user in users]
            try:
                await self._listen(env, load, bot, notes, tasks, receiver)
            finally:
                for task in tasks:
                    task.cancel()
                await notes.aclose()
                self.record.events = notes.stats.events
                self.record.webhook_messages = len(receiver.messages)
                self.record.webhook_duplicates = receiver.duplicates
                self.record.webhook_rejected = receiver.rejected

    async def _listen(
        self,
        env: RunEnv,
        load: BotLoad,
        bot: EchoBot,
        notes: NotificationClient,
        users: list[Any],
        receiver: WebhookReceiver,
    ) -> None:
        control = env.control
        settled_at: float | None = None
        while True:
            try:
                event = await notes.next_event(timeout=POLL)
            except TimeoutError:
                event = None
            except ClientError as exc:
                self.record.errors.append(f"listening: {describe(exc)}")
                return
            # the events that queued up while the bot waited its turn are answered together (one
            # bulk read per conversation, not one per event), with what a gap makes it read again
            if bot.stale:
                bot.stale = False
                bodies = await bot.read()
                await bot.answer_all(bodies + _bodies([event] if event else [], notes.pending()))
            elif event is not None:
                await bot.answer_all(_bodies([event], notes.pending()))
            elif bot.waiting:
                await bot.answer_all(await bot.read(set(bot.waiting)))  # only those still without an agent
            done = _guests_done(self.guests) and all(task.done() for task in users)
            if not done:
                settled_at = None
                continue
            settled_at = settled_at if settled_at is not None else control.now()
            delivered = bot.sent_open <= {str(m.get("id")) for m in receiver.messages}
            quiet = not bot.waiting and delivered and control.now() - settled_at >= min(load.grace, QUIET)
            if quiet or control.now() - settled_at >= load.grace:
                return

    async def _user(self, env: RunEnv, load: BotLoad, integration: OpenMessagingClient, user: int) -> None:
        rng = random.Random(f"chaos/{self.scenario.seed}/user/{user}")
        for index in range(load.messages):
            if index:
                await env.control.sleep(load.pause(rng))
            try:
                await integration.send_text(
                    f"chaos-user-{user}", user_text(env.tag, user, index), message_id=f"{env.tag}/{user}/{index}"
                )
            except ClientError as exc:
                self.record.errors.append(f"user {user} sending {index}: {describe(exc)}")
        self.record.users_done += 1


def _bodies(*batches: list[NotificationEvent]) -> list[Any]:
    """The bodies of the ``.conversations`` events of ``batches``, in order."""
    return [e.body for batch in batches for e in batch if e.topic.endswith(".conversations")]


def _spawn(coroutine: Coroutine[Any, Any, None]) -> Any:
    import asyncio

    return asyncio.ensure_future(coroutine)


def _guests_done(guests: GuestWorkload) -> bool:
    """Every guest sent (or failed to send) everything it planned, or never started."""
    for record in guests.running:
        started_failed = any(r.method == "start" for r in record.raised)
        settled = len(record.sends) == len(record.planned) and all(
            s.done is not None or s.error is not None for s in record.sends
        )
        if not (record.finished or started_failed or settled):
            return False
    return True


def _platform(facts: MockFacts, timing: Timing, record: BotRecord) -> PlatformClient:
    """The bot's client: every request paced under ``BOT_PACE``, in-process or live."""
    inner = facts.mock.transport() if facts.mock is not None else httpx.AsyncHTTPTransport()
    transport = PacedTransport(inner, Pacer(timing, limits=BOT_PACE), record)
    base_url = MOCK_BASE_URL if facts.mock is not None else facts.base_url
    assert base_url is not None
    return PlatformClient(base_url, facts.client_id, facts.client_secret, transport=transport, timing=timing)


async def _queue(platform: PlatformClient) -> str:
    """The id of the org's queue, found by name as a bot would (``GET /api/v2/routing/queues``)."""
    listing = await platform.request("GET", "/api/v2/routing/queues", params={"name": QUEUE_NAME})
    return str(listing["entities"][0]["id"])


@contextlib.asynccontextmanager
async def _webhook_url(facts: MockFacts, receiver: WebhookReceiver) -> AsyncIterator[str]:
    """Where the integration's webhook is: in-process through the mock's transport, or served live."""
    if facts.mock is not None:
        facts.mock.webhooks.transport = httpx.ASGITransport(app=receiver)
        yield "http://127.0.0.1/chaos-webhook"
        return
    with serve_in_thread(receiver, "127.0.0.1", 0) as url:
        yield f"{url}/chaos-webhook"
