"""External contacts: get one (with ``expand``) and search (the 1,000-record cap)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from mockgenesys.server.http import ApiError, MockRequest, MockResponse, Route, json_response
from mockgenesys.server.operations import (
    PAGE_NUMBER,
    STRING,
    TIMESTAMP,
    Operation,
    obj,
    page_of,
    page_size,
    several,
    text,
)
from mockgenesys.server.params import int_param, invalid, multi_param, page_count
from mockgenesys.server.views import contact_view
from mockgenesys.world.models import ExternalContact

if TYPE_CHECKING:
    from mockgenesys.server.core import Server

PERMISSIONS = ("externalContacts:contact:view", "relate:contact:view")
EXPANDS = ("externalOrganization", "externalDataSources", "identifiers", "externalSources", "division")
SORT_FIELDS = {"firstName": "first_name", "lastName": "last_name", "middleName": "middle_name", "title": "title"}
MAX_RECORDS = 1000
_BASE = "/api/v2/externalcontacts/contacts"


def get_contact(server: Server, req: MockRequest) -> MockResponse:
    expand = multi_param(req, "expand", EXPANDS)
    contact = server.world.contacts.get(req.params["contactId"])
    if contact is None or contact.org_id != req.org_id:
        raise ApiError(404, "not.found", f"Contact {req.params['contactId']} was not found.")
    return json_response(contact_view(contact, expand))


def search(server: Server, req: MockRequest) -> MockResponse:
    page_size = int_param(req, "pageSize", 20, 1, 200)
    page_number = int_param(req, "pageNumber", 1, 1)
    if page_size * page_number > MAX_RECORDS:
        raise invalid(
            "pageNumber",
            f"Only the first {MAX_RECORDS} records can be retrieved: pageNumber * pageSize must be <= {MAX_RECORDS}, "
            f"got {page_number} * {page_size}. Narrow the search with q instead.",
        )
    expand = multi_param(req, "expand", EXPANDS)
    key = _sort_key(req.query_one("sortOrder"))
    query = (req.query_one("q") or "").strip().lower()
    contacts = [c for c in server.world.contacts_sorted() if c.org_id == req.org_id]
    if query:
        contacts = [c for c in contacts if all(word in contact_text(c) for word in query.split())]
    if key is not None:
        attr, reverse = key
        contacts = sorted(contacts, key=lambda c: (getattr(c, attr) or "").lower(), reverse=reverse)
    total = len(contacts)
    start = (page_number - 1) * page_size
    pages = page_count(total, page_size)

    def uri(n: int) -> str:
        params: dict[str, Any] = {"pageSize": page_size, "pageNumber": n}
        if query:
            params["q"] = req.query_one("q")
        return f"{_BASE}?{urlencode(params)}"

    listing: dict[str, Any] = {
        "entities": [contact_view(c, expand) for c in contacts[start : start + page_size]],
        "pageSize": page_size,
        "pageNumber": page_number,
        "total": total,
        "pageCount": pages,
        "partialResults": False,
        "firstUri": uri(1),
        "selfUri": uri(page_number),
        "lastUri": uri(max(pages, 1)),
    }
    if page_number < pages and page_number * page_size < MAX_RECORDS:
        listing["nextUri"] = uri(page_number + 1)
    if page_number > 1:
        listing["previousUri"] = uri(page_number - 1)
    return json_response(listing)


def _sort_key(raw: str | None) -> tuple[str, bool] | None:
    if not raw:
        return None
    field, _, direction = raw.partition(":")
    direction = direction or "asc"
    if field not in SORT_FIELDS or direction not in ("asc", "desc"):
        raise invalid(
            "sortOrder",
            f"sortOrder must look like firstName:asc, with a field of {', '.join(SORT_FIELDS)} and asc or desc; got {raw!r}.",
        )
    return SORT_FIELDS[field], direction == "desc"


def contact_text(contact: ExternalContact) -> str:
    return " ".join(
        (
            contact.first_name,
            contact.last_name,
            contact.middle_name or "",
            contact.title,
            contact.work_email,
            contact.personal_email,
            contact.cell_phone,
            contact.work_phone,
        )
    ).lower()


#: ``ExternalContact`` as the mock returns it.
CONTACT = obj(
    {
        "id": STRING,
        "firstName": STRING,
        "lastName": STRING,
        "workEmail": STRING,
        "createDate": TIMESTAMP,
        "modifyDate": TIMESTAMP,
        "type": STRING,
        "selfUri": STRING,
    },
    "id",
    "firstName",
    "lastName",
    "selfUri",
)
EXPAND = several("expand", EXPANDS, "Related entities to include.")
SEARCH = Operation(
    "Search external contacts (pageNumber * pageSize must stay within the first 1,000 records)",
    query=(
        page_size(200),
        PAGE_NUMBER,
        EXPAND,
        text("q", "Words every contact found contains (names, title, emails, phones)."),
        text(
            "sortOrder",
            "A field and direction, e.g. lastName:desc.",
            pattern=f"^({'|'.join(SORT_FIELDS)})(:(asc|desc)?)?$",
        ),
    ),
    response=page_of(CONTACT, "firstUri", "selfUri", "lastUri"),
)
ROUTES = [
    Route("GET", _BASE, "externalcontacts.search", search, permissions=PERMISSIONS, api=SEARCH),
    Route(
        "GET",
        _BASE + "/{contactId}",
        "externalcontacts.get",
        get_contact,
        permissions=PERMISSIONS,
        api=Operation("One external contact", query=(EXPAND,), response=CONTACT),
    ),
]
