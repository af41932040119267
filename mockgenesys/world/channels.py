"""Notification channels: the records behind ``/api/v2/notifications/channels``, bounded and expiring.

Genesys documents the limits this store keeps (``DF-limits`` and ``postNotificationsChannels`` in
docs/server.md): 20 channels per user/app combination, a 21st removing the one used longest ago
(channels without a connection first); 1,000 topics per channel; 24 hours of life, extended by
subscribing again. All of it runs on the mock's clock: the store is given ``now`` on every call.

When a channel ends (it expired or a newer one pushed it out) while subscribed to topics, the store
remembers, per topic and OAuth client, that the client was listening there (an *orphan*) until the
client subscribes to the topic again or a day passes. An event published on such a topic is one the
client missed across the end of its channel; the server journals it for the conformance report.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

#: Documented: "There is a limit of 20 channels per user/app combination."
CHANNELS_PER_OWNER = 20
#: Documented: "Each WebSocket connection is limited to 1,000 topics."
TOPICS_PER_CHANNEL = 1000
#: Documented: "Channels remain active for 24 hours."
CHANNEL_TTL = 86400.0
#: The most channels one mock keeps across every client (the oldest-used go first past it).
MAX_CHANNELS = 10_000
#: How long a client that lost a channel is remembered as listening to its topics.
ORPHAN_MEMORY = 86400.0
#: The most (topic, client) orphans remembered; the oldest are forgotten first.
MAX_ORPHANS = 100_000
EXPIRED = "expired"
REMOVED = "removed"


@dataclass
class NotificationChannel:
    """One notification channel: its owner (the OAuth client), its topics and its life."""

    id: str
    org_id: str
    owner: str
    #: The journal's name for the token that created it (``fp:…``).
    principal: str | None
    created_at: float
    expires_at: float
    last_used: float
    topics: dict[str, None] = field(default_factory=dict)
    #: Whether a WebSocket is connected to it now (the server keeps this up to date).
    connected: bool = False
    #: Why it ended (``expired`` or ``removed``), once it has.
    ended: str | None = None


@dataclass(frozen=True)
class Orphan:
    """A client that was listening to a topic on a channel that ended, until ``until``."""

    owner: str
    principal: str | None
    channel_id: str
    reason: str
    until: float


class ChannelStore:
    """Every live notification channel of one world, indexed by id, owner and topic."""

    def __init__(
        self,
        *,
        per_owner: int = CHANNELS_PER_OWNER,
        max_topics: int = TOPICS_PER_CHANNEL,
        ttl: float = CHANNEL_TTL,
        max_channels: int = MAX_CHANNELS,
    ) -> None:
        self.per_owner = per_owner
        self.max_topics = max_topics
        self.ttl = ttl
        self.max_channels = max_channels
        self._channels: OrderedDict[str, NotificationChannel] = OrderedDict()
        self._by_topic: dict[str, set[str]] = {}
        #: Orphans oldest first, and the owners each topic has orphans for (so publishing finds them).
        self._orphans: OrderedDict[tuple[str, str], Orphan] = OrderedDict()
        self._orphan_owners: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._channels)

    # ------------------------------------------------------------------ life
    def add(self, channel: NotificationChannel, now: float) -> list[NotificationChannel]:
        """Store a new channel; returns the channels it pushed out (the owner's 21st removes one)."""
        removed: list[NotificationChannel] = []
        mine = self.of_owner(channel.owner, now)
        while len(mine) >= self.per_owner:
            # "Channels without an active connection will be removed first", then the oldest used.
            victim = min(mine, key=lambda c: (c.connected, c.last_used))
            self.end(victim, REMOVED, now)
            removed.append(victim)
            mine.remove(victim)
        while len(self._channels) >= self.max_channels:
            victim = next(iter(self._channels.values()))
            self.end(victim, REMOVED, now)
            removed.append(victim)
        self._channels[channel.id] = channel
        return removed

    def get(self, channel_id: str, now: float) -> NotificationChannel | None:
        """The live channel ``channel_id``; one past its expiry ends here (``expired``) and is None."""
        channel = self._channels.get(channel_id)
        if channel is not None and channel.expires_at <= now:
            self.end(channel, EXPIRED, now)
            return None
        return channel

    def of_owner(self, owner: str, now: float) -> list[NotificationChannel]:
        """The live channels of one OAuth client, oldest first."""
        return [c for c in list(self._channels.values()) if c.owner == owner and self.get(c.id, now) is not None]

    def end(self, channel: NotificationChannel, reason: str, now: float) -> None:
        """Forget ``channel`` (``expired`` or ``removed``); its topics become orphans of its owner."""
        if channel.ended is not None:
            return
        channel.ended = reason
        self._channels.pop(channel.id, None)
        for topic in channel.topics:
            listeners = self._by_topic.get(topic)
            if listeners is not None:
                listeners.discard(channel.id)
                if not listeners:
                    del self._by_topic[topic]
            if not self._listening(channel.owner, topic):
                self._forget_orphan(topic, channel.owner)
                orphan = Orphan(channel.owner, channel.principal, channel.id, reason, now + ORPHAN_MEMORY)
                self._orphans[(topic, channel.owner)] = orphan
                self._orphan_owners.setdefault(topic, set()).add(channel.owner)
        while len(self._orphans) > MAX_ORPHANS:
            self._forget_orphan(*next(iter(self._orphans)))

    def due(self, now: float) -> list[NotificationChannel]:
        """End every channel whose expiry has passed; returns them."""
        expired = [c for c in list(self._channels.values()) if c.expires_at <= now]
        for channel in expired:
            self.end(channel, EXPIRED, now)
        return expired

    # ------------------------------------------------------------------ topics
    def set_topics(self, channel: NotificationChannel, topics: list[str], now: float) -> bool:
        """Replace the channel's topics and extend its life by ``ttl``; True when the set changed."""
        wanted = dict.fromkeys(topics)
        changed = list(wanted) != list(channel.topics)
        for topic in channel.topics:
            if topic not in wanted:
                listeners = self._by_topic.get(topic)
                if listeners is not None:
                    listeners.discard(channel.id)
                    if not listeners:
                        del self._by_topic[topic]
        channel.topics = wanted
        for topic in wanted:
            self._by_topic.setdefault(topic, set()).add(channel.id)
            self._forget_orphan(topic, channel.owner)
        channel.expires_at = now + self.ttl
        channel.last_used = now
        return changed

    def subscribers(self, topic: str, now: float) -> list[NotificationChannel]:
        """The live channels subscribed to ``topic``."""
        found = []
        for channel_id in list(self._by_topic.get(topic, ())):
            channel = self.get(channel_id, now)
            if channel is not None:
                found.append(channel)
        return found

    def orphans(self, topic: str, now: float) -> list[Orphan]:
        """The clients that lost a channel listening to ``topic`` and have not subscribed it since."""
        found = []
        for owner in list(self._orphan_owners.get(topic, ())):
            orphan = self._orphans[(topic, owner)]
            if orphan.until <= now:
                self._forget_orphan(topic, owner)
            else:
                found.append(orphan)
        return found

    @property
    def is_idle(self) -> bool:
        """Whether no channel and no orphan cares about any topic (publishing can skip everything)."""
        return not self._by_topic and not self._orphan_owners

    def has_listeners(self, topic: str) -> bool:
        """Whether any channel or orphan cares about ``topic`` (cheap: publishing skips the rest)."""
        return topic in self._by_topic or topic in self._orphan_owners

    def _forget_orphan(self, topic: str, owner: str) -> None:
        if self._orphans.pop((topic, owner), None) is not None:
            owners = self._orphan_owners[topic]
            owners.discard(owner)
            if not owners:
                del self._orphan_owners[topic]

    def _listening(self, owner: str, topic: str) -> bool:
        return any(self._channels[c].owner == owner for c in self._by_topic.get(topic, ()) if c in self._channels)
