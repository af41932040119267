"""The simulated agent side: routing, agent replies, typing, transfer, disconnect, a bot."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockgenesys.errors import WorldError
from mockgenesys.server.views import iso
from mockgenesys.server.websocket import frames
from mockgenesys.world.content import AGENT_CONTENT, attachment, content_problem, is_structured
from mockgenesys.world.models import Conversation, Message, Participant
from mockgenesys.world.retention import BudgetDict

if TYPE_CHECKING:
    from mockgenesys.server.events import ConversationEvents
    from mockgenesys.server.state import ServerState
    from mockgenesys.server.websocket.sockets import GuestSockets
    from mockgenesys.world.store import World

DEFAULT_ROUTING_DELAY = 2.0
DEFAULT_BOT_DELAY = 1.0
DEFAULT_BOT_NAME = "Mock Bot"
#: The most files ``attach`` keeps to serve, and their most bytes together.
MAX_AGENT_FILES = 1_000
MAX_AGENT_FILE_BYTES = 64 * 1024 * 1024
#: Where files the agent attaches are served when no guest socket says what host the mock is on.
DEFAULT_FILE_HOST = "http://mockgenesys.invalid"
AGENT_NAMES = ("Alex Morgan", "Sam Rivera", "Jordan Lee", "Casey Kim")
BotReply = Callable[[Message], str]


def _echo_bot(message: Message) -> str:
    return f"Thanks! You said: {message.text}" if message.text else "Thanks for reaching out."


class AgentSimulator:
    """Plays the contact-centre side of every guest conversation.

    Routing assigns each new conversation to an agent after ``routing_delay`` seconds of the
    mock's clock (conversation ``alerting`` → ``connected``). Tests, scenarios and the admin API
    make the agent ``reply``, ``typing``, ``transfer`` or ``disconnect``; with ``bot=True`` every
    guest message gets an automatic reply after ``bot_delay`` seconds.

    Every outbound message names its sender in ``channel.from`` (``nickname``, ``firstName``,
    ``lastName``, ``image``): the agent participant, or ``bot_name`` for the bot. ``reply`` also
    sends rich content (``mockgenesys.world.content``: quick replies, cards, carousels, date
    pickers, attachments); ``attach`` sends a file the mock serves.

    It reaches guests through ``sockets``; the guest hub calls its hooks
    (``conversation_started``, ``guest_message``, ``guest_disconnected``). Every change it makes
    or hears of also goes to ``events`` (notification topics, Open Messaging webhooks).
    """

    def __init__(
        self,
        state: ServerState,
        sockets: GuestSockets,
        *,
        routing_delay: float | None = DEFAULT_ROUTING_DELAY,
        bot: bool = False,
        bot_delay: float = DEFAULT_BOT_DELAY,
        bot_reply: BotReply = _echo_bot,
        bot_name: str = DEFAULT_BOT_NAME,
        events: ConversationEvents | None = None,
    ) -> None:
        self.state = state
        #: Hears of every conversation change (the contact-centre side: notifications, webhooks).
        self.events = events
        self.sockets = sockets
        self.routing_delay = routing_delay
        self.bot = bot
        self.bot_delay = bot_delay
        self.bot_reply = bot_reply
        self.bot_name = bot_name
        #: Files sent with ``attach``, served at ``/__uploads/{id}``: id → (MIME type, bytes); the
        #: oldest are forgotten past ``MAX_AGENT_FILES`` files or ``MAX_AGENT_FILE_BYTES`` in all.
        self.files: BudgetDict[str, tuple[str, bytes]] = BudgetDict(
            MAX_AGENT_FILES, MAX_AGENT_FILE_BYTES, lambda file: len(file[1])
        )
        self._names = itertools.cycle(AGENT_NAMES)

    @property
    def world(self) -> World:
        """The current world."""
        return self.state.world

    def now(self) -> float:
        """The mock's clock, now."""
        return self.state.clock.now()

    # ------------------------------------------------------------------ hooks from the hub
    def conversation_started(self, conversation_id: str) -> None:
        """A guest started a conversation: route it to an agent after ``routing_delay``."""
        conversation = self.world.conversations.get(conversation_id)
        if conversation is not None and self.events is not None:
            self.events.started(conversation)
        if self.routing_delay is not None:
            self.state.scheduler.call_later(self.routing_delay, lambda: self._route(conversation_id))

    def guest_message(self, conversation_id: str, message: Message) -> None:
        """A guest message was stored: the bot answers it after ``bot_delay``."""
        conversation = self.world.conversations.get(conversation_id)
        if conversation is not None and self.events is not None:
            self.events.message(conversation, message)
        if self.bot and (message.text or message.content):
            reply = self.bot_reply(message)
            self.state.scheduler.call_later(self.bot_delay, lambda: self._bot_answer(conversation_id, reply))

    def guest_disconnected(self, conversation_id: str) -> None:
        """The guest sent Presence Disconnect: its participant leaves."""
        conversation = self._conversation(conversation_id)
        customer = conversation.participant("customer")
        if customer is not None and customer.state != "disconnected":
            customer.state = "disconnected"
            customer.end_time = self.now()
            customer.disconnect_type = "client"
            if self.events is not None:
                self.events.left(conversation, customer)

    # ------------------------------------------------------------------ actions
    def assign(self, conversation_id: str, *, name: str | None = None, image: str | None = None) -> Participant:
        """Connect an agent to the conversation now (what routing does after its delay).

        ``name`` ("First Last") and ``image`` (an avatar URL) are what the guest sees in
        ``channel.from`` of the agent's messages.
        """
        conversation = self._conversation(conversation_id)
        current = self._agent(conversation)
        if current is not None:
            return current
        now = self.now()
        agent = Participant(
            id=self.world.new_id(),
            purpose="agent",
            name=name or next(self._names),
            state="connected",
            start_time=now,
            connected_time=now,
            user_id=self.world.new_id(),
            image=image,
            queue_id=self.world.queue_of(conversation.org_id),
        )
        conversation.participants.append(agent)
        if conversation.is_active:
            conversation.state = "connected"
        if self.events is not None:
            self.events.joined(conversation, agent)
        return agent

    def reply(
        self,
        conversation_id: str,
        text: str = "",
        *,
        content: list[dict[str, Any]] | None = None,
        bot: bool = False,
        name: str | None = None,
    ) -> Message:
        """The agent (or bot) sends ``text`` and/or rich ``content``: stored and pushed to the guest.

        ``content`` items come from ``mockgenesys.world.content`` (``quick_replies``, ``card``,
        ``carousel``, ``date_picker``, ``attachment``); a message with any but attachments is
        ``type: Structured``. ``name`` shows instead of the agent's (or the bot's) own name.
        Raises ``WorldError`` for an empty message, bad content or an ended conversation.
        """
        items = [dict(item) for item in content or []]
        problem = content_problem(items, AGENT_CONTENT)
        if problem is not None:
            raise WorldError(f"An agent message has bad content: {problem} Build items with mockgenesys.world.content.")
        if not text and not items:
            raise WorldError("An agent reply needs some text or content.")
        conversation = self._conversation(conversation_id)
        if not conversation.is_active:
            raise WorldError(f"Conversation {conversation_id} is {conversation.state}; the agent cannot reply.")
        sender = self._agent(conversation) or self.assign(conversation_id)
        for item in items:
            if item["contentType"] == "Attachment" and not item["attachment"].get("id"):
                item["attachment"] = {**item["attachment"], "id": self.world.new_id()}
        message = Message(
            id=self.world.new_hex_id(),
            conversation_id=conversation.id,
            direction="outbound",
            text=text,
            timestamp=conversation.next_time(self.now()),
            sender_id=sender.id,
            type="Structured" if is_structured(items) else "Text",
            originating_entity="Bot" if bot else "Human",
            content=items,
            sender=self._sender(sender, bot=bot, name=name),
        )
        self.world.add_message(conversation, message)
        self.sockets.broadcast_conversation(
            conversation.id, frames.message("StructuredMessage", frames.structured_body(message, conversation))
        )
        if self.events is not None:
            self.events.message(conversation, message)
            message = self.world.message(message.id) or message  # an open message is now Sent
        return message

    def attach(
        self, conversation_id: str, filename: str, data: bytes, *, mime: str, text: str = "", bot: bool = False
    ) -> Message:
        """The agent sends a file: the mock serves ``data`` at ``/__uploads/{id}`` (on the host the
        guest connected to) and the message carries it as an ``Attachment``."""
        if not filename or not mime or "/" not in mime:
            raise WorldError(f"attach needs a file name and a MIME type like image/png, got {filename!r}, {mime!r}.")
        file_id = self.world.new_id()
        self.files[file_id] = (mime, bytes(data))
        url = f"{self._file_host(conversation_id)}/__uploads/{file_id}"
        item = attachment(filename, url=url, mime=mime, size=len(data), attachment_id=file_id)
        return self.reply(conversation_id, text, content=[item], bot=bot)

    def typing(self, conversation_id: str, *, duration_ms: int = 5000) -> None:
        """Show the agent typing to the guest."""
        conversation = self._conversation(conversation_id)
        channel: dict[str, Any] = {"time": iso(self.now()), "type": "Private"}
        agent = self._agent(conversation)
        if agent is not None:
            channel["from"] = agent.as_sender()
        body = {
            "id": self.world.new_hex_id(),
            "channel": channel,
            "type": "Event",
            "direction": "Outbound",
            "events": [{"eventType": "Typing", "typing": {"type": "On", "duration": duration_ms}}],
        }
        self.sockets.broadcast_conversation(conversation.id, frames.message("StructuredMessage", body))
        if self.events is not None:
            self.events.agent_typing(conversation)

    def transfer(self, conversation_id: str, *, to: str | None = None) -> Participant:
        """Hand the conversation to another agent."""
        conversation = self._conversation(conversation_id)
        current = self._agent(conversation)
        if current is not None:
            current.state = "disconnected"
            current.end_time = self.now()
            current.disconnect_type = "transfer"
            if self.events is not None:
                self.events.left(conversation, current)
        return self.assign(conversation_id, name=to)

    def disconnect(self, conversation_id: str) -> None:
        """The agent ends the conversation: Presence Disconnect, read-only when configured."""
        conversation = self._conversation(conversation_id)
        now = self.now()
        agent = self._agent(conversation)
        left = [p for p in conversation.participants if p.state != "disconnected"]
        for participant in left:
            participant.state = "disconnected"
            participant.end_time = now
            participant.disconnect_type = "peer" if participant.purpose == "customer" else "client"
        conversation.state = "disconnected"
        conversation.end_time = now
        if self.events is not None:
            self.events.ended(conversation, left)
        deployment = self.world.deployments.get(conversation.deployment_id)
        read_only = bool(deployment and deployment.read_only_after_disconnect)
        channel: dict[str, Any] = {"time": iso(now), "messageId": self.world.new_hex_id(), "type": "Private"}
        if agent is not None:
            channel["from"] = agent.as_sender()
        body: dict[str, object] = {
            "id": self.world.new_hex_id(),
            "channel": channel,
            "type": "Event",
            "direction": "Outbound",
            "events": [{"eventType": "Presence", "presence": {"type": "Disconnect"}}],
        }
        if read_only:
            body["metadata"] = {"readOnly": "true"}
        for session in self.sockets.sessions_of(conversation.id):
            session.read_only = read_only
            self.sockets.broadcast(session, frames.message("StructuredMessage", body))

    def reset(self) -> None:
        """Name the next assigned agent as a new simulator would, and forget attached files (``mock.reset()``)."""
        self._names = itertools.cycle(AGENT_NAMES)
        self.files.clear()

    # ------------------------------------------------------------------ internals
    def _route(self, conversation_id: str) -> None:
        conversation = self.world.conversations.get(conversation_id)
        if conversation is not None and conversation.is_active:
            self.assign(conversation_id)

    def _bot_answer(self, conversation_id: str, text: str) -> None:
        conversation = self.world.conversations.get(conversation_id)
        if conversation is not None and conversation.is_active:
            self.reply(conversation_id, text, bot=True)

    def _sender(self, agent: Participant, *, bot: bool, name: str | None) -> dict[str, str]:
        if bot:
            return {"nickname": name or self.bot_name}
        if name is None:
            return agent.as_sender()
        return Participant(id=agent.id, purpose="agent", name=name, image=agent.image).as_sender()

    def _file_host(self, conversation_id: str) -> str:
        """The origin a guest of the conversation reached the mock on (live: its host and port)."""
        for session in self.sockets.sessions_of(conversation_id):
            for conn in self.sockets.of(session):
                return conn.base_url
        return DEFAULT_FILE_HOST

    def _conversation(self, conversation_id: str) -> Conversation:
        conversation = self.world.conversations.get(conversation_id)
        if conversation is None:
            raise WorldError(f"No conversation {conversation_id!r} in the world.")
        return conversation

    @staticmethod
    def _agent(conversation: Conversation) -> Participant | None:
        for participant in reversed(conversation.participants):
            if participant.purpose == "agent" and participant.state != "disconnected":
                return participant
        return None
