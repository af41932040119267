"""The Notifications API's streaming side: channels' sockets, topics and event bodies."""

from __future__ import annotations

from mockgenesys.server.notifications.connection import InProcessNotificationSocket, NotificationConnection
from mockgenesys.server.notifications.hub import NotificationHub

__all__ = ["InProcessNotificationSocket", "NotificationConnection", "NotificationHub"]
