"""``POST /__admin/agent/{conversation_id}/{action}``: the agent's side of a conversation over HTTP.

Every field is checked here (types, lengths, sizes) before the agent simulator sees it; content
items are checked by the simulator's own validator, whose ``WorldError`` the guard answers as 400.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from mockgenesys.admin.inputs import AdminError, flag, invalid, optional_string, read_object, whole
from mockgenesys.world.content import attachment

if TYPE_CHECKING:
    from starlette.requests import Request

    from mockgenesys.mock import MockGenesys
    from mockgenesys.world.models import Message

AGENT_ACTIONS = ("reply", "attach", "typing", "assign", "transfer", "disconnect")
#: The longest agent typing indicator, in milliseconds.
MAX_TYPING_MS = 3_600_000
#: The most content items of one agent reply, and the largest file ``attach`` takes (decoded).
MAX_REPLY_ITEMS = 50
MAX_ATTACH_BYTES = 10 * 1024 * 1024
#: The longest URL an attachment or an agent image may have.
MAX_URL = 2048


def _json(data: Any, status: int) -> Response:
    return Response(json.dumps(data, separators=(",", ":")), status_code=status, media_type="application/json")


async def agent_action(mock: MockGenesys, request: Request) -> Response:
    """Run one agent action on a conversation; 404 for an unknown action, 400 for bad fields."""
    conversation_id = request.path_params["conversation_id"]
    action = request.path_params["action"]
    if action not in AGENT_ACTIONS:
        raise AdminError(404, f"Unknown agent action {action!r}; use {', '.join(AGENT_ACTIONS)}.", "not.found")
    body = await read_object(request, required=False)
    if action == "reply":
        return _json({"messageId": _reply(mock, conversation_id, body).id}, 201)
    if action == "attach":
        return _json({"messageId": _attach(mock, conversation_id, body).id}, 201)
    if action == "typing":
        duration = whole(body.get("durationMs", 5000), "durationMs", 0, MAX_TYPING_MS)
        mock.agent.typing(conversation_id, duration_ms=duration)
    elif action == "assign":
        name = optional_string(body, "name", max_length=256)
        mock.agent.assign(conversation_id, name=name, image=optional_string(body, "image", max_length=MAX_URL))
    elif action == "transfer":
        mock.agent.transfer(conversation_id, to=optional_string(body, "to", max_length=256))
    else:
        mock.agent.disconnect(conversation_id)
    return Response(status_code=204)


def _reply(mock: MockGenesys, conversation_id: str, body: dict[str, Any]) -> Message:
    """``reply``: ``text`` and/or ``content`` items, optionally as a bot or under another ``name``."""
    text = optional_string(body, "text", max_length=4096) or ""
    content = body.get("content")
    if content is not None and (not isinstance(content, list) or len(content) > MAX_REPLY_ITEMS):
        raise invalid("content", f"content must be a list of at most {MAX_REPLY_ITEMS} content items.")
    if not text and not content:
        raise invalid("text", 'reply needs {"text": "..."} (1 to 4096 characters), "content": [items], or both.')
    name = optional_string(body, "name", max_length=256)
    bot = flag(body.get("bot", False), "bot")
    return mock.agent.reply(conversation_id, text, content=content, bot=bot, name=name)


def _attach(mock: MockGenesys, conversation_id: str, body: dict[str, Any]) -> Message:
    """``attach``: a file given as base64 ``data`` that the mock serves, or one hosted at ``url``."""
    filename = optional_string(body, "filename", max_length=256)
    mime = optional_string(body, "mime", max_length=256)
    if filename is None or mime is None or "/" not in mime:
        raise invalid("filename", 'attach needs {"filename", "mime" like image/png, and "data" (base64) or "url"}.')
    text = optional_string(body, "text", max_length=4096) or ""
    bot = flag(body.get("bot", False), "bot")
    url = optional_string(body, "url", max_length=MAX_URL)
    if url is not None:
        size = body.get("size")
        size = None if size is None else whole(size, "size", 0, 2**53)
        item = attachment(filename, url=url, mime=mime, size=size)
        return mock.agent.reply(conversation_id, text, content=[item], bot=bot)
    data = body.get("data", "")
    if not isinstance(data, str) or len(data) > (MAX_ATTACH_BYTES + 2) // 3 * 4:
        raise invalid("data", f"data must be the file's bytes in base64, at most {MAX_ATTACH_BYTES} bytes.")
    try:
        raw = base64.b64decode(data, validate=True)
    except (ValueError, binascii.Error):
        raise invalid("data", "attach: data must be the file's bytes in base64.") from None
    return mock.agent.attach(conversation_id, filename, raw, mime=mime, text=text, bot=bot)
