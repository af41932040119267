"""``ContactCentre``: the contact-centre side's state of one world, kept beside its records.

Notification channels (``world.channels``) and the Open Messaging and agent-side stores
(``world.openmessaging``). Like issued tokens, none of it is part of a snapshot: a world loaded
from a file starts with no channels, integrations or deliveries, and ``mock.reset()`` empties it.
"""

from __future__ import annotations

from mockgenesys.world.channels import ChannelStore
from mockgenesys.world.openmessaging import OpenMessagingStore, stable_id


class ContactCentre:
    """Channels, integrations, open conversations, webhook deliveries and agent media of one world."""

    def __init__(self) -> None:
        self.channels = ChannelStore()
        self.messaging = OpenMessagingStore()


def queue_id_of(org_id: str) -> str:
    """The routing queue of an org's web messaging and Open Messaging conversations, when the world
    names none (``Org.queue_id``)."""
    return stable_id("queue", org_id)
