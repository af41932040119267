"""What each REST route takes and answers, declared beside its handler for the OpenAPI document.

A route module gives every ``Route`` an ``api=Operation(...)``: its query parameters (with the
type, bounds and values its handler enforces), its request body, its success status and
response shape. Path parameters come from the route's template, and the Genesys error responses
from the route's auth, permissions and parameters (``mockgenesys.server.openapi``), so a
declaration only says what is particular to the route. ``tests/server/test_openapi.py`` fails
when a route has no declaration or declares a query parameter its handler never reads (or
reads one it does not declare).

>>> Operation("List queues", query=(integer("pageSize", 1, 500),), response=page_of(OBJECT))
Operation(summary='List queues', ...)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Schema = dict[str, Any]

#: Any JSON object (the shape of what the route answers is not described further).
OBJECT: Schema = {"type": "object"}
STRING: Schema = {"type": "string"}
#: A timestamp as the mock writes it (``2024-01-01T00:00:00.000Z``).
TIMESTAMP: Schema = {"type": "string"}
#: Bytes of any media type (an uploaded or downloaded file).
BINARY: Schema = {"type": "string", "format": "binary"}


@dataclass(frozen=True)
class Param:
    """One query parameter: its name, JSON schema and a sentence saying what it does."""

    name: str
    schema: Schema
    description: str = ""

    def __repr__(self) -> str:
        return f"Param({self.name!r})"


@dataclass(frozen=True)
class Operation:
    """What one route takes and answers, beyond what its ``Route`` already says.

    ``body`` is the request body's JSON schema (``body_type`` "json", "form" for
    ``application/x-www-form-urlencoded`` or "bytes" for a raw upload); ``ok`` the success status
    with ``response`` its JSON body (None: no body; ``response_type`` "bytes": a file);
    ``errors`` the statuses the route answers beyond those its auth, parameters and body imply.
    """

    summary: str
    query: tuple[Param, ...] = ()
    body: Schema | None = None
    body_required: bool = True
    body_type: str = "json"
    ok: int = 200
    response: Schema | None = field(default_factory=lambda: dict(OBJECT))
    response_type: str = "json"
    errors: tuple[int, ...] = ()
    description: str = ""

    def __repr__(self) -> str:
        return f"Operation(summary={self.summary!r}, ...)"


# ---------------------------------------------------------------------- query parameters
def integer(name: str, low: int, high: int | None = None, description: str = "") -> Param:
    """A whole-number parameter from ``low`` to ``high`` (``server.params.int_param``)."""
    schema: Schema = {"type": "integer", "minimum": low}
    if high is not None:
        schema["maximum"] = high
    return Param(name, schema, description)


def boolean(name: str, description: str = "") -> Param:
    """``true`` or ``false`` (``server.params.bool_param``)."""
    return Param(name, {"type": "boolean"}, description)


def choice(name: str, values: tuple[str, ...], description: str = "") -> Param:
    """One of ``values`` (``server.params.choice_param``)."""
    return Param(name, {"type": "string", "enum": list(values)}, description)


def several(name: str, values: tuple[str, ...], description: str = "") -> Param:
    """Any of ``values``, repeated or comma-separated (``server.params.multi_param``)."""
    return Param(name, {"type": "array", "items": {"type": "string", "enum": list(values)}}, description)


def text(name: str, description: str = "", **schema: Any) -> Param:
    """Free text, with extra JSON-schema keywords (``pattern``...)."""
    return Param(name, {"type": "string", **schema}, description)


PAGE_NUMBER = integer("pageNumber", 1, description="Page to return, from 1.")


def page_size(high: int) -> Param:
    """``pageSize`` from 1 to ``high``."""
    return integer("pageSize", 1, high, f"Entities per page, 1 to {high}.")


# ---------------------------------------------------------------------- schemas
def obj(properties: dict[str, Schema], *required: str) -> Schema:
    """A JSON object with these ``properties`` (others allowed), ``required`` ones named."""
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def array(items: Schema, **extra: Any) -> Schema:
    """A JSON array of ``items``."""
    return {"type": "array", "items": items, **extra}


def ref(name: str) -> Schema:
    """A reference to the shared component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """``schema`` or JSON null."""
    return {"anyOf": [schema, {"type": "null"}]}


def page_of(item: Schema, *extra: str) -> Schema:
    """A Genesys paged listing: ``entities``, ``pageSize``, ``pageNumber``, ``total``,
    ``pageCount`` (and the ``extra`` URI fields it always carries)."""
    properties: dict[str, Schema] = {
        "entities": array(item),
        "pageSize": {"type": "integer"},
        "pageNumber": {"type": "integer"},
        "total": {"type": "integer"},
        "pageCount": {"type": "integer"},
        **{name: STRING for name in extra},
    }
    return obj(properties, "entities", "pageSize", "pageNumber", "total", "pageCount", *extra)


def entities_of(item: Schema) -> Schema:
    """``{"entities": [item, ...]}``."""
    return obj({"entities": array(item)}, "entities")


__all__ = [
    "BINARY",
    "OBJECT",
    "PAGE_NUMBER",
    "STRING",
    "TIMESTAMP",
    "Operation",
    "Param",
    "Schema",
    "array",
    "boolean",
    "choice",
    "entities_of",
    "integer",
    "nullable",
    "obj",
    "page_of",
    "page_size",
    "ref",
    "several",
    "text",
]
