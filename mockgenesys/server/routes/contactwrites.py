"""External contacts written and found: create, replace, delete, search by body, identifier lookup, merge.

Bodies and permissions from the Python SDK 269 (``ExternalContactsApi``) and the JavaScript SDK's
docs. Genesys publishes no validation bodies for these routes; the mock answers the platform's
``400 invalid.value`` naming the field, refuses fields an ``ExternalContact`` does not have (a typo
is an error, not silently dropped), needs a ``firstName`` or ``lastName`` on a contact, and keeps
the deprecated ``identifierlookup`` and ``merge/contacts`` beside their successors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockgenesys.server.events import events_of
from mockgenesys.server.http import ApiError, MockRequest, MockResponse, Route, json_response
from mockgenesys.server.operations import OBJECT, STRING, Operation, array, entities_of, obj, page_of
from mockgenesys.server.params import invalid, json_body, multi_param, page_count
from mockgenesys.server.routes.externalcontacts import (
    CONTACT,
    EXPAND,
    EXPANDS,
    MAX_RECORDS,
    PERMISSIONS,
    SORT_FIELDS,
    contact_text,
)
from mockgenesys.server.views import contact_view
from mockgenesys.world.models import ExternalContact

if TYPE_CHECKING:
    from mockgenesys.server.core import Server

_BASE = "/api/v2/externalcontacts/contacts"
#: ``ExternalContact`` fields kept on the record (JSON name → attribute).
RECORD_FIELDS = {
    "firstName": "first_name",
    "middleName": "middle_name",
    "lastName": "last_name",
    "salutation": "salutation",
    "title": "title",
    "workEmail": "work_email",
    "personalEmail": "personal_email",
}
PHONE_FIELDS = {"workPhone": "work_phone", "cellPhone": "cell_phone"}
#: ``ExternalContact`` fields kept as given and returned as they came.
EXTRA_FIELDS = (
    "homePhone",
    "otherPhone",
    "otherEmail",
    "surveyOptOut",
    "externalSystemUrl",
    "twitterId",
    "lineId",
    "whatsAppId",
    "facebookId",
    "instagramId",
    "appleOpaqueIds",
    "externalIds",
)
#: Read-only fields a client may send back unchanged (a GET's body, PUT again).
READ_ONLY = (
    "id",
    "division",
    "createDate",
    "modifyDate",
    "selfUri",
    "type",
    "identifiers",
    "canonicalContact",
    "mergeSet",
    "mergedFrom",
    "mergedTo",
    "mergeOperation",
    "externalDataSources",
    "schema",
    "externalOrganization",
)
IDENTIFIER_TYPES = (
    "SocialLine",
    "SocialFacebook",
    "SocialTwitter",
    "SocialWhatsapp",
    "SocialInstagram",
    "SocialWhatsappBsuid",
    "AppleOpaqueId",
    "Email",
    "Phone",
    "Cookie",
    "ExternalId",
    "SocialInstagramHandle",
)
MAX_MERGE = 25
MAX_TEXT = 255
#: The most external contacts one world holds (created, merged and seeded together).
MAX_CONTACTS = 100_000


# ---------------------------------------------------------------------- reading a contact body
def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise invalid(key, f"{key} must be text of at most {MAX_TEXT} characters, got {value!r}.")
    if key.endswith("Email") and value and ("@" not in value or " " in value.strip()):
        raise invalid(key, f"{key} is not an email address: {value!r}.")
    return value.strip()


def _phone(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if value is None:
        return ""
    number = value.get("e164") or value.get("display") if isinstance(value, dict) else None
    if not isinstance(number, str):
        raise invalid(key, f'{key} must be a PhoneNumber like {{"e164": "+13175550123"}}, got {value!r}.')
    return number.strip()


def contact_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The record attributes a create or a full replace sets (a field left out is cleared)."""
    unknown = sorted(set(body) - {*RECORD_FIELDS, *PHONE_FIELDS, *EXTRA_FIELDS, *READ_ONLY, "address", "customFields"})
    if unknown:
        raise invalid(unknown[0], f"An ExternalContact has no field {unknown[0]!r}.")
    fields: dict[str, Any] = {attr: _text(body, key) for key, attr in RECORD_FIELDS.items()}
    fields.update({attr: _phone(body, key) for key, attr in PHONE_FIELDS.items()})
    if not fields["first_name"] and not fields["last_name"]:
        raise invalid("firstName", "A contact needs a firstName or a lastName.")
    address = body.get("address") or {}
    if not isinstance(address, dict) or not all(isinstance(v, str) for v in address.values()):
        raise invalid("address", "address must be a ContactAddress object of strings (address1, city, postalCode...).")
    custom = body.get("customFields") or {}
    if not isinstance(custom, dict):
        raise invalid("customFields", "customFields must be an object.")
    fields["address"] = dict(address)
    fields["custom_fields"] = dict(custom)
    fields["middle_name"] = fields["middle_name"] or None
    fields["salutation"] = fields["salutation"] or None
    fields["extra"] = {key: body[key] for key in EXTRA_FIELDS if body.get(key) is not None}
    for key, value in fields["extra"].items():
        if key in ("homePhone", "otherPhone"):
            _phone(body, key)
        elif key in ("otherEmail", "externalSystemUrl"):
            _text(body, key)
        elif key == "surveyOptOut" and not isinstance(value, bool):
            raise invalid(key, f"surveyOptOut must be true or false, got {value!r}.")
        elif key in ("appleOpaqueIds", "externalIds") and not isinstance(value, list):
            raise invalid(key, f"{key} must be a list, got {value!r}.")
        elif key.endswith("Id") and not isinstance(value, dict):
            raise invalid(key, f"{key} must be an object, got {value!r}.")
    return fields


