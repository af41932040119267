"""The presigned attachment URLs the guest WebSocket hands out, served by the mock itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockgenesys.server.http import ApiError, MockRequest, MockResponse, Route
from mockgenesys.server.views import iso
from mockgenesys.server.websocket import frames

if TYPE_CHECKING:
    from mockgenesys.server.core import Server


def upload(server: Server, req: MockRequest) -> MockResponse:
    hub = server.hub
    attachment = hub.attachments.get(req.params["attachmentId"])
    if attachment is None or attachment.deleted:
        raise ApiError(404, "not.found", f"No upload is expected for attachment {req.params['attachmentId']}.")
    session = server.world.guest_sessions.get(attachment.session_id)
    now = server.clock.now()
    content_type = req.headers.get("content-type", attachment.file_type).split(";")[0].strip()
    problem = None
    if len(req.body) != attachment.file_size:
        problem = (
            frames.FILE_SIZE_INVALID,
            f"File size invalid: announced {attachment.file_size} bytes, got {len(req.body)}.",
        )
    elif content_type != attachment.file_type:
        problem = (
            frames.FILE_CONTENT_INVALID,
            f"File content invalid: announced {attachment.file_type}, got {content_type}.",
        )
    if session is not None:
        if problem is None:
            attachment.uploaded = True
            body: dict[str, object] = {
                "attachmentId": attachment.id,
                "downloadUrl": f"{_origin(req)}/__uploads/{attachment.id}",
                "timestamp": iso(now),
            }
            hub.sockets.broadcast(session, frames.message("UploadSuccessEvent", body))
        else:
            body = {
                "attachmentId": attachment.id,
                "errorCode": problem[0],
                "errorMessage": problem[1],
                "timestamp": iso(now),
            }
            hub.sockets.broadcast(session, frames.message("UploadFailureEvent", body))
    if problem is not None:
        raise ApiError(400, "invalid.value", problem[1], details=[{"errorCode": "invalid.value", "fieldName": "body"}])
    server.uploads[attachment.id] = req.body
    return MockResponse(200, b"", content_type=None)


def download(server: Server, req: MockRequest) -> MockResponse:
    """A guest's uploaded file, or one the agent sent with ``mock.agent.attach``."""
    attachment_id = req.params["attachmentId"]
    sent = server.hub.agent.files.get(attachment_id)
    if sent is not None:
        return MockResponse(200, sent[1], content_type=sent[0].encode())
    attachment = server.hub.attachments.get(attachment_id)
    data = server.uploads.get(attachment_id)
    if attachment is None or attachment.deleted or data is None:
        raise ApiError(404, "not.found", f"Attachment {attachment_id} was not found.")
    return MockResponse(200, data, content_type=attachment.file_type.encode())


def _origin(req: MockRequest) -> str:
    return f"http://{req.headers.get('host', '127.0.0.1')}"


ROUTES = [
    Route("PUT", "/__uploads/{attachmentId}", "webmessaging.upload", upload, auth="none", dialect="any"),
    Route("GET", "/__uploads/{attachmentId}", "webmessaging.download", download, auth="none", dialect="any"),
]
