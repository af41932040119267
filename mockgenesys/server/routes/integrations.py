"""Open Messaging integrations and supported-content profiles (``/api/v2/conversations/messaging``).

Bodies and rules from the Python SDK 269 (``OpenIntegrationRequest``: ``name``,
``outboundNotificationWebhookUrl`` and ``outboundNotificationWebhookSignatureSecretToken`` required,
the token "must be longer than 15 characters") and the JavaScript SDK's permissions. Genesys creates
integrations asynchronously (``createStatus: Initiated``); the mock completes at once. Genesys wants
the webhook on port 443; the mock delivers only to loopback addresses, on any port. The secret is
never returned (whether Genesys returns it is not documented).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from mockgenesys.server.http import ApiError, MockRequest, MockResponse, Route, json_response
from mockgenesys.server.openmessaging.webhooks import is_loopback_url
from mockgenesys.server.params import int_param, invalid, json_body, multi_param, page_count
from mockgenesys.server.views import iso
from mockgenesys.world.openmessaging import (
    MIN_SECRET_LENGTH,
    OpenIntegration,
    StoreFull,
    SupportedContent,
)

if TYPE_CHECKING:
    from mockgenesys.server.core import Server

_OPEN = "/api/v2/conversations/messaging/integrations/open"
_SUPPORTED = "/api/v2/conversations/messaging/supportedcontent"
INTEGRATION_FIELDS = (
    "id",
    "name",
    "supportedContent",
    "messagingSetting",
    "outboundNotificationWebhookUrl",
    "outboundNotificationWebhookSignatureSecretToken",
    "webhookHeaders",
    "selfUri",
)
EXPANDS = ("supportedContent", "messagingSetting", "identityresolution")


def supported_view(profile: SupportedContent) -> dict[str, Any]:
    return {
        "id": profile.id,
        "name": profile.name,
        "dateCreated": iso(profile.created_at),
        "dateModified": iso(profile.modified_at),
        "version": profile.version,
        "mediaTypes": {
            "allow": {
                "inbound": [{"type": t} for t in profile.inbound],
                "outbound": [{"type": t} for t in profile.outbound],
            }
        },
        "selfUri": f"{_SUPPORTED}/{profile.id}",
    }


def integration_view(
    server: Server, integration: OpenIntegration, expand: frozenset[str] = frozenset()
) -> dict[str, Any]:
    profile = server.world.contact_centre.messaging.supported.get(integration.supported_content_id)
    supported: dict[str, Any] = {
        "id": integration.supported_content_id,
        "selfUri": f"{_SUPPORTED}/{integration.supported_content_id}",
    }
    if profile is not None:
        supported["name"] = profile.name
        if "supportedContent" in expand:
            supported["mediaTypes"] = supported_view(profile)["mediaTypes"]
    return {
        "id": integration.id,
        "name": integration.name,
        "supportedContent": supported,
        "outboundNotificationWebhookUrl": integration.webhook_url,
        "webhookHeaders": dict(integration.webhook_headers),
        "status": "Active",
        "recipient": {"id": server.world.queue_of(integration.org_id)},
        "dateCreated": iso(integration.created_at),
        "dateModified": iso(integration.modified_at),
        "createdBy": {"id": integration.created_by},
        "modifiedBy": {"id": integration.created_by},
        "createStatus": "Completed",
        "messengerType": "open",
        "selfUri": f"{_OPEN}/{integration.id}",
    }


def integration_of(server: Server, req: MockRequest, integration_id: str | None = None) -> OpenIntegration:
    integration_id = integration_id or req.params["integrationId"]
    integration = server.world.contact_centre.messaging.integrations.get(integration_id)
    if integration is None or integration.org_id != req.org_id:
        raise ApiError(404, "not.found", f"Open Messaging integration {integration_id} was not found.")
    return integration


def _settings(server: Server, req: MockRequest, body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The checked fields of an ``OpenIntegrationRequest`` / ``OpenIntegrationUpdateRequest``."""
    unknown = sorted(set(body) - set(INTEGRATION_FIELDS))
    if unknown:
        raise invalid(
            unknown[0],
            f"An Open Messaging integration has no field {unknown[0]!r}; valid: {', '.join(INTEGRATION_FIELDS)}.",
        )
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise invalid("name", "name is required: the integration's name.")
    settings: dict[str, Any] = {"name": name.strip()}
    url = body.get("outboundNotificationWebhookUrl")
    if url is not None or creating:
        if not isinstance(url, str) or not is_loopback_url(url):
            raise invalid(
                "outboundNotificationWebhookUrl",
                f"outboundNotificationWebhookUrl must be an http(s) URL on a loopback address (127.0.0.1, ::1, "
                f"localhost): the mock delivers webhooks only to this machine; got {url!r}.",
            )
        settings["webhook_url"] = url
    secret = body.get("outboundNotificationWebhookSignatureSecretToken")
    if secret is not None or creating:
        if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
            raise invalid(
                "outboundNotificationWebhookSignatureSecretToken",
                f"The signature secret token must be longer than 15 characters; got {len(secret) if isinstance(secret, str) else secret!r}.",
            )
        settings["secret"] = secret
    headers = body.get("webhookHeaders")
    if headers is not None:
        if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k.strip() and "\r" not in k + v and "\n" not in k + v
            for k, v in headers.items()
        ):
            raise invalid("webhookHeaders", "webhookHeaders must map header names to string values (no line breaks).")
        settings["webhook_headers"] = dict(headers)
    supported = body.get("supportedContent")
    if supported is not None:
        store = server.world.contact_centre.messaging
        content_id = supported.get("id") if isinstance(supported, dict) else None
        profile = store.supported.get(content_id) if isinstance(content_id, str) else None
        if profile is None or profile.org_id != req.org_id:
            raise invalid("supportedContent.id", f"No supported-content profile {content_id!r}.")
        settings["supported_content_id"] = profile.id
    return settings


