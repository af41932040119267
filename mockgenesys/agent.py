"""The simulated agent side: routing, agent replies, typing, transfer, disconnect, a bot."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

from mockgenesys.errors import WorldError
from mockgenesys.server.views import iso
from mockgenesys.server.websocket import frames
from mockgenesys.world.models import Conversation, Message, Participant

if TYPE_CHECKING:
    from mockgenesys.server.state import ServerState
    from mockgenesys.server.websocket.sockets import GuestSockets
    from mockgenesys.world.store import World

DEFAULT_ROUTING_DELAY = 2.0
DEFAULT_BOT_DELAY = 1.0
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

    It reaches guests through ``sockets``; the guest hub calls its hooks
    (``conversation_started``, ``guest_message``, ``guest_disconnected``).
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
    ) -> None:
        self.state = state
        self.sockets = sockets
        self.routing_delay = routing_delay
        self.bot = bot
        self.bot_delay = bot_delay
        self.bot_reply = bot_reply
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
        if self.routing_delay is not None:
            self.state.scheduler.call_later(self.routing_delay, lambda: self._route(conversation_id))

    def guest_message(self, conversation_id: str, message: Message) -> None:
        """A guest message was stored: the bot answers it after ``bot_delay``."""
        if self.bot and message.text:
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

    # ------------------------------------------------------------------ actions
    def assign(self, conversation_id: str, *, name: str | None = None) -> Participant:
        """Connect an agent to the conversation now (what routing does after its delay)."""
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
        )
        conversation.participants.append(agent)
        if conversation.is_active:
            conversation.state = "connected"
        return agent

    def reply(self, conversation_id: str, text: str, *, bot: bool = False) -> Message:
        """The agent (or bot) sends ``text``: stored in the world and pushed to the guest."""
        if not text:
            raise WorldError("An agent reply needs some text.")
        conversation = self._conversation(conversation_id)
        if not conversation.is_active:
            raise WorldError(f"Conversation {conversation_id} is {conversation.state}; the agent cannot reply.")
        sender = self._agent(conversation) or self.assign(conversation_id)
        message = Message(
            id=self.world.new_hex_id(),
            conversation_id=conversation.id,
            direction="outbound",
            text=text,
            timestamp=self.now(),
            sender_id=sender.id,
            originating_entity="Bot" if bot else "Human",
        )
        self.world.add_message(conversation, message)
        self.sockets.broadcast_conversation(
            conversation.id, frames.message("StructuredMessage", frames.structured_body(message))
        )
        return message

    def typing(self, conversation_id: str, *, duration_ms: int = 5000) -> None:
        """Show the agent typing to the guest."""
        conversation = self._conversation(conversation_id)
        body = {
            "id": self.world.new_hex_id(),
            "channel": {"time": iso(self.now()), "type": "Private"},
            "type": "Event",
            "direction": "Outbound",
            "events": [{"eventType": "Typing", "typing": {"type": "On", "duration": duration_ms}}],
        }
        self.sockets.broadcast_conversation(conversation.id, frames.message("StructuredMessage", body))

    def transfer(self, conversation_id: str, *, to: str | None = None) -> Participant:
        """Hand the conversation to another agent."""
        conversation = self._conversation(conversation_id)
        current = self._agent(conversation)
        if current is not None:
            current.state = "disconnected"
            current.end_time = self.now()
            current.disconnect_type = "transfer"
        return self.assign(conversation_id, name=to)

    def disconnect(self, conversation_id: str) -> None:
        """The agent ends the conversation: Presence Disconnect, read-only when configured."""
        conversation = self._conversation(conversation_id)
        now = self.now()
        for participant in conversation.participants:
            if participant.state != "disconnected":
                participant.state = "disconnected"
                participant.end_time = now
                participant.disconnect_type = "peer" if participant.purpose == "customer" else "client"
        conversation.state = "disconnected"
        conversation.end_time = now
        deployment = self.world.deployments.get(conversation.deployment_id)
        read_only = bool(deployment and deployment.read_only_after_disconnect)
        body: dict[str, object] = {
            "id": self.world.new_hex_id(),
            "channel": {"time": iso(now), "messageId": self.world.new_hex_id()},
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
        """Name the next assigned agent as a new simulator would (``mock.reset()``)."""
        self._names = itertools.cycle(AGENT_NAMES)

    # ------------------------------------------------------------------ internals
    def _route(self, conversation_id: str) -> None:
        conversation = self.world.conversations.get(conversation_id)
        if conversation is not None and conversation.is_active:
            self.assign(conversation_id)

    def _bot_answer(self, conversation_id: str, text: str) -> None:
        conversation = self.world.conversations.get(conversation_id)
        if conversation is not None and conversation.is_active:
            self.reply(conversation_id, text, bot=True)

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
