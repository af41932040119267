from __future__ import annotations

import httpx
import pytest

from mockgenesys import MockGenesys


def search(http: httpx.Client, auth: dict[str, str], **params: object) -> httpx.Response:
    return http.get("/api/v2/externalcontacts/contacts", headers=auth, params=params)


def test_contact_get_shape_and_expand(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    contact = next(iter(mock.world.contacts.values()))
    body = http.get(f"/api/v2/externalcontacts/contacts/{contact.id}", headers=auth).json()
    assert body["id"] == contact.id and body["firstName"] == contact.first_name and body["type"] == "Curated"
    assert body["workPhone"]["e164"].startswith("+1")
    assert body["selfUri"] == f"/api/v2/externalcontacts/contacts/{contact.id}"
    assert "identifiers" not in body
    expanded = http.get(
        f"/api/v2/externalcontacts/contacts/{contact.id}", headers=auth, params={"expand": "identifiers,division"}
    ).json()
    assert {i["type"] for i in expanded["identifiers"]} == {"Email", "Phone"}
    assert expanded["division"]["name"] == "Home"


def test_contact_unknown_is_404(http: httpx.Client, auth: dict[str, str]) -> None:
    response = http.get("/api/v2/externalcontacts/contacts/nope", headers=auth)
    assert response.status_code == 404 and response.json()["code"] == "not.found"


def test_search_pages_through_all_contacts(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    first = search(http, auth).json()
    assert first["pageSize"] == 20 and first["total"] == 40 and first["pageCount"] == 2
    assert "nextUri" in first and "previousUri" not in first
    second = search(http, auth, pageNumber=2).json()
    assert "nextUri" not in second and "previousUri" in second
    ids = [c["id"] for c in first["entities"] + second["entities"]]
    assert sorted(ids) == sorted(mock.world.contacts)


def test_search_q_matches_words(mock: MockGenesys, http: httpx.Client, auth: dict[str, str]) -> None:
    contact = next(iter(mock.world.contacts.values()))
    body = search(http, auth, q=f"{contact.first_name} {contact.last_name}".upper()).json()
    assert contact.id in [c["id"] for c in body["entities"]]
    assert search(http, auth, q="zzzz-no-such-person").json()["total"] == 0


def test_search_sort_order(http: httpx.Client, auth: dict[str, str]) -> None:
    names = [
        c["firstName"].lower() for c in search(http, auth, sortOrder="firstName:desc", pageSize=40).json()["entities"]
    ]
    assert names == sorted(names, reverse=True)


def test_search_record_cap(http: httpx.Client, auth: dict[str, str]) -> None:
    assert search(http, auth, pageSize=200, pageNumber=5).status_code == 200
    capped = search(http, auth, pageSize=200, pageNumber=6)
    assert capped.status_code == 400
    assert "first 1000 records" in capped.json()["message"]


@pytest.mark.parametrize("params", [{"pageSize": 201}, {"pageNumber": -1}, {"sortOrder": "email:asc"}, {"expand": "x"}])
def test_search_bad_params(http: httpx.Client, auth: dict[str, str], params: dict[str, object]) -> None:
    assert search(http, auth, **params).json()["code"] == "invalid.value"