def create_integration(server: Server, req: MockRequest) -> MockResponse:
    settings = _settings(server, req, json_body(req), creating=True)
    now = server.clock.now()
    store = server.world.contact_centre.messaging
    integration = OpenIntegration(
        id=server.world.new_id(),
        org_id=req.org_id or "",
        name=settings["name"],
        webhook_url=settings["webhook_url"],
        secret=settings["secret"],
        created_at=now,
        modified_at=now,
        created_by=req.caller.client_id or "",
        webhook_headers=settings.get("webhook_headers", {}),
        supported_content_id=settings.get("supported_content_id") or store.default_supported(req.org_id or "", now).id,
    )
    try:
        store.add_integration(integration)
    except StoreFull as exc:
        raise invalid("body", str(exc)) from None
    return json_response(integration_view(server, integration))


def update_integration(server: Server, req: MockRequest) -> MockResponse:
    integration = integration_of(server, req)
    settings = _settings(server, req, json_body(req), creating=False)
    integration.name = settings["name"]
    integration.webhook_url = settings.get("webhook_url", integration.webhook_url)
    integration.secret = settings.get("secret", integration.secret)
    integration.webhook_headers = settings.get("webhook_headers", integration.webhook_headers)
    integration.supported_content_id = settings.get("supported_content_id", integration.supported_content_id)
    integration.modified_at = server.clock.now()
    return json_response(integration_view(server, integration))


def get_integration(server: Server, req: MockRequest) -> MockResponse:
    expand = multi_param(req, "expand", EXPANDS)
    return json_response(integration_view(server, integration_of(server, req), expand))


def delete_integration(server: Server, req: MockRequest) -> MockResponse:
    integration = integration_of(server, req)
    del server.world.contact_centre.messaging.integrations[integration.id]
    return MockResponse(204, b"", content_type=None)


