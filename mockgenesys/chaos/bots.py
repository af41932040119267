"""The bot workload: a bot and Open Messaging users beside the guests (the scenario's ``bot``).

One actor runs it all. It creates an Open Messaging integration whose webhook is a
``WebhookReceiver`` (in-process through ``mock.webhooks.transport``; live on a loopback port),
subscribes a ``NotificationClient`` to the org queue's ``.conversations`` topic, and answers every
customer text as the agent, on the agent's communication (``echo: <text>``): the guests' and the
open users' alike. What it learns from an event it reads again after every notification gap, so a
dropped socket loses nothing. It stops once every guest and user is done and nothing is left to
answer, or ``grace`` seconds later. The invariants ``bot_answered`` and ``webhooks_delivered``
(``chaos.botchecks``) judge the outcome from the server's side.
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
    NotificationGap,
    OpenMessagingClient,
    PlatformClient,
    Timing,
    WebhookReceiver,
    mock_notification_connector,
    notification_connector,
)
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


class EchoBot:
    """Answers every customer text of a conversation once, as its connected agent."""

    def __init__(self, platform: PlatformClient, record: BotRecord) -> None:
        self.platform = platform
        self.record = record
        self.answered: set[str] = set()
        self.known: set[str] = set()
        self.waiting: set[str] = set()
        #: The ids of answers sent on Open Messaging conversations (they go out through the webhook).
        self.sent_open: set[str] = set()

    async def handle(self, conversation: dict[str, Any]) -> None:
        """Answer what ``conversation`` (a ``.conversations`` event body or a ``Conversation``) holds."""
        conversation_id = conversation.get("id")
        if not isinstance(conversation_id, str):
            return
        self.known.add(conversation_id)
        agent: str | None = None
        pending: list[str] = []
        is_open = False
        for participant in conversation.get("participants", []):
            for communication in participant.get("messages", []):
                is_open = is_open or communication.get("type") == "open"
                if participant.get("purpose") == "agent" and communication.get("state") == "connected":
                    agent = communication.get("id")
                if participant.get("purpose") == "customer":
                    ids = [m.get("messageId") for m in communication.get("messages", [])]
                    pending += [i for i in ids if isinstance(i, str) and i not in self.answered]
        if pending and agent is None:
            self.waiting.add(conversation_id)  # routing has not connected an agent yet
            return
        self.waiting.discard(conversation_id)
        for message_id in pending:
            try:
                details = await self.platform.request("GET", f"/api/v2/conversations/messages/{message_id}/details")
                text = details.get("normalizedMessage", {}).get("text") or ""
                path = f"/api/v2/conversations/messages/{conversation_id}/communications/{agent}/messages"
                sent = await self.platform.request("POST", path, json={"textBody": ANSWER_PREFIX + text})
            except ClientError as exc:
                self.record.errors.append(f"answering {message_id}: {describe(exc)}")
                continue
            self.answered.add(message_id)
            self.record.answered += 1
            if is_open and isinstance(sent, dict) and isinstance(sent.get("id"), str):
                self.sent_open.add(sent["id"])

    async def reconcile(self) -> None:
        """Read every known conversation again (after a gap: what changed meanwhile)."""
        for conversation_id in sorted(self.known):
            try:
                conversation = await self.platform.request("GET", f"/api/v2/conversations/{conversation_id}")
            except ClientError as exc:
                self.record.errors.append(f"reading {conversation_id}: {describe(exc)}")
                continue
            if isinstance(conversation, dict) and conversation.get("state") != "disconnected":
                await self.handle(conversation)


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
        platform = _platform(facts, timing)
        receiver = WebhookReceiver(WEBHOOK_SECRET)
        async with platform, _webhook_url(facts, receiver) as url:
            bot = EchoBot(platform, self.record)

            async def on_gap(gap: NotificationGap) -> None:
                self.record.gaps.append(gap)
                await bot.reconcile()

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
            if event is not None and event.topic.endswith(".conversations"):
                await bot.handle(event.body)
            if bot.waiting and event is None:
                await bot.reconcile()
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


def _platform(facts: MockFacts, timing: Timing) -> PlatformClient:
    if facts.mock is not None:
        return PlatformClient.for_mock(facts.mock, timing=timing)
    assert facts.base_url is not None
    return PlatformClient(facts.base_url, facts.client_id, facts.client_secret, timing=timing)


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
