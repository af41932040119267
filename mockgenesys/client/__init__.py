"""The client core: guest sessions, re-authentication, history, retries and signed session cookies.

Everything is async (httpx + websockets) and every dependency is injectable: the HTTP
transport, the WebSocket connector, the clock, the sleep function and the RNG (``Timing``).

One job per module: ``retry`` (the one retry loop), ``tokens`` (the one credential cache, for the
OAuth token and the guest JWT), ``paging`` (every page of a listing), ``platform`` (the OAuth
client's REST calls); the guest side is ``channel`` (socket and session), ``replies``
(request/reply matching), ``pacing``, ``outbox`` (exactly once), ``jwt``, ``history``, assembled
in ``guest``; ``session`` and ``broker`` are the two tutorials' flows, ``adapter`` the seam for
test drivers; ``notifications`` (a channel kept alive for a backend or bot) and ``openmessaging``
(a connector's inbound calls and its signed webhook) serve the contact-centre side. Errors are in ``errors`` under one root, ``ClientError``.
"""

from __future__ import annotations

from mockgenesys.client.adapter import CoreGuestAdapter, GuestAdapter
from mockgenesys.client.broker import (
    NonceStore,
    SecureSession,
    SecureSessionBroker,
    SessionCookie,
    SessionRequest,
    validate_session_payload,
)
from mockgenesys.client.connectors import Connector, mock_connector, websocket_connector
from mockgenesys.client.errors import (
    ApiError,
    AuthenticationError,
    ClientConfigError,
    ClientError,
    ConnectionFailedError,
    ConversationClosedError,
    GuestError,
    MessageFailedError,
    NotConnectedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ReplayError,
    ServerError,
    SessionExpiredError,
    SessionValidationError,
    SignatureError,
)
from mockgenesys.client.events import Events
from mockgenesys.client.guest import GuestMessagingClient, GuestOptions
from mockgenesys.client.messages import GuestMessage, GuestStats
from mockgenesys.client.notifications import (
    NotificationClient,
    NotificationConnector,
    NotificationEvent,
    NotificationGap,
    mock_notification_connector,
    notification_connector,
)
from mockgenesys.client.openmessaging import OpenMessagingClient, WebhookReceiver, sign_body, verify_signature
from mockgenesys.client.platform import PlatformClient
from mockgenesys.client.retry import RetryPolicy, parse_retry_after
from mockgenesys.client.session import SessionManager
from mockgenesys.client.timing import Timing
from mockgenesys.client.tokens import AccessToken, TokenProvider

__all__ = [
    "AccessToken",
    "ApiError",
    "AuthenticationError",
    "ClientConfigError",
    "ClientError",
    "ConnectionFailedError",
    "Connector",
    "ConversationClosedError",
    "CoreGuestAdapter",
    "Events",
    "GuestAdapter",
    "GuestError",
    "GuestMessage",
    "GuestMessagingClient",
    "GuestOptions",
    "GuestStats",
    "MessageFailedError",
    "NonceStore",
    "NotConnectedError",
    "NotFoundError",
    "NotificationClient",
    "NotificationConnector",
    "NotificationEvent",
    "NotificationGap",
    "OpenMessagingClient",
    "PermissionDeniedError",
    "PlatformClient",
    "RateLimitedError",
    "ReplayError",
    "RetryPolicy",
    "SecureSession",
    "SecureSessionBroker",
    "ServerError",
    "SessionCookie",
    "SessionExpiredError",
    "SessionManager",
    "SessionRequest",
    "SessionValidationError",
    "SignatureError",
    "Timing",
    "TokenProvider",
    "WebhookReceiver",
    "mock_connector",
    "mock_notification_connector",
    "notification_connector",
    "parse_retry_after",
    "sign_body",
    "validate_session_payload",
    "verify_signature",
    "websocket_connector",
]
