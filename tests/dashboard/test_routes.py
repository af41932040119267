from __future__ import annotations

import json
import re
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.admin import openapi_document
from mockgenesys.cli import _banner, connection_facts
from mockgenesys.dashboard import ASSETS

STATIC = Path(__file__).resolve().parents[2] / "mockgenesys" / "dashboard" / "static"


@pytest.fixture
async def admin(mock: MockGenesys) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=mock.app), base_url="http://mock") as client:
        yield client


async def test_routes_page_is_served_with_a_same_origin_policy(admin: httpx.AsyncClient) -> None:
    page = await admin.get("/__admin/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<title>mockgenesys dashboard</title>" in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "unsafe" not in policy


async def test_routes_bare_admin_path_redirects_to_the_page(admin: httpx.AsyncClient) -> None:
    response = await admin.get("/__admin")
    assert response.status_code == 307 and response.headers["location"].endswith("/__admin/")


async def test_routes_serve_every_asset_with_its_type(admin: httpx.AsyncClient) -> None:
    for name in ASSETS:
        response = await admin.get(f"/__admin/assets/{name}")
        assert response.status_code == 200, name
        expected = "text/css" if name.endswith(".css") else "text/javascript"
        assert response.headers["content-type"].startswith(expected)
        assert response.content == (STATIC / name).read_bytes()


async def test_routes_unknown_asset_is_a_genesys_404_naming_the_assets(admin: httpx.AsyncClient) -> None:
    response = await admin.get("/__admin/assets/secrets.txt")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not.found" and "main.js" in body["message"]


def test_routes_the_page_loads_exactly_the_shipped_assets() -> None:
    """Every file the page or a module references is in ASSETS (a missing one would be a 404 in the browser)."""
    referenced = set(re.findall(r'(?:href|src)="assets/([^"]+)"', (STATIC / "index.html").read_text()))
    for script in STATIC.glob("*.js"):
        referenced |= set(re.findall(r'from "\./([^"]+)"', script.read_text()))
    assert referenced == set(ASSETS)
    assert {path.name for path in STATIC.iterdir()} == {*ASSETS, "index.html"}


async def test_routes_admin_token_guards_the_data_not_the_page() -> None:
    mock = MockGenesys(seed=7, clock=VirtualClock(), admin_token="s3cret")
    transport = httpx.ASGITransport(app=mock.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        assert (await client.get("/__admin/")).status_code == 200
        assert (await client.get("/__admin/assets/main.js")).status_code == 200
        for path in ("/__admin/events", "/__admin/limits", "/__admin/world/summary"):
            refused = await client.get(path)
            assert refused.status_code == 401 and refused.json()["code"] == "authentication.required", path
        allowed = await client.get("/__admin/limits", headers={"Authorization": "Bearer s3cret"})
        assert allowed.status_code == 200 and allowed.json()["running"] == 0


async def test_routes_page_stays_loopback_only() -> None:
    mock = MockGenesys(seed=7, clock=VirtualClock())
    transport = httpx.ASGITransport(app=mock.app, client=("192.0.2.7", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        response = await client.get("/__admin/")
    assert response.status_code == 403 and "loopback" in response.json()["message"]


@pytest.mark.parametrize(
    ("query", "message"),
    [("after=-1", "after must be a journal sequence number"), ("since=3", "Unknown query parameter(s) ['since']")],
)
async def test_routes_events_refuse_bad_queries(admin: httpx.AsyncClient, query: str, message: str) -> None:
    response = await admin.get(f"/__admin/events?{query}")
    assert response.status_code == 400 and message in response.json()["message"]


async def test_routes_world_summary_and_limits(mock: MockGenesys, admin: httpx.AsyncClient) -> None:
    summary = (await admin.get("/__admin/world/summary")).json()
    assert summary["orgId"] == mock.org_id and summary["totals"]["conversations"] == 5
    assert mock.client_secret not in json.dumps(summary)
    limits = (await admin.get("/__admin/limits")).json()
    assert limits["limits"]["token_per_minute"] == 300


def test_routes_openapi_lists_the_dashboard_endpoints() -> None:
    paths = openapi_document()["paths"]
    assert paths["/__admin/"]["get"]["operationId"] == "admin.dashboard"
    assert paths["/__admin/assets/{name}"]["get"]["operationId"] == "admin.dashboard.asset"
    events = paths["/__admin/events"]["get"]
    assert events["operationId"] == "admin.events" and events["parameters"][0]["name"] == "after"
    assert paths["/__admin/limits"]["get"]["operationId"] == "admin.limits"
    assert paths["/__admin/world/summary"]["get"]["operationId"] == "admin.world.summary"


@pytest.mark.live
def test_routes_events_stream_live_rows_over_a_real_server() -> None:
    mock = MockGenesys(seed=7)
    with mock.serve() as url, httpx.Client(base_url=url, timeout=10) as http:
        http.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=(mock.client_id, mock.client_secret))
        with http.stream("GET", "/__admin/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            events: list[tuple[str, dict[str, object]]] = []
            name = ""
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    name = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    events.append((name, json.loads(line.removeprefix("data: "))))
                    if name == "rows":
                        break
    assert events[0][0] == "hello"
    fields = events[0][1]["fields"]
    rows = dict(events)["rows"]["rows"]
    assert isinstance(fields, list) and isinstance(rows, list)
    assert rows[0][fields.index("endpoint")] == "oauth.token" and rows[0][fields.index("status")] == 200


@pytest.mark.live
def test_routes_events_stream_ends_cleanly_when_the_server_stops() -> None:
    mock = MockGenesys(seed=7)
    outcome: list[object] = []
    started = threading.Event()

    def read(url: str) -> None:
        try:
            with httpx.Client(base_url=url, timeout=10) as http, http.stream("GET", "/__admin/events") as stream:
                for _ in stream.iter_lines():
                    started.set()
                outcome.append("ended")
        except httpx.HTTPError as exc:  # a cancelled stream: the chunked body never ends
            outcome.append(exc)

    with mock.serve() as url:
        reader = threading.Thread(target=read, args=(url,))
        reader.start()
        assert started.wait(10)
    reader.join(10)
    assert outcome == ["ended"]


def test_routes_serve_banner_prints_the_dashboard_url(mock: MockGenesys) -> None:
    banner = _banner(connection_facts(mock, "http://127.0.0.1:8765"))
    assert "  dashboard         http://127.0.0.1:8765/__admin/\n" in banner
