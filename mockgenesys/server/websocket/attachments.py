"""Attachment actions: ``onAttachment`` (a presigned upload URL), ``getAttachment``, ``deleteAttachment``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockgenesys.server.views import iso
from mockgenesys.server.websocket import frames
from mockgenesys.server.websocket.refusals import GuestRefusal, UploadRefused
from mockgenesys.world.models import Attachment

if TYPE_CHECKING:
    from mockgenesys.server.websocket.call import FrameCall
    from mockgenesys.world.models import GuestSession


def has_blocked_extension(file_name: str) -> bool:
    """Whether ``file_name`` ends with an extension ``SessionResponse.blockedExtensions`` lists."""
    return file_name.lower().endswith(frames.BLOCKED_EXTENSIONS)


def on_attachment(call: FrameCall) -> None:
    session = call.live_session()
    frame = call.frame
    deployment = call.world.deployments[session.deployment_id]
    attachment_id = frame.get("attachmentId") or call.world.new_id()
    name, kind, size = frame.get("fileName"), frame.get("fileType"), frame.get("fileSize")
    if not isinstance(attachment_id, str):
        raise GuestRefusal(400, "Request failed. attachmentId must be a string.")

    def refused(code: int, text: str) -> UploadRefused:
        return UploadRefused(attachment_id, code, text, iso(call.now()))

    if not isinstance(name, str) or not name.strip():
        raise refused(frames.FILE_NAME_INVALID, "File name invalid: fileName is required.")
    if len(name) > frames.MAX_FILE_NAME:
        raise refused(
            frames.FILE_NAME_TOO_LONG, f"File name too long: {len(name)} characters, at most {frames.MAX_FILE_NAME}."
        )
    if has_blocked_extension(name):
        raise refused(frames.FILE_TYPE_INVALID, f"File type invalid: {name} has a blocked extension.")
    if not isinstance(kind, str) or kind not in deployment.allowed_file_types:
        raise refused(
            frames.FILE_TYPE_INVALID,
            f"File type invalid: {kind!r}; allowed: {', '.join(deployment.allowed_file_types)}.",
        )
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0 or size > deployment.max_file_size_kb * 1024:
        raise refused(
            frames.FILE_SIZE_INVALID, f"File size invalid: {size!r} bytes; at most {deployment.max_file_size_kb} KB."
        )
    call.hub.attachments[attachment_id] = Attachment(
        id=attachment_id, session_id=session.id, file_name=name, file_type=kind, file_size=size, created_at=call.now()
    )
    body = {
        "attachmentId": attachment_id,
        "headers": {"x-amz-tagging": f"mockgenesys-session={session.id}", "Content-Type": kind},
        "url": f"{call.conn.base_url}/__uploads/{attachment_id}",
        "fileName": name,
        "fileSize": size,
        "fileType": kind,
    }
    call.reply("PresignedUrlResponse", body)


def _attachment(call: FrameCall, session: GuestSession) -> Attachment:
    attachment_id = call.frame.get("attachmentId")
    if not isinstance(attachment_id, str) or not attachment_id:
        raise GuestRefusal(frames.MISSING_PARAMETER, "Missing parameter: attachmentId.")
    attachment = call.hub.attachments.get(attachment_id)
    if attachment is None or attachment.deleted or attachment.session_id != session.id:
        raise GuestRefusal(frames.ATTACHMENT_NOT_FOUND, f"Attachment {attachment_id} not found.")
    return attachment


def get_attachment(call: FrameCall) -> None:
    attachment = _attachment(call, call.live_session())
    if not attachment.uploaded:
        raise GuestRefusal(frames.ATTACHMENT_NOT_UPLOADED, f"Attachment {attachment.id} was not uploaded.")
    body = {
        "attachmentId": attachment.id,
        "headers": {},
        "url": f"{call.conn.base_url}/__uploads/{attachment.id}",
        "fileName": attachment.file_name,
        "fileSize": attachment.file_size,
        "fileType": attachment.file_type,
    }
    call.reply("PresignedUrlResponse", body)


def delete_attachment(call: FrameCall) -> None:
    attachment = _attachment(call, call.live_session())
    attachment.deleted = True
    call.reply("AttachmentDeletedResponse", {"attachmentId": attachment.id})
