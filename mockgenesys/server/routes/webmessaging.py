"""Guest REST: ``GET /api/v2/webmessaging/messages`` (guest JWT; newest first)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockgenesys.server.http import MockRequest, MockResponse, Route, json_response
from mockgenesys.server.params import int_param, page_count
from mockgenesys.server.views import web_message_view

if TYPE_CHECKING:
    from mockgenesys.server.core import Server


def messages(server: Server, req: MockRequest) -> MockResponse:
    page_size = int_param(req, "pageSize", 25, 1, 100)
    page_number = int_param(req, "pageNumber", 1, 1)
    guest = req.require_guest()
    conversation = server.world.conversations.get(guest.conversation_id)
    history = conversation.messages if conversation else []
    total = len(history)
    stop = total - (page_number - 1) * page_size
    page = history[max(0, stop - page_size) : max(0, stop)][::-1]
    return json_response(
        {
            "entities": [web_message_view(m, conversation) for m in page],
            "pageSize": page_size,
            "pageNumber": page_number,
            "total": total,
            "pageCount": page_count(total, page_size),
        }
    )


ROUTES = [Route("GET", "/api/v2/webmessaging/messages", "webmessaging.messages", messages, auth="guest")]
