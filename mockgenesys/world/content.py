"""Structured message content as Genesys web messaging carries it: builders and one validator.

The shapes are those Genesys' Messenger Transport SDK decodes
(``MyPureCloud/genesys-messenger-transport-mobile-sdk``, ``shyrka/receive/StructuredMessage.kt``)
and the Python platform SDK models (``WebMessagingContent`` and friends): a content item is
``{"contentType": <type>, <field>: {...}}`` with the field named after the type.

>>> card("Shoes", "Red, size 42", actions=[link_action("Buy", "https://shop.example/42")])["card"]["title"]
'Shoes'

The agent side (``mock.agent.reply(..., content=[...])``) may send ``QuickReply``, ``Card``,
``Carousel``, ``DatePicker`` and ``Attachment`` items; a guest sends ``Attachment`` (by id) and
``ButtonResponse``. ``content_problem`` says what is wrong with a list, in one sentence.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Content = dict[str, Any]

#: What each content type holds: its field, the required string keys, the optional string keys.
SHAPES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "Attachment": ("attachment", ("id", "url", "filename", "mediaType"), ("mime", "text", "sha256")),
    "QuickReply": ("quickReply", ("text", "payload"), ("image", "action")),
    "ButtonResponse": ("buttonResponse", ("text", "payload", "type"), ("originatingMessageId", "id")),
    "Card": ("card", ("title", "description"), ("image", "video")),
    "Carousel": ("carousel", (), ()),
    "DatePicker": ("datePicker", ("title",), ("subtitle", "imageUrl", "dateMinimum", "dateMaximum")),
}
AGENT_CONTENT = ("Attachment", "QuickReply", "Card", "Carousel", "DatePicker")
GUEST_CONTENT = ("Attachment", "ButtonResponse")
#: ``mediaType`` of an attachment (the Python SDK's enum); ``media_type`` picks it from the MIME type.
MEDIA_TYPES = ("Image", "Video", "Audio", "File", "Link")
BUTTON_TYPES = ("Button", "QuickReply", "DatePicker", "ListPicker", "Form")
CARD_ACTIONS = ("Link", "Postback")


def media_type(mime: str) -> str:
    """The attachment ``mediaType`` for a MIME type: ``Image``, ``Video``, ``Audio`` or ``File``."""
    major = mime.split("/", 1)[0].lower()
    return {"image": "Image", "video": "Video", "audio": "Audio"}.get(major, "File")


def attachment(
    filename: str, *, url: str, mime: str, size: int | None = None, attachment_id: str = "", text: str | None = None
) -> Content:
    """An ``Attachment`` item (a file the agent sends, hosted at ``url``).

    ``attachment_id`` defaults to one the mock assigns when the message is sent.
    """
    body: dict[str, Any] = {
        "id": attachment_id,
        "url": url,
        "filename": filename,
        "mediaType": media_type(mime),
        "mime": mime,
    }
    if size is not None:
        body["fileSize"] = size
    if text is not None:
        body["text"] = text
    return {"contentType": "Attachment", "attachment": body}


def quick_reply(text: str, payload: str | None = None) -> Content:
    """A ``QuickReply`` item: a button the guest taps to answer ``payload`` (default: ``text``)."""
    return {
        "contentType": "QuickReply",
        "quickReply": {"text": text, "payload": text if payload is None else payload, "action": "Message"},
    }


def quick_replies(*options: str) -> list[Content]:
    """One ``QuickReply`` item per option text (payload = text)."""
    return [quick_reply(option) for option in options]


def link_action(text: str, url: str) -> dict[str, str]:
    """A card button that opens ``url``."""
    return {"type": "Link", "text": text, "url": url}


def postback_action(text: str, payload: str | None = None) -> dict[str, str]:
    """A card button that sends ``payload`` (default: ``text``) back as a ``ButtonResponse``."""
    return {"type": "Postback", "text": text, "payload": text if payload is None else payload}


def _card_body(
    title: str,
    description: str,
    image: str | None,
    actions: Iterable[dict[str, str]],
    default_action: dict[str, str] | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"title": title, "description": description, "actions": list(actions)}
    if image is not None:
        body["image"] = image
    if default_action is not None:
        body["defaultAction"] = default_action
    return body


def card(
    title: str,
    description: str,
    *,
    image: str | None = None,
    actions: Iterable[dict[str, str]] = (),
    default_action: dict[str, str] | None = None,
) -> Content:
    """A ``Card`` item: title, description, an optional image and buttons (``link_action``,
    ``postback_action``)."""
    return {"contentType": "Card", "card": _card_body(title, description, image, actions, default_action)}


def carousel(*cards: Content) -> Content:
    """A ``Carousel`` item of ``card(...)`` items."""
    return {"contentType": "Carousel", "carousel": {"cards": [c["card"] for c in cards]}}


def date_picker(
    title: str,
    times: Iterable[tuple[str, int]],
    *,
    subtitle: str | None = None,
    image_url: str | None = None,
) -> Content:
    """A ``DatePicker`` item: ``times`` are ``(ISO date-time, duration in minutes)`` slots."""
    body: dict[str, Any] = {
        "title": title,
        "availableTimes": [{"dateTime": when, "duration": minutes} for when, minutes in times],
    }
    if subtitle is not None:
        body["subtitle"] = subtitle
    if image_url is not None:
        body["imageUrl"] = image_url
    return {"contentType": "DatePicker", "datePicker": body}


def content_problem(items: object, allowed: tuple[str, ...]) -> str | None:
    """What is wrong with a content list (one sentence naming the item and field), or ``None``."""
    if not isinstance(items, list):
        return "content must be a list of content items."
    for index, item in enumerate(items):
        problem = _item_problem(item, allowed)
        if problem is not None:
            return f"content[{index}]: {problem}"
    return None


def _item_problem(item: object, allowed: tuple[str, ...]) -> str | None:
    if not isinstance(item, dict):
        return "each content item must be an object."
    kind = item.get("contentType")
    if kind not in allowed:
        return f"contentType must be one of {', '.join(allowed)}, got {kind!r}."
    field, required, optional = SHAPES[kind]
    body = item.get(field)
    if not isinstance(body, dict):
        return f"a {kind} item needs a {field!r} object."
    problem = _strings(body, field, required, optional)
    if problem is not None:
        return problem
    if kind == "Attachment":
        if body["mediaType"] not in MEDIA_TYPES:
            return f"attachment.mediaType must be one of {', '.join(MEDIA_TYPES)}, got {body['mediaType']!r}."
        return _whole(body, "attachment.fileSize")
    if kind == "ButtonResponse" and body["type"] not in BUTTON_TYPES:
        return f"buttonResponse.type must be one of {', '.join(BUTTON_TYPES)}, got {body['type']!r}."
    if kind == "Card":
        return _card_problem(body, "card")
    if kind == "Carousel":
        cards = body.get("cards")
        if not isinstance(cards, list) or not cards:
            return "carousel.cards must be a non-empty list of cards."
        for n, one in enumerate(cards):
            if not isinstance(one, dict):
                return f"carousel.cards[{n}] must be an object."
            problem = _strings(one, f"carousel.cards[{n}]", SHAPES["Card"][1], SHAPES["Card"][2])
            problem = problem or _card_problem(one, f"carousel.cards[{n}]")
            if problem is not None:
                return problem
    if kind == "DatePicker":
        times = body.get("availableTimes", [])
        if not isinstance(times, list):
            return "datePicker.availableTimes must be a list."
        for n, slot in enumerate(times):
            if not isinstance(slot, dict) or not isinstance(slot.get("dateTime"), str):
                return f"datePicker.availableTimes[{n}] needs a dateTime string."
            problem = _whole(slot, f"datePicker.availableTimes[{n}].duration", required=True)
            if problem is not None:
                return problem
    return None


def _strings(body: dict[str, Any], where: str, required: tuple[str, ...], optional: tuple[str, ...]) -> str | None:
    for key in required:
        if not isinstance(body.get(key), str):
            return f"{where}.{key} is required and must be a string, got {body.get(key)!r}."
    for key in optional:
        if key in body and not isinstance(body[key], str):
            return f"{where}.{key} must be a string when given, got {body[key]!r}."
    return None


def _whole(body: dict[str, Any], where: str, *, required: bool = False) -> str | None:
    key = where.rsplit(".", 1)[-1]
    value = body.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return f"{where} must be a whole number >= 0, got {value!r}."
    return None


def _card_problem(body: dict[str, Any], where: str) -> str | None:
    actions = body.get("actions")
    if not isinstance(actions, list):
        return f"{where}.actions must be a list (it may be empty)."
    extra = [body["defaultAction"]] if "defaultAction" in body else []
    for n, action in enumerate([*actions, *extra]):
        name = f"{where}.actions[{n}]" if n < len(actions) else f"{where}.defaultAction"
        if not isinstance(action, dict) or action.get("type") not in CARD_ACTIONS:
            return f"{name}.type must be one of {', '.join(CARD_ACTIONS)}."
        if not isinstance(action.get("text"), str):
            return f"{name}.text is required and must be a string."
        needed = "url" if action["type"] == "Link" else "payload"
        if not isinstance(action.get(needed), str):
            return f"{name} of type {action['type']} needs a {needed!r} string."
    return None


def is_structured(items: list[Content]) -> bool:
    """Whether a message with these items is ``type: Structured`` (rich content) rather than
    ``Text`` (text and attachments only): Genesys' transport drops a ``Structured`` message that
    has nothing but attachments."""
    return any(item.get("contentType") not in ("Attachment", "ButtonResponse") for item in items)


__all__ = [
    "AGENT_CONTENT",
    "GUEST_CONTENT",
    "MEDIA_TYPES",
    "attachment",
    "card",
    "carousel",
    "content_problem",
    "date_picker",
    "is_structured",
    "link_action",
    "media_type",
    "postback_action",
    "quick_replies",
    "quick_reply",
]
