"""Open Messaging for connectors: send a platform's messages in, check and take Genesys' webhook.

``OpenMessagingClient`` posts inbound messages, receipts and typing for one integration
(``…/{integrationId}/inbound/open/{message,receipt,event}``). ``verify_signature`` checks
``X-Hub-Signature-256`` the way Genesys' validation page computes it (``sha256=`` + base64 of the
HMAC-SHA256 of the body with the integration's secret; a hex digest is accepted too, as some
middlewares send), in constant time. ``WebhookReceiver`` is the webhook as an ASGI app: it refuses
a request whose signature does not check out (401), answers every other one at once with 200 (so
Genesys never times out and retries), and de-duplicates retried deliveries on ``id``.

>>> body = b'{"id":"1"}'
>>> verify_signature(body, sign_body("0123456789abcdef", body), "0123456789abcdef")
True
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from mockgenesys.client.errors import ClientError

if TYPE_CHECKING:
    from mockgenesys.client.platform import PlatformClient

SIGNATURE_HEADER = "X-Hub-Signature-256"
ID_TYPES = ("Email", "Phone", "Opaque")
_INTEGRATIONS = "/api/v2/conversations/messaging/integrations/open"
_SEEN = 10_000
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def sign_body(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` Genesys sends with ``body``: ``sha256=`` + base64(HMAC-SHA256)."""
    return "sha256=" + base64.b64encode(hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()).decode()


def verify_signature(body: bytes, header: str | None, secret: str) -> bool:
    """Whether ``header`` (``X-Hub-Signature-256``) signs exactly ``body`` with ``secret``.

    False for a missing or malformed header, never an exception; the comparison is constant-time.
    """
    if not isinstance(header, str) or not isinstance(secret, str) or not secret:
        return False
    value = header.strip()
    if value.lower().startswith("sha256="):
        value = value[7:]
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    given: bytes | None = None
    try:
        if len(value) == 64 and all(c in "0123456789abcdefABCDEF" for c in value):
            given = bytes.fromhex(value)
        else:
            given = base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(given, expected)