def _contact(server: Server, req: MockRequest, contact_id: str | None = None) -> ExternalContact:
    contact_id = req.params["contactId"] if contact_id is None else contact_id
    contact = server.world.contacts.get(contact_id)
    if contact is None or contact.org_id != req.org_id:
        raise ApiError(404, "not.found", f"Contact {contact_id} was not found.")
    return contact


# ---------------------------------------------------------------------- writing
def _room(server: Server) -> None:
    """Refuse a new contact once the world holds ``MAX_CONTACTS`` (a merged one still counts)."""
    if len(server.world.contacts) >= MAX_CONTACTS:
        raise invalid("body", f"The org already has {MAX_CONTACTS} external contacts; delete some first.")


def create_contact(server: Server, req: MockRequest) -> MockResponse:
    fields = contact_fields(json_body(req))
    _room(server)
    now = server.clock.now()
    org = server.world.orgs.get(req.org_id or "")
    contact = ExternalContact(
        id=server.world.new_id(),
        org_id=req.org_id or "",
        create_date=now,
        modify_date=now,
        type="Curated",
        division_id=org.default_site_id if org is not None else "",
        **fields,
    )
    server.world.add_contact(contact)
    events_of(server).contact_changed(contact)
    return json_response(contact_view(contact))


def replace_contact(server: Server, req: MockRequest) -> MockResponse:
    contact = _contact(server, req)
    for attr, value in contact_fields(json_body(req)).items():
        setattr(contact, attr, value)
    contact.modify_date = server.clock.now()
    server.world.contact_changed()
    events_of(server).contact_changed(contact)
    return json_response(contact_view(contact))


def delete_contact(server: Server, req: MockRequest) -> MockResponse:
    contact = _contact(server, req)
    server.world.remove_contact(contact.id)
    events_of(server).contact_changed(contact)
    return json_response({})


