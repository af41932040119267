"""Fast, complete copies of world records: nothing mutable is shared between a copy and its source.

``copy.deepcopy`` of a default world takes milliseconds; these copies take microseconds because each
record type has a plan, derived once from its dataclass fields, that names the fields holding
mutable values and how to copy each. Scalars (str, int, float, bool, None) are shared as they are.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from mockgenesys.world.models import (
    AccessToken,
    Attachment,
    Conversation,
    Deployment,
    ExternalContact,
    GuestSession,
    Message,
    OAuthClient,
    Org,
    Participant,
    RefreshToken,
    SeedSession,
)

R = TypeVar("R")
_Copier = Callable[[Any], Any]

#: Every record type a world holds, by class name (field annotations are strings).
RECORD_TYPES: tuple[type[Any], ...] = (
    AccessToken,
    Attachment,
    Conversation,
    Deployment,
    ExternalContact,
    GuestSession,
    Message,
    OAuthClient,
    Org,
    Participant,
    RefreshToken,
    SeedSession,
)
_new = object.__new__
_setattr = object.__setattr__
_SCALARS = frozenset({"str", "int", "float", "bool", "None"})
_BY_NAME = {cls.__name__: cls for cls in RECORD_TYPES}


def copy_record(record: R) -> R:
    """A copy of ``record`` that shares no mutable value with it (nested records are copied too)."""
    cls = type(record)
    if cls.__dictoffset__ == 0:  # a slots dataclass (access tokens): rare in a template, no hurry
        duplicate = copy.copy(record)
        for name, copier in _PLANS[cls]:
            object.__setattr__(duplicate, name, copier(getattr(record, name)))
        return duplicate
    values = record.__dict__.copy()
    for name, copier in _PLANS[cls]:
        value = values[name]
        values[name] = copier(value) if value else value.copy()  # most are empty: the cheap way
    duplicate = _new(cls)
    _setattr(duplicate, "__dict__", values)  # object's own: frozen records refuse their __setattr__
    return duplicate


def copy_records(records: dict[str, R]) -> dict[str, R]:
    """``{key: copy_record(value)}`` in the same order."""
    return {key: copy_record(value) for key, value in records.items()}


def copy_data(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars); other objects go through ``deepcopy``."""
    kind = type(value)
    if kind is dict:
        return {key: copy_data(item) for key, item in value.items()}
    if kind is list:
        return [copy_data(item) for item in value]
    if kind in (str, int, float, bool) or value is None:
        return value
    return copy.deepcopy(value)


def mutable_fields(cls: type[Any]) -> list[str]:
    """The fields of a record type whose values are copied rather than shared."""
    return [name for name, _ in _PLANS[cls]]


def _list_of_records(items: list[Any]) -> list[Any]:
    return [copy_record(item) for item in items]


def _shallow(value: Any) -> Any:
    return value.copy()


def _copier(annotation: str) -> _Copier | None:
    """How to copy a field of this (string) annotation; ``None`` for scalars, shared as they are."""
    if {part.strip() for part in annotation.split("|")} <= _SCALARS:
        return None
    if annotation.startswith("list[") and annotation[5:-1] in _BY_NAME:
        return _list_of_records
    if annotation in ("list[str]", "dict[str, str]"):
        return _shallow
    return copy_data  # anything else is copied all the way down


def _plans(classes: Iterable[type[Any]]) -> dict[type[Any], tuple[tuple[str, _Copier], ...]]:
    plans: dict[type[Any], tuple[tuple[str, _Copier], ...]] = {}
    for cls in classes:
        steps = ((field.name, _copier(str(field.type))) for field in dataclasses.fields(cls))
        plans[cls] = tuple((name, copier) for name, copier in steps if copier is not None)
    return plans


#: Built once at import from the record types' fields; never changed after.
_PLANS = _plans(RECORD_TYPES)
