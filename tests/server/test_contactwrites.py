"""External contacts written and found: create, replace, delete, search, lookup, merge."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockgenesys import MockGenesys

CONTACTS = "/api/v2/externalcontacts/contacts"
ZED: dict[str, Any] = {
    "firstName": "Zed",
    "lastName": "Zulu",
    "workEmail": "zed@zulu.example",
    "cellPhone": {"e164": "+13175550199"},
    "homePhone": {"e164": "+13175550100"},
    "address": {"city": "Indianapolis"},
}


def create(http: httpx.Client, auth: dict[str, str], body: dict[str, Any] = ZED) -> dict[str, Any]:
    response = http.post(CONTACTS, headers=auth, json=body)
    assert response.status_code == 200, response.text
    made: dict[str, Any] = response.json()
    return made


def test_contactwrites_create_then_get_shows_every_field(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = create(http, auth)
    got = http.get(f"{CONTACTS}/{made['id']}", headers=auth).json()
    assert (got["firstName"], got["type"], got["homePhone"], got["cellPhone"]["e164"]) == (
        "Zed",
        "Curated",
        {"e164": "+13175550100"},
        "+13175550199",
    )
    assert mock.world.contacts[made["id"]].address == {"city": "Indianapolis"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "nobody"}, "firstName"),
        ({"firstName": "A", "workEmail": "not-an-email"}, "workEmail"),
        ({"firstName": "A", "cellPhone": "+1317"}, "cellPhone"),
        ({"firstName": "A", "fristName": "typo"}, "fristName"),
        ({"firstName": "A" * 256}, "firstName"),
    ],
)
def test_contactwrites_bad_bodies_name_the_field(
    http: httpx.Client, auth: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = http.post(CONTACTS, headers=auth, json=body)
    assert response.status_code == 400 and response.json()["details"][0]["fieldName"] == field


def test_contactwrites_put_replaces_and_delete_removes(http: httpx.Client, auth: dict[str, str]) -> None:
    made = create(http, auth)
    replaced = http.put(f"{CONTACTS}/{made['id']}", headers=auth, json={**made, "title": "Boss", "homePhone": None})
    assert replaced.status_code == 200
    assert replaced.json()["title"] == "Boss" and "homePhone" not in replaced.json()
    assert http.delete(f"{CONTACTS}/{made['id']}", headers=auth).json() == {}
    assert http.get(f"{CONTACTS}/{made['id']}", headers=auth).status_code == 404


def test_contactwrites_writes_need_their_permission(mock: MockGenesys, http: httpx.Client) -> None:
    reader = mock.world.add_client(permissions=["externalContacts:contact:view"])
    response = http.post(CONTACTS, headers={"Authorization": f"Bearer {mock.issue_token(reader.id)}"}, json=ZED)
    assert response.status_code == 403 and "externalContacts:contact:add" in response.json()["message"]


def test_contactwrites_search_by_body_queries_sorts_and_pages(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = create(http, auth)
    body = {"pageSize": 5, "operation": {"simpleSearch": {"query": "zed zulu"}}}
    found = http.post(f"{CONTACTS}/search", headers=auth, json=body).json()
    assert [c["id"] for c in found["entities"]] == [made["id"]] and found["total"] == 1
    ordered = http.post(
        f"{CONTACTS}/search",
        headers=auth,
        json={"pageSize": 200, "operation": {"simpleSearch": {"sortOrder": ["firstName:desc"]}}},
    ).json()
    names = [c["firstName"].lower() for c in ordered["entities"]]
    assert names == sorted(names, reverse=True) and ordered["total"] == len(mock.world.contacts)
    capped = http.post(
        f"{CONTACTS}/search", headers=auth, json={"pageSize": 200, "pageNumber": 6, "operation": {"simpleSearch": {}}}
    )
    assert capped.status_code == 400 and capped.json()["details"][0]["fieldName"] == "pageNumber"


def test_contactwrites_identifier_lookup_finds_by_email_and_phone(http: httpx.Client, auth: dict[str, str]) -> None:
    made = create(http, auth)
    lookup = "/api/v2/externalcontacts/identifierlookup/contacts"
    assert (
        http.post(lookup, headers=auth, json={"type": "Email", "value": "ZED@zulu.example"}).json()["id"] == made["id"]
    )
    assert (
        http.post(lookup, headers=auth, json={"type": "Phone", "value": "+1 317 555 0199"}).json()["id"] == made["id"]
    )
    assert http.post(lookup, headers=auth, json={"type": "Phone", "value": "317 555 0199"}).status_code == 400
    assert http.post(lookup, headers=auth, json={"type": "Email", "value": "no@one.example"}).status_code == 404
    legacy = http.post(
        "/api/v2/externalcontacts/identifierlookup", headers=auth, json={"type": "Email", "value": "zed@zulu.example"}
    )
    assert legacy.json()["id"] == made["id"]


def test_contactwrites_merge_makes_a_canonical_contact(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    first = create(http, auth)
    mock.clock.advance(1)
    second = create(http, auth, {"firstName": "Zedd", "lastName": "Zulu"})
    merged = http.post(
        f"{CONTACTS}/merge",
        headers=auth,
        json={"contactIds": [first["id"], second["id"]], "valueOverride": {"title": "CEO"}},
    ).json()
    assert {c["id"] for c in merged["mergedFrom"]} == {first["id"], second["id"]} and merged["title"] == "CEO"
    assert merged["firstName"] == "Zedd"  # the most recently modified contact's values
    old = http.get(f"{CONTACTS}/{first['id']}", headers=auth).json()
    assert old["mergedTo"]["id"] == merged["id"]
    lookup = http.post(
        "/api/v2/externalcontacts/identifierlookup/contacts",
        headers=auth,
        json={"type": "Email", "value": "zed@zulu.example"},
    )
    assert lookup.json()["id"] == merged["id"]  # a merged contact leads to its canonical one
    again = http.post(f"{CONTACTS}/merge", headers=auth, json={"contactIds": [first["id"], merged["id"]]})
    assert again.status_code == 400
    assert http.post(f"{CONTACTS}/merge", headers=auth, json={"contactIds": [first["id"]]}).status_code == 400


def test_contactwrites_legacy_merge_refuses_two_curated_contacts(
    mock: MockGenesys, http: httpx.Client, auth: dict[str, str]
) -> None:
    first, second = create(http, auth), create(http, auth)
    body = {"sourceContactId": first["id"], "targetContactId": second["id"]}
    refused = http.post("/api/v2/externalcontacts/merge/contacts", headers=auth, json=body)
    assert refused.status_code == 400 and "curated" in refused.json()["message"]
    mock.world.contacts[first["id"]].type = "Ephemeral"
    target = http.post("/api/v2/externalcontacts/merge/contacts", headers=auth, json=body).json()
    assert target["id"] == second["id"] and target["mergedFrom"][0]["id"] == first["id"]