# ---------------------------------------------------------------------- finding
def search_contacts(server: Server, req: MockRequest) -> MockResponse:
    """``POST /api/v2/externalcontacts/contacts/search``: "currently supports simpleSearch only"."""
    body = json_body(req)
    page_size = _whole(body, "pageSize", 25, 1, 200)
    page_number = _whole(body, "pageNumber", 1, 1, MAX_RECORDS)
    if page_size * page_number > MAX_RECORDS:
        raise invalid("pageNumber", f"pageNumber * pageSize must be <= {MAX_RECORDS}, got {page_number} * {page_size}.")
    expand = body.get("expand") or []
    if not isinstance(expand, list) or not all(isinstance(e, str) and e in EXPANDS for e in expand):
        raise invalid("expand", f"expand must be a list of {', '.join(EXPANDS)}.")
    operation = body.get("operation")
    simple = operation.get("simpleSearch") if isinstance(operation, dict) else None
    if not isinstance(simple, dict):
        raise invalid(
            "operation.simpleSearch",
            'operation must be {"simpleSearch": {"query": ..., "sortOrder": [...], "ids": [...]}}.',
        )
    query = simple.get("query") or ""
    ids = simple.get("ids") or []
    order = simple.get("sortOrder") or []
    if not isinstance(query, str):
        raise invalid("operation.simpleSearch.query", "query must be text.")
    if not isinstance(ids, list) or len(ids) > 100 or not all(isinstance(i, str) for i in ids):
        raise invalid("operation.simpleSearch.ids", "ids must be a list of at most 100 contact ids.")
    contacts = [c for c in server.world.contacts_sorted() if c.org_id == req.org_id and not c.merged_to]
    if ids:
        contacts = [c for c in contacts if c.id in set(ids)]
    words = query.lower().split()
    if words:
        contacts = [c for c in contacts if all(word in contact_text(c) for word in words)]
    if not isinstance(order, list):
        raise invalid("operation.simpleSearch.sortOrder", 'sortOrder must be a list like ["lastName:asc"].')
    for spec in reversed(order):
        attr, reverse = _sort(spec)
        contacts = sorted(contacts, key=lambda c: (getattr(c, attr) or "").lower(), reverse=reverse)
    total = len(contacts)
    start = (page_number - 1) * page_size
    return json_response(
        {
            "entities": [contact_view(c, frozenset(expand)) for c in contacts[start : start + page_size]],
            "pageSize": page_size,
            "pageNumber": page_number,
            "total": total,
            "pageCount": page_count(total, page_size),
        }
    )


