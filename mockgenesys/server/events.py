"""``ConversationEvents``: what the contact-centre side hears when a conversation changes.

The agent simulator calls it for every change the guest side, the agent and the REST API make, so
a message posted on the guest WebSocket, by the agent or by an Open Messaging connector reaches
the same notification topics. It publishes the conversation and message topics of the queue and
of the agent's user, the detail events, and hands agent messages on Open Messaging conversations
to the webhook dispatcher. Bodies are built only for topics somebody listens to.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockgenesys.errors import MockGenesysError
from mockgenesys.server.notifications import payloads
from mockgenesys.server.notifications.topics import detail_topic, queue_topics, user_topics
from mockgenesys.server.openmessaging.payloads import outbound_message, outbound_typing

if TYPE_CHECKING:
    from mockgenesys.server.core import Server
    from mockgenesys.server.notifications.hub import NotificationHub
    from mockgenesys.server.openmessaging.webhooks import WebhookDispatcher
    from mockgenesys.server.state import ServerState
    from mockgenesys.world.models import Conversation, ExternalContact, Message, Participant
    from mockgenesys.world.openmessaging import WebhookDelivery
    from mockgenesys.world.store import World


class ConversationEvents:
    """Publishes conversation changes to notification topics and Open Messaging webhooks."""

    def __init__(self, state: ServerState, notifications: NotificationHub, webhooks: WebhookDispatcher) -> None:
        self.state = state
        self.notifications = notifications
        self.webhooks = webhooks
        webhooks.on_failed = self._delivery_failed

    @property
    def world(self) -> World:
        return self.state.world

    # ------------------------------------------------------------------ changes
    def started(self, conversation: Conversation) -> None:
        """A conversation began: the customer arrived and it waits in the queue."""
        customer = conversation.participant("customer")
        if customer is not None:
            self._detail(conversation, customer, "customer.start", "acd.start")
        self._conversation(conversation)

    def joined(self, conversation: Conversation, agent: Participant) -> None:
        """An agent was connected (routing answered the conversation)."""
        customer = conversation.participant("customer")
        if customer is not None:
            self._detail(conversation, customer, "acd.end")
        self._detail(conversation, agent, "user.start")
        self._conversation(conversation)

    def left(self, conversation: Conversation, participant: Participant) -> None:
        """One participant disconnected (the customer, or an agent on a transfer)."""
        self._detail(conversation, participant, "customer.end" if participant.purpose == "customer" else "user.end")
        self._conversation(conversation)

    def ended(self, conversation: Conversation, participants: list[Participant]) -> None:
        """The conversation was disconnected; ``participants`` are those it disconnected."""
        for participant in participants:
            self._detail(conversation, participant, "customer.end" if participant.purpose == "customer" else "user.end")
        self._conversation(conversation)

    def wrapped_up(self, conversation: Conversation, agent: Participant) -> None:
        """The agent gave a wrap-up code."""
        self._detail(conversation, agent, "acw", "wrapup")
        self._conversation(conversation)

    def message(self, conversation: Conversation, message: Message) -> None:
        """A message was stored: the message topics, and the webhook for an agent's open message."""
        if conversation.messenger_type == "open" and message.direction == "outbound":
            message = self.world.replace_message(conversation, dataclasses.replace(message, status="Sent"))
            self._webhook(
                conversation, message.id, lambda i, to, kind: outbound_message(i, conversation, message, to, kind)
            )
        self._conversation(conversation)

    def message_status(self, conversation: Conversation) -> None:
        """A receipt changed the status of a message."""
        self._conversation(conversation)

    def agent_typing(self, conversation: Conversation) -> None:
        """The agent is typing: an Open Messaging integration hears of it on its webhook."""
        if conversation.messenger_type == "open":
            event_id = self.world.new_hex_id()
            now = self.state.clock.now()
            self._webhook(
                conversation, event_id, lambda i, to, kind: outbound_typing(i, conversation, to, kind, event_id, now)
            )

    def customer_typing(self, conversation: Conversation) -> None:
        """The customer is typing: ``v2.users.{agent}.conversations.inbound.typing.event``."""
        customer = conversation.participant("customer")
        now = self.state.clock.now()
        for agent in conversation.participants:
            if agent.purpose == "agent" and agent.user_id and agent.state != "disconnected" and customer is not None:
                topic = f"v2.users.{agent.user_id}.conversations.inbound.typing.event"
                self._publish(topic, lambda: payloads.typing_body(conversation, customer, now))

    def contact_changed(self, contact: ExternalContact) -> None:
        """An external contact was created, updated or merged."""
        self._publish(f"v2.externalcontacts.contacts.{contact.id}", lambda: payloads.contact_body(contact))

    # ------------------------------------------------------------------ publishing
    def _conversation(self, conversation: Conversation) -> None:
        if self.world.contact_centre.channels.is_idle:  # the common case: nobody listens
            return
        queue_id = self.world.queue_of(conversation.org_id)
        queues = {queue_id, *(p.queue_id for p in conversation.participants if p.queue_id)}
        users = {p.user_id for p in conversation.participants if p.user_id}
        for messages_topic, topic in [*(queue_topics(q) for q in sorted(queues)), *(user_topics(u) for u in users)]:
            self._publish(messages_topic, lambda: payloads.message_conversation_body(conversation, queue_id))
            self._publish(topic, lambda: payloads.conversation_body(conversation, queue_id))

    def _detail(self, conversation: Conversation, participant: Participant, *events: str) -> None:
        if self.world.contact_centre.channels.is_idle:
            return
        queue_id = self.world.queue_of(conversation.org_id)
        now = self.state.clock.now()
        for event in events:
            self._publish(
                detail_topic(conversation.id, event),
                lambda event=event: payloads.detail_body(event, conversation, participant, queue_id, now),  # type: ignore[misc]
            )

    def _publish(self, topic: str, build: Callable[[], dict[str, Any]]) -> None:
        if self.world.contact_centre.channels.has_listeners(topic):
            self.notifications.publish(topic, build())

    def _webhook(
        self,
        conversation: Conversation,
        message_id: str,
        build: Callable[[Any, str, str], dict[str, Any]],
    ) -> None:
        messaging = self.world.contact_centre.messaging
        integration = messaging.integrations.get(conversation.deployment_id)
        recipient = messaging.recipients.get(conversation.id)
        if integration is None or recipient is None:
            return
        to_id, to_type = recipient
        body = build(integration, to_id, to_type)
        self.webhooks.send(integration, body, message_id=message_id, conversation_id=conversation.id)

    def _delivery_failed(self, delivery: WebhookDelivery) -> None:
        """Genesys "generate[s] a failure receipt": the message is ``Failed``."""
        conversation = self.world.conversations.get(delivery.conversation_id)
        message = self.world.message(delivery.message_id)
        if conversation is None or message is None:
            return
        self.world.replace_message(conversation, dataclasses.replace(message, status="Failed"))
        self._conversation(conversation)


def events_of(server: Server) -> ConversationEvents:
    """The contact-centre side of the mock a route handler serves."""
    events = server.hub.agent.events
    if events is None:
        raise MockGenesysError(
            "This mock's agent simulator was built without ConversationEvents; build the mock with MockGenesys."
        )
    return events