class OpenMessagingClient:
    """One Open Messaging integration, seen from the connector that feeds it."""

    def __init__(self, platform: PlatformClient, integration_id: str) -> None:
        self.platform = platform
        self.integration_id = integration_id

    @classmethod
    async def create_integration(
        cls,
        platform: PlatformClient,
        *,
        name: str,
        webhook_url: str,
        secret: str,
        headers: dict[str, str] | None = None,
    ) -> OpenMessagingClient:
        """``POST …/integrations/open`` and a client for the new integration."""
        body: dict[str, Any] = {
            "name": name,
            "outboundNotificationWebhookUrl": webhook_url,
            "outboundNotificationWebhookSignatureSecretToken": secret,
        }
        if headers:
            body["webhookHeaders"] = dict(headers)
        created = await platform.request("POST", _INTEGRATIONS, json=body)
        if not isinstance(created, dict) or not isinstance(created.get("id"), str):
            raise ClientError(f"Creating the integration answered without an id: {created!r}")
        return cls(platform, created["id"])

    def _path(self, kind: str) -> str:
        return f"/api/v2/conversations/messages/{self.integration_id}/inbound/open/{kind}"

    async def send_text(
        self,
        user_id: str,
        text: str = "",
        *,
        id_type: str = "Opaque",
        nickname: str | None = None,
        message_id: str | None = None,
        time: str | None = None,
        attachments: list[dict[str, Any]] | None = None,
        metadata: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Post the external user's message; the answer carries its Genesys ``id`` and ``conversationId``.

        ``message_id`` is the platform's own id: sent again with the same ``time`` (a retry), the
        message is not stored twice. ``attachments`` are ``{mediaType, url, mime, filename}``.
        """
        sender: dict[str, Any] = {"id": user_id, "idType": _id_type(id_type)}
        if nickname:
            sender["nickname"] = nickname
        channel = {
            "messageId": message_id or uuid.uuid4().hex,
            "from": sender,
            "time": time or _now(self.platform),
        }
        body: dict[str, Any] = {"channel": channel}
        if text:
            body["text"] = text
        if attachments:
            body["content"] = [{"contentType": "Attachment", "attachment": dict(a)} for a in attachments]
        if metadata:
            body["metadata"] = dict(metadata)
        answer: dict[str, Any] = await self.platform.request(
            "POST", self._path("message"), params={"prefetchConversationId": "true"}, json=body
        )
        return answer

    async def send_receipt(
        self,
        message_id: str,
        user_id: str,
        *,
        status: str = "Delivered",
        reasons: list[dict[str, str]] | None = None,
        id_type: str = "Opaque",
    ) -> dict[str, Any]:
        """Tell Genesys the agent's message ``message_id`` reached the user (``Delivered``) or not (``Failed``)."""
        if status not in ("Delivered", "Failed"):
            raise ClientError(f"An inbound receipt is Delivered or Failed, got {status!r}.")
        body: dict[str, Any] = {
            "id": message_id,
            "channel": {"to": {"id": user_id, "idType": _id_type(id_type)}, "time": _now(self.platform)},
            "status": status,
            "isFinalReceipt": True,
        }
        if reasons:
            body["reasons"] = [dict(r) for r in reasons]
        answer: dict[str, Any] = await self.platform.request("POST", self._path("receipt"), json=body)
        return answer

    async def send_typing(self, user_id: str, *, id_type: str = "Opaque") -> dict[str, Any]:
        """Tell Genesys the external user is typing."""
        body = {
            "channel": {"from": {"id": user_id, "idType": _id_type(id_type)}, "time": _now(self.platform)},
            "events": [{"eventType": "Typing", "typing": {"type": "On"}}],
        }
        answer: dict[str, Any] = await self.platform.request("POST", self._path("event"), json=body)
        return answer


def _id_type(value: str) -> str:
    if value not in ID_TYPES:
        raise ClientError(f"idType must be one of {', '.join(ID_TYPES)}, got {value!r}.")
    return value


def _now(platform: PlatformClient) -> str:
    moment = dt.datetime.fromtimestamp(platform.timing.now(), dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class WebhookReceiver:
    """An integration's webhook as an ASGI app; serve it live or hand it to ``httpx.ASGITransport``.

    ``messages`` holds every accepted body once (in arrival order); ``rejected`` counts requests
    with a bad signature, ``duplicates`` retried deliveries it had already taken. ``on_message``,
    when given, is awaited with each new body before the 200 goes back.
    """

    def __init__(self, secret: str, *, on_message: Callable[[dict[str, Any]], Awaitable[None]] | None = None) -> None:
        self.secret = secret
        self.on_message = on_message
        self.messages: list[dict[str, Any]] = []
        self.rejected = 0
        self.duplicates = 0
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if scope.get("method") != "POST":
            await _answer(send, 405)
            return
        if not verify_signature(body, headers.get(SIGNATURE_HEADER.lower()), self.secret):
            self.rejected += 1
            await _answer(send, 401)
            return
        try:
            data = json.loads(body)
        except ValueError:
            await _answer(send, 400)
            return
        key = str(data.get("id")) if isinstance(data, dict) else ""
        if key in self._seen:
            self.duplicates += 1
        elif isinstance(data, dict):
            self._seen[key] = None
            while len(self._seen) > _SEEN:
                self._seen.popitem(last=False)
            self.messages.append(data)
            if self.on_message is not None:
                await self.on_message(data)
        await _answer(send, 200)

    def texts(self) -> list[str]:
        """The text of every accepted outbound message, in order."""
        return [str(m.get("text", "")) for m in self.messages if m.get("type") == "Text"]


async def _answer(send: Send, status: int) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