def _page(req: MockRequest, base: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    page_size = int_param(req, "pageSize", 25, 1, 500)
    page_number = int_param(req, "pageNumber", 1, 1)
    total = len(items)
    pages = page_count(total, page_size)

    def uri(n: int) -> str:
        return f"{base}?{urlencode({'pageSize': page_size, 'pageNumber': n})}"

    listing: dict[str, Any] = {
        "entities": items[(page_number - 1) * page_size : page_number * page_size],
        "pageSize": page_size,
        "pageNumber": page_number,
        "total": total,
        "pageCount": pages,
        "firstUri": uri(1),
        "selfUri": uri(page_number),
        "lastUri": uri(max(pages, 1)),
    }
    if page_number < pages:
        listing["nextUri"] = uri(page_number + 1)
    if page_number > 1:
        listing["previousUri"] = uri(page_number - 1)
    return listing


def list_integrations(server: Server, req: MockRequest) -> MockResponse:
    expand = multi_param(req, "expand", EXPANDS)
    mine = [i for i in server.world.contact_centre.messaging.integrations.values() if i.org_id == req.org_id]
    views = [integration_view(server, i, expand) for i in sorted(mine, key=lambda i: (i.name.lower(), i.id))]
    return json_response(_page(req, req.path, views))


def _profiles(server: Server, req: MockRequest) -> list[SupportedContent]:
    store = server.world.contact_centre.messaging
    store.default_supported(req.org_id or "", server.clock.now())
    return sorted((p for p in store.supported.values() if p.org_id == req.org_id), key=lambda p: (p.name.lower(), p.id))


def list_supported(server: Server, req: MockRequest) -> MockResponse:
    return json_response(_page(req, _SUPPORTED, [supported_view(p) for p in _profiles(server, req)]))


def get_supported(server: Server, req: MockRequest) -> MockResponse:
    for profile in _profiles(server, req):
        if profile.id == req.params["supportedContentId"]:
            return json_response(supported_view(profile))
    raise ApiError(404, "not.found", f"Supported content {req.params['supportedContentId']} was not found.")


def default_supported(server: Server, req: MockRequest) -> MockResponse:
    store = server.world.contact_centre.messaging
    return json_response(supported_view(store.default_supported(req.org_id or "", server.clock.now())))


def create_supported(server: Server, req: MockRequest) -> MockResponse:
    body = json_body(req)
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise invalid("name", "name is required.")
    allow = ((body.get("mediaTypes") or {}).get("allow") or {}) if isinstance(body.get("mediaTypes"), dict) else {}
    directions: dict[str, list[str]] = {}
    for direction in ("inbound", "outbound"):
        items = allow.get(direction, []) if isinstance(allow, dict) else None
        if not isinstance(items, list) or not all(
            isinstance(i, dict) and isinstance(i.get("type"), str) and "/" in i["type"] for i in items
        ):
            raise invalid(f"mediaTypes.allow.{direction}", 'Media types are a list like [{"type": "image/*"}].')
        directions[direction] = [str(i["type"]) for i in items]
    now = server.clock.now()
    profile = SupportedContent(
        server.world.new_id(), req.org_id or "", name.strip(), directions["inbound"], directions["outbound"], now, now
    )
    try:
        server.world.contact_centre.messaging.add_supported(profile)
    except StoreFull as exc:
        raise invalid("body", str(exc)) from None
    return json_response(supported_view(profile))


VIEW = ("messaging:integration:view",)
ROUTES = [
    Route(
        "POST",
        _OPEN,
        "openmessaging.integrations.create",
        create_integration,
        permissions=("messaging:integration:add",),
    ),
    Route("GET", _OPEN, "openmessaging.integrations.list", list_integrations, permissions=VIEW),
    Route("GET", _OPEN + "/{integrationId}", "openmessaging.integrations.get", get_integration, permissions=VIEW),
    Route(
        "PATCH",
        _OPEN + "/{integrationId}",
        "openmessaging.integrations.update",
        update_integration,
        permissions=("messaging:integration:edit",),
    ),
    Route(
        "DELETE",
        _OPEN + "/{integrationId}",
        "openmessaging.integrations.delete",
        delete_integration,
        permissions=("messaging:integration:delete",),
    ),
    Route(
        "GET",
        "/api/v2/conversations/messaging/integrations",
        "messaging.integrations.list",
        list_integrations,
        permissions=VIEW,
    ),
    Route("GET", _SUPPORTED, "supportedcontent.list", list_supported, permissions=("messaging:supportedContent:view",)),
    Route(
        "GET",
        _SUPPORTED + "/default",
        "supportedcontent.default",
        default_supported,
        permissions=("messaging:supportedContent:view",),
    ),
    Route(
        "GET",
        _SUPPORTED + "/{supportedContentId}",
        "supportedcontent.get",
        get_supported,
        permissions=("messaging:supportedContent:view",),
    ),
    Route(
        "POST", _SUPPORTED, "supportedcontent.create", create_supported, permissions=("messaging:supportedContent:add",)
    ),
]