def _whole(body: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid(key, f"{key} must be a whole number from {low} to {high}, got {value!r}.")
    return value


def _sort(spec: Any) -> tuple[str, bool]:
    field, _, direction = spec.partition(":") if isinstance(spec, str) else ("", "", "")
    if field not in SORT_FIELDS or (direction or "asc") not in ("asc", "desc"):
        raise invalid(
            "operation.simpleSearch.sortOrder",
            f"sortOrder entries look like firstName:asc over {', '.join(SORT_FIELDS)}; got {spec!r}.",
        )
    return SORT_FIELDS[field], direction == "desc"


def _identifier(body: dict[str, Any]) -> tuple[str, str]:
    kind, value = body.get("type"), body.get("value")
    if kind not in IDENTIFIER_TYPES:
        raise invalid("type", f"type must be one of {', '.join(IDENTIFIER_TYPES)}, got {kind!r}.")
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise invalid("value", f"value must be text of 1 to {MAX_TEXT} characters.")
    value = value.strip()
    if kind == "Phone" and not value.startswith("+"):
        raise invalid(
            "value", f'A Phone identifier needs the country code and a leading + ("+1 704 298 4733"), got {value!r}.'
        )
    return str(kind), value


def _identified(contact: ExternalContact, kind: str, value: str) -> bool:
    wanted = value.lower() if kind == "Email" else "".join(ch for ch in value if ch == "+" or ch.isdigit())
    implied: tuple[str, ...] = ()
    if kind == "Email":
        implied = (contact.work_email, contact.personal_email, str(contact.extra.get("otherEmail", "")))
    elif kind == "Phone":
        implied = (contact.cell_phone, contact.work_phone)
    stored = [i.get("value", "") for i in contact.identifiers if i.get("type") == kind]
    for candidate in (*implied, *stored):
        normal = candidate.lower() if kind == "Email" else "".join(ch for ch in candidate if ch == "+" or ch.isdigit())
        if candidate and normal == wanted:
            return True
    return False


def identifier_lookup(server: Server, req: MockRequest) -> MockResponse:
    expand = multi_param(req, "expand", EXPANDS)
    kind, value = _identifier(json_body(req))
    for contact in server.world.contacts_sorted():
        if contact.org_id == req.org_id and _identified(contact, kind, value):
            while contact.merged_to and contact.merged_to in server.world.contacts:
                contact = server.world.contacts[contact.merged_to]
            return json_response(contact_view(contact, expand))
    raise ApiError(404, "not.found", f"No contact has the {kind} identifier {value!r}.")


def get_identifiers(server: Server, req: MockRequest) -> MockResponse:
    contact = _contact(server, req)
    return json_response({"entities": contact_view(contact, frozenset({"identifiers"}))["identifiers"]})


# ---------------------------------------------------------------------- merging
def merge_contacts(server: Server, req: MockRequest) -> MockResponse:
    """``POST /api/v2/externalcontacts/contacts/merge``: 2 to 25 contacts into a new canonical one."""
    body = json_body(req)
    ids = body.get("contactIds")
    if not isinstance(ids, list) or not 2 <= len(set(ids)) <= MAX_MERGE or not all(isinstance(i, str) for i in ids):
        raise invalid("contactIds", f"contactIds must name 2 to {MAX_MERGE} different contacts.")
    sources = [_contact(server, req, contact_id) for contact_id in dict.fromkeys(ids)]
    merged = [c.id for c in sources if c.merged_to]
    if merged:
        raise invalid("contactIds", f"Contact {merged[0]} was already merged; merge its canonical contact instead.")
    latest = max(sources, key=lambda c: c.modify_date)
    override = body.get("valueOverride") or {}
    if not isinstance(override, dict):
        raise invalid("valueOverride", "valueOverride must be an ExternalContact object.")
    base = {
        key: value
        for key, value in contact_view(latest).items()
        if key in (*RECORD_FIELDS, *PHONE_FIELDS, "address", "customFields")
    }
    fields = contact_fields({**base, **{k: v for k, v in override.items() if v is not None}})
    _room(server)
    now = server.clock.now()
    canonical = ExternalContact(
        id=server.world.new_id(),
        org_id=latest.org_id,
        create_date=now,
        modify_date=now,
        type="Curated",
        division_id=latest.division_id,
        identifiers=[i for c in sources for i in c.identifiers],
        merged_from=[c.id for c in sources],
        **fields,
    )
    server.world.add_contact(canonical)
    for source in sources:
        source.merged_to = canonical.id
        source.modify_date = now
        events_of(server).contact_changed(source)
    events_of(server).contact_changed(canonical)
    return json_response(contact_view(canonical))


def merge_two(server: Server, req: MockRequest) -> MockResponse:
    """``POST /api/v2/externalcontacts/merge/contacts`` (deprecated): the source into the target."""
    body = json_body(req)
    source = _contact(server, req, _id_field(body, "sourceContactId"))
    target = _contact(server, req, _id_field(body, "targetContactId"))
    if source.id == target.id or source.merged_to or target.merged_to:
        raise invalid("sourceContactId", "Merge two different contacts that are not merged already.")
    if source.type == "Curated" and target.type == "Curated":
        raise invalid(
            "sourceContactId",
            "Two curated contacts cannot be merged; use POST /api/v2/externalcontacts/contacts/merge.",
        )
    source.merged_to = target.id
    target.merged_from.append(source.id)
    target.identifiers.extend(source.identifiers)
    target.modify_date = source.modify_date = server.clock.now()
    events_of(server).contact_changed(source)
    events_of(server).contact_changed(target)
    return json_response(contact_view(target))


def _id_field(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise invalid(key, f"{key} is required.")
    return value


# ---------------------------------------------------------------------- what the routes take (OpenAPI)
_PHONE = obj({"e164": STRING, "display": STRING})
#: The body of a create or full replace: the fields ``contact_fields`` accepts, and no others.
CONTACT_INPUT: dict[str, Any] = {
    "type": "object",
    "properties": {
        **{key: {"type": "string", "maxLength": MAX_TEXT} for key in RECORD_FIELDS},
        **{key: _PHONE for key in (*PHONE_FIELDS, "homePhone", "otherPhone")},
        **{key: {} for key in (*EXTRA_FIELDS, *READ_ONLY) if key not in ("homePhone", "otherPhone")},
        "surveyOptOut": {"type": "boolean"},
        "address": {"type": "object", "additionalProperties": STRING},
        "customFields": OBJECT,
    },
    "additionalProperties": False,
}
LOOKUP = Operation(
    "The contact an identifier (email, phone, social id...) belongs to",
    query=(EXPAND,),
    body=obj(
        {"type": {"enum": list(IDENTIFIER_TYPES)}, "value": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT}},
        "type",
        "value",
    ),
    response=CONTACT,
    errors=(404,),
)
MERGE = Operation(
    "Merge 2 to 25 contacts into a new canonical one",
    body=obj(
        {"contactIds": array(STRING, minItems=2, maxItems=MAX_MERGE), "valueOverride": CONTACT_INPUT}, "contactIds"
    ),
    response=CONTACT,
    errors=(404,),
)
SEARCH = Operation(
    "Search contacts with a simpleSearch operation",
    body=obj(
        {
            "pageSize": {"type": "integer", "minimum": 1, "maximum": 200},
            "pageNumber": {"type": "integer", "minimum": 1, "maximum": MAX_RECORDS},
            "expand": array({"enum": list(EXPANDS)}),
            "operation": obj(
                {
                    "simpleSearch": obj(
                        {
                            "query": STRING,
                            "ids": array(STRING, maxItems=100),
                            "sortOrder": array(
                                {"type": "string", "pattern": f"^({'|'.join(SORT_FIELDS)})(:(asc|desc)?)?$"}
                            ),
                        }
                    )
                },
                "simpleSearch",
            ),
        },
        "operation",
    ),
    response=page_of(CONTACT),
)
WRITE = {
    "add": ("relate:contact:add", "externalContacts:contact:add"),
    "edit": ("relate:contact:edit", "externalContacts:contact:edit"),
}
ROUTES = [
    Route(
        "POST",
        _BASE,
        "externalcontacts.create",
        create_contact,
        permissions=WRITE["add"],
        api=Operation("Create an external contact", body=CONTACT_INPUT, response=CONTACT),
    ),
    Route(
        "POST", _BASE + "/search", "externalcontacts.search.body", search_contacts, permissions=PERMISSIONS, api=SEARCH
    ),
    Route(
        "POST",
        _BASE + "/merge",
        "externalcontacts.merge",
        merge_contacts,
        permissions=("externalContacts:identity:merge",),
        api=MERGE,
    ),
    Route(
        "PUT",
        _BASE + "/{contactId}",
        "externalcontacts.update",
        replace_contact,
        permissions=WRITE["edit"],
        api=Operation("Replace a contact (a field left out is cleared)", body=CONTACT_INPUT, response=CONTACT),
    ),
    Route(
        "DELETE",
        _BASE + "/{contactId}",
        "externalcontacts.delete",
        delete_contact,
        permissions=("relate:contact:delete", "externalContacts:contact:delete"),
        api=Operation("Delete a contact", response=OBJECT),
    ),
    Route(
        "GET",
        _BASE + "/{contactId}/identifiers",
        "externalcontacts.identifiers",
        get_identifiers,
        permissions=("externalContacts:contact:view",),
        api=Operation("A contact's identifiers", response=entities_of(obj({"type": STRING, "value": STRING}))),
    ),
    Route(
        "POST",
        "/api/v2/externalcontacts/identifierlookup/contacts",
        "externalcontacts.identifierlookup",
        identifier_lookup,
        permissions=("externalContacts:contact:view",),
        api=LOOKUP,
    ),
    Route(
        "POST",
        "/api/v2/externalcontacts/identifierlookup",
        "externalcontacts.identifierlookup.legacy",
        identifier_lookup,
        permissions=PERMISSIONS,
        api=LOOKUP,
    ),
    Route(
        "POST",
        "/api/v2/externalcontacts/merge/contacts",
        "externalcontacts.merge.legacy",
        merge_two,
        permissions=("externalContacts:identity:merge",),
        api=Operation(
            "Merge a source contact into a target (deprecated)",
            body=obj({"sourceContactId": STRING, "targetContactId": STRING}, "sourceContactId", "targetContactId"),
            response=CONTACT,
            errors=(404,),
        ),
    ),
]
