"""Routing queues: the one queue of each org that its web messaging and Open Messaging
conversations are offered to, so a bot can find the queue its topics name (``?name=``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockgenesys.server.http import ApiError, MockRequest, MockResponse, Route, json_response
from mockgenesys.server.params import int_param, page_count

if TYPE_CHECKING:
    from mockgenesys.server.core import Server

#: The name of every org's queue in the mock.
QUEUE_NAME = "Messaging"
_BASE = "/api/v2/routing/queues"


def _queue(server: Server, req: MockRequest) -> dict[str, Any]:
    queue_id = server.world.queue_of(req.org_id or "")
    return {
        "id": queue_id,
        "name": QUEUE_NAME,
        "memberCount": 0,
        "mediaSettings": {"message": {"alertingTimeoutSeconds": 30}},
        "selfUri": f"{_BASE}/{queue_id}",
    }


def list_queues(server: Server, req: MockRequest) -> MockResponse:
    page_size = int_param(req, "pageSize", 25, 1, 500)
    page_number = int_param(req, "pageNumber", 1, 1)
    name = req.query_one("name")
    queues = [_queue(server, req)]
    if name:  # Genesys: "Include only queues with the given name (leading and trailing asterisks allowed)"
        wanted = name.strip("*").lower()
        queues = [q for q in queues if wanted in q["name"].lower()]
    entities = queues[(page_number - 1) * page_size : page_number * page_size]
    return json_response(
        {
            "entities": entities,
            "pageSize": page_size,
            "pageNumber": page_number,
            "total": len(queues),
            "pageCount": page_count(len(queues), page_size),
        }
    )


def get_queue(server: Server, req: MockRequest) -> MockResponse:
    queue = _queue(server, req)
    if req.params["queueId"] != queue["id"]:
        raise ApiError(404, "not.found", f"Queue {req.params['queueId']} was not found.")
    return json_response(queue)


ROUTES = [
    Route("GET", _BASE, "routing.queues.list", list_queues, permissions=("routing:queue:view",)),
    Route("GET", _BASE + "/{queueId}", "routing.queues.get", get_queue, permissions=("routing:queue:view",)),
]
