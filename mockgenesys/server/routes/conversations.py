"""Agent-side message conversations (real API) and the seed dialect's paginated history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockgenesys.server.http import ApiError, MockRequest, MockResponse, Route, json_response
from mockgenesys.server.params import bool_param, choice_param, int_param, invalid, page_count
from mockgenesys.server.routes.users import user_context_required
from mockgenesys.server.views import conversation_view, message_data_view
from mockgenesys.world.models import Conversation

if TYPE_CHECKING:
    from mockgenesys.server.core import Server

VIEW_PERMISSIONS = ("conversation:message:view", "conversation:webmessaging:view")
MAX_BULK_IDS = 1000


def _conversation(server: Server, req: MockRequest) -> Conversation:
    conversation_id = req.params["conversationId"]
    conversation = server.world.conversations.get(conversation_id)
    if conversation is None or conversation.org_id != req.org_id:
        raise ApiError(404, "not.found", f"Conversation {conversation_id} was not found.")
    if req.guest is not None and req.guest.conversation_id != conversation.id:
        raise ApiError(403, "not.authorized", "A guest may only read its own conversation.")
    return conversation


def list_active(server: Server, req: MockRequest) -> MockResponse:
    """``GET /api/v2/conversations/messages``: "the logged-in user's active conversations"; a
    client-credentials token has no user, so Genesys answers 400 (backends find conversations
    through notifications or Open Messaging instead)."""
    raise user_context_required()


def get_conversation(server: Server, req: MockRequest) -> MockResponse:
    return json_response(conversation_view(_conversation(server, req)))


def bulk(server: Server, req: MockRequest) -> MockResponse:
    conversation = _conversation(server, req)
    normalized = bool_param(req, "useNormalizedMessage")
    ids = req.json() if req.body.strip() else None
    if ids is None:
        ids = []
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise invalid("body", "The body must be a JSON array of message id strings.")
    if len(ids) > MAX_BULK_IDS:
        raise invalid("body", f"The max messages you can request in the body is 1,000; got {len(ids)}.")
    entities = []
    for index, message_id in enumerate(ids):
        message = server.world.message(message_id)
        if message is None or message.conversation_id != conversation.id:
            raise invalid(f"body[{index}]", f"Message {message_id} is not in conversation {conversation.id}.")
        entities.append(message_data_view(conversation, message, normalized))
    return json_response({"entities": entities})


def get_message(server: Server, req: MockRequest) -> MockResponse:
    conversation = _conversation(server, req)
    normalized = bool_param(req, "useNormalizedMessage")
    message = server.world.message(req.params["messageId"])
    if message is None or message.conversation_id != conversation.id:
        raise ApiError(
            404, "not.found", f"Message {req.params['messageId']} was not found in conversation {conversation.id}."
        )
    return json_response(message_data_view(conversation, message, normalized))


def seed_history(server: Server, req: MockRequest) -> MockResponse:
    """The first tutorial's ``GET /api/v2/conversations/messaging/{id}/messages``."""
    page_size = int_param(req, "pageSize", 25, 1, 100)
    page = int_param(req, "pageNumber", 1, 1)
    if req.query_one("page") is not None and req.query_one("pageNumber") is None:
        page = int_param(req, "page", 1, 1)
    order = choice_param(req, "sortOrder", ("asc", "desc"), "desc")
    conversation = _conversation(server, req)
    server.hit_limit("org_history", conversation.org_id, server.limits.org_history_per_second, 1.0)
    messages = conversation.messages
    total = len(messages)
    if order == "desc":
        stop = total - (page - 1) * page_size
        chosen = messages[max(0, stop - page_size) : max(0, stop)][::-1]
    else:
        start = (page - 1) * page_size
        chosen = messages[start : start + page_size]
    pages = page_count(total, page_size)
    base = f"/api/v2/conversations/messaging/{conversation.id}/messages"

    def link(n: int) -> dict[str, str]:
        return {"href": f"{base}?pageSize={page_size}&pageNumber={n}&sortOrder={order}"}

    links = {"self": link(page), "first": link(1), "last": link(max(pages, 1))}
    if page < pages:
        links["next"] = link(page + 1)
    if page > 1:
        links["prev"] = link(page - 1)
    return json_response(
        {
            "total": total,
            "pageSize": page_size,
            "page": page,
            "pageCount": pages,
            "entities": server.seed_views.page(conversation, chosen),
            "links": links,
        }
    )


_REAL = "/api/v2/conversations/messages"
ROUTES = [
    Route("GET", _REAL, "conversations.list", list_active),
    Route("GET", _REAL + "/{conversationId}", "conversations.get", get_conversation),
    Route(
        "POST",
        _REAL + "/{conversationId}/messages/bulk",
        "conversations.messages.bulk",
        bulk,
        permissions=VIEW_PERMISSIONS,
    ),
    Route(
        "GET",
        _REAL + "/{conversationId}/messages/{messageId}",
        "conversations.message.get",
        get_message,
        permissions=VIEW_PERMISSIONS,
    ),
    Route(
        "GET",
        "/api/v2/conversations/messaging/{conversationId}/messages",
        "conversations.history",
        seed_history,
        auth="oauth_or_guest",
        permissions=VIEW_PERMISSIONS,
        dialect="seed",
    ),
]
