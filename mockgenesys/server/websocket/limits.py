"""What one inbound guest frame may be: its size, its JSON and the size of a message's parts.

Every frame is read through ``read_frame`` before anything else looks at it, so no frame can make
the server recurse, allocate without bound or answer with anything but a Genesys error frame.
A socket that keeps sending after its request limit refused it is closed (``FLOOD_CLOSE_CODE``).
"""

from __future__ import annotations

from typing import Any

from mockgenesys.server.http import MAX_JSON_DEPTH, JsonRefused, dump_json, parse_json
from mockgenesys.server.websocket import frames
from mockgenesys.server.websocket.refusals import GuestRefusal

#: The longest text frame read, in characters; a longer one is refused with 4011 without parsing.
MAX_FRAME_CHARS = 65_536
#: The largest ``message.metadata`` of ``onMessage``, as compact JSON (the size Genesys allows
#: for custom attributes: the mock applies the same bound to the metadata it stores and echoes).
MAX_METADATA_BYTES = 2048
#: The most ``message.content`` items of one ``onMessage``, and their largest size as compact JSON.
MAX_CONTENT_ITEMS = 10
MAX_CONTENT_BYTES = 8192
#: Frames refused in a row by the connection's request limit before the server closes the socket.
FLOOD_REFUSALS = 20
#: The close code of a socket closed for flooding: the Genesys "request rate too high" code.
FLOOD_CLOSE_CODE = frames.RATE_TOO_HIGH


def read_frame(text: str) -> tuple[dict[str, Any] | None, GuestRefusal | None]:
    """The frame as a JSON object, or the refusal that answers it (too long, not JSON, too deep,
    not an object)."""
    if len(text) > MAX_FRAME_CHARS:
        return None, GuestRefusal(
            frames.MESSAGE_TOO_LONG,
            f"Request failed. The frame is {len(text)} characters, longer than {MAX_FRAME_CHARS}.",
        )
    try:
        data = parse_json(text, MAX_JSON_DEPTH)
    except JsonRefused as exc:
        return None, GuestRefusal(400, f"Request failed. {exc.reason}")
    if not isinstance(data, dict):
        return None, GuestRefusal(400, f"Request failed. A request must be a JSON object, got {type(data).__name__}.")
    return data, None


def message_size_refusal(frame: dict[str, Any]) -> GuestRefusal | None:
    """The 4011 refusal of an ``onMessage`` whose ``metadata`` or ``content`` is over its bound."""
    message = frame.get("message")
    if not isinstance(message, dict):
        return None  # the action itself says what is missing
    metadata = message.get("metadata")
    if metadata is not None:
        size = _size(metadata)
        if size > MAX_METADATA_BYTES:
            return GuestRefusal(
                frames.MESSAGE_TOO_LONG, f"Message metadata is {size} bytes, larger than {MAX_METADATA_BYTES}"
            )
    content = message.get("content")
    if isinstance(content, list):
        if len(content) > MAX_CONTENT_ITEMS:
            return GuestRefusal(
                frames.MESSAGE_TOO_LONG,
                f"Message content has {len(content)} items, more than {MAX_CONTENT_ITEMS}",
            )
        size = _size(content)
        if size > MAX_CONTENT_BYTES:
            return GuestRefusal(
                frames.MESSAGE_TOO_LONG, f"Message content is {size} bytes, larger than {MAX_CONTENT_BYTES}"
            )
    return None


def _size(value: Any) -> int:
    return len(dump_json(value))
