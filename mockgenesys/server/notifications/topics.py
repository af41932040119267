"""The notification topics the mock publishes, how a topic name is checked, and who may subscribe.

Topic names and their event bodies come from Genesys' SDKs (the JavaScript SDK's
``notificationMappings.json`` maps each topic to its body class; the Python SDK 269 holds the
classes). Which permission each topic needs is not published (``availabletopics`` tells a real
org); the mock asks for the permission of the matching REST read, listed in ``TOPIC_FAMILIES``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The detail events of ``v2.detail.events.conversation.{id}.<event>`` the mock publishes.
DETAIL_EVENTS = ("customer.start", "customer.end", "acd.start", "acd.end", "user.start", "user.end", "acw", "wrapup")
#: Topics delivered without a subscription.
SYSTEM_SOCKET_CLOSING = "v2.system.socket_closing"
HEARTBEAT_TOPIC = "channel.metadata"
_ID = r"[A-Za-z0-9-]{1,64}"


@dataclass(frozen=True)
class TopicFamily:
    """One kind of topic: its pattern (``{id}`` is the one parameter) and the permissions to read it."""

    template: str
    description: str
    permissions: tuple[str, ...]

    @property
    def pattern(self) -> re.Pattern[str]:
        escaped = re.escape(self.template).replace(r"\{id\}", f"({_ID})").replace(r"\{event\}", "(.+)")
        return re.compile(f"^{escaped}$")


TOPIC_FAMILIES: tuple[TopicFamily, ...] = (
    TopicFamily(
        "v2.routing.queues.{id}.conversations.messages",
        "Message conversations offered to a queue: every change, with the ids of new messages.",
        ("routing:queue:view", "conversation:message:view"),
    ),
    TopicFamily(
        "v2.routing.queues.{id}.conversations",
        "Conversations of every media type offered to a queue.",
        ("routing:queue:view", "conversation:communication:view"),
    ),
    TopicFamily(
        "v2.users.{id}.conversations.messages",
        "A user's message conversations.",
        ("conversation:message:view", "conversation:communication:view"),
    ),
    TopicFamily(
        "v2.users.{id}.conversations",
        "A user's conversations of every media type.",
        ("conversation:communication:view",),
    ),
    TopicFamily(
        "v2.users.{id}.conversations.inbound.typing.event",
        "The customer is typing in one of a user's message conversations.",
        ("conversation:message:view", "conversation:communication:view"),
    ),
    TopicFamily(
        "v2.detail.events.conversation.{id}.{event}",
        "Detail events of one conversation: " + ", ".join(DETAIL_EVENTS) + ".",
        ("conversation:communication:view",),
    ),
    TopicFamily(
        "v2.externalcontacts.contacts.{id}",
        "An external contact changed (created, updated, merged).",
        ("externalContacts:contact:view", "relate:contact:view"),
    ),
)
_COMPILED = tuple((family, family.pattern) for family in TOPIC_FAMILIES)


def family_of(topic: str) -> TopicFamily | None:
    """The family a topic name belongs to, or None when the mock publishes no such topic."""
    for family, pattern in _COMPILED:
        found = pattern.match(topic)
        if found is None:
            continue
        if "{event}" in family.template and found.group(2) not in DETAIL_EVENTS:
            return None
        return family
    return None


def queue_topics(queue_id: str) -> tuple[str, str]:
    """The two queue topics of a message conversation: ``.conversations.messages``, ``.conversations``."""
    return f"v2.routing.queues.{queue_id}.conversations.messages", f"v2.routing.queues.{queue_id}.conversations"


def user_topics(user_id: str) -> tuple[str, str]:
    """The two user topics of a message conversation: ``.conversations.messages``, ``.conversations``."""
    return f"v2.users.{user_id}.conversations.messages", f"v2.users.{user_id}.conversations"


def detail_topic(conversation_id: str, event: str) -> str:
    """``v2.detail.events.conversation.{id}.{event}``."""
    return f"v2.detail.events.conversation.{conversation_id}.{event}"
