"""Files an agent sends: ``…/communications/{communicationId}/messages/media/uploads``, then
``mediaIds`` in the send. The upload URL is the mock's own ``/__media/{mediaId}``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockgenesys.server.http import ApiError, MockRequest, MockResponse, Route, json_response
from mockgenesys.server.params import invalid, json_body
from mockgenesys.server.routes.agentside import SEND_PERMISSIONS, conversation_of
from mockgenesys.server.routes.conversations import VIEW_PERMISSIONS
from mockgenesys.world.content import media_type
from mockgenesys.world.openmessaging import AgentMedia, communication_id

if TYPE_CHECKING:
    from mockgenesys.server.core import Server

#: The largest file an agent may upload to the mock (the request body limit is the real bound).
MAX_MEDIA_BYTES = 512_000
_MIME = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "pdf": "application/pdf"}
_BASE = "/api/v2/conversations/messages/{conversationId}/communications/{communicationId}/messages/media"


def _origin(req: MockRequest) -> str:
    return f"http://{req.headers.get('host', '127.0.0.1')}"


def _view(req: MockRequest, media: AgentMedia) -> dict[str, Any]:
    base = f"/api/v2/conversations/messages/{media.conversation_id}/communications/{media.communication_id}"
    view: dict[str, Any] = {
        "id": media.id,
        "name": media.file_name,
        "url": f"{_origin(req)}/__media/{media.id}",
        "mediaType": media_type(media.mime),
        "uploadUrl": f"{_origin(req)}/__media/{media.id}",
        "status": "valid" if media.data is not None else "uploading",
        "conversationId": media.conversation_id,
        "communicationId": media.communication_id,
        "selfUri": f"{base}/messages/media/{media.id}",
    }
    if media.data is not None:
        view["contentLengthBytes"] = len(media.data)
    return view


def create_upload(server: Server, req: MockRequest) -> MockResponse:
    conversation = conversation_of(server, req)
    communication = req.params["communicationId"]
    if not any(communication_id(p.id) == communication for p in conversation.participants):
        raise ApiError(404, "not.found", f"Communication {communication} is not on conversation {conversation.id}.")
    body = json_body(req)
    name = body.get("fileName")
    if not isinstance(name, str) or not name.strip():
        raise invalid("fileName", "fileName is required: the name of the file to upload.")
    length = body.get("contentLengthBytes")
    if length is not None and (
        isinstance(length, bool) or not isinstance(length, int) or not 0 < length <= MAX_MEDIA_BYTES
    ):
        raise invalid("contentLengthBytes", f"contentLengthBytes must be from 1 to {MAX_MEDIA_BYTES}, got {length!r}.")
    media = AgentMedia(
        id=server.world.new_id(),
        conversation_id=conversation.id,
        communication_id=communication,
        file_name=name,
        created_at=server.clock.now(),
        content_length=length,
        mime=_MIME.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream"),
    )
    server.world.contact_centre.messaging.add_media(media)
    view = _view(req, media)
    return json_response(
        {
            "id": media.id,
            "name": media.file_name,
            "uploadUrl": view["uploadUrl"],
            "uploadHeaders": {"Content-Type": media.mime},
            "selfUri": view["selfUri"],
        }
    )


def get_media(server: Server, req: MockRequest) -> MockResponse:
    conversation = conversation_of(server, req)
    media = server.world.contact_centre.messaging.media.get(req.params["mediaId"])
    if media is None or media.conversation_id != conversation.id:
        raise ApiError(404, "not.found", f"Media {req.params['mediaId']} was not found.")
    return json_response(_view(req, media))


def upload(server: Server, req: MockRequest) -> MockResponse:
    store = server.world.contact_centre.messaging
    media = store.media.get(req.params["mediaId"])
    if media is None:
        raise ApiError(404, "not.found", f"No upload is expected for media {req.params['mediaId']}.")
    if media.content_length is not None and len(req.body) != media.content_length:
        raise invalid("body", f"The upload announced {media.content_length} bytes, got {len(req.body)}.")
    content_type = req.headers.get("content-type", "").split(";")[0].strip()
    if content_type and "/" in content_type:
        media.mime = content_type
    store.store_media_bytes(media, req.body)
    return MockResponse(200, b"", content_type=None)


def download(server: Server, req: MockRequest) -> MockResponse:
    media = server.world.contact_centre.messaging.media.get(req.params["mediaId"])
    if media is None or media.data is None:
        raise ApiError(404, "not.found", f"Media {req.params['mediaId']} was not found.")
    return MockResponse(200, media.data, content_type=media.mime.encode())


ROUTES = [
    Route("POST", _BASE + "/uploads", "conversations.media.upload", create_upload, permissions=SEND_PERMISSIONS),
    Route("GET", _BASE + "/{mediaId}", "conversations.media.get", get_media, permissions=VIEW_PERMISSIONS),
    Route("PUT", "/__media/{mediaId}", "conversations.media.put", upload, auth="none", dialect="any"),
    Route("GET", "/__media/{mediaId}", "conversations.media.download", download, auth="none", dialect="any"),
]
