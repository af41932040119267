"""``serve --workers N``: shards with ids of their own, and ``/__admin`` answering for all of them."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockgenesys import MockGenesys
from mockgenesys.cluster import ShardMock, merge_checks, merge_worlds, shared_secrets
from mockgenesys.journal import fingerprint
from mockgenesys.load import GuestSession, Ledger
from mockgenesys.server import jwt

EXE = str(Path(sys.executable).parent / "mockgenesys")


def test_cluster_shards_share_the_world_but_never_an_id() -> None:
    zero, one = ShardMock(shard=0, seed=4), ShardMock(shard=1, seed=4)
    plain = MockGenesys(seed=4)
    assert (zero.org_id, zero.deployment_id, zero.client_id) == (one.org_id, one.deployment_id, one.client_id)
    assert zero.world.new_id() == plain.world.new_id()  # worker 0 is the plain mock
    assert one.add_conversation().id != zero.add_conversation().id
    one.reset()
    assert one.world.new_id() != MockGenesys(seed=4).world.new_id()
    one.load_world(plain.world.snapshot())
    assert one.world.new_id() != plain.world.new_id()


def test_cluster_workers_share_one_jwt_key_so_a_jwt_verifies_on_every_worker() -> None:
    options = shared_secrets({"seed": 4})
    assert isinstance(options["jwt_secret"], str) and len(options["jwt_secret"]) >= 32
    assert shared_secrets({"seed": 4})["jwt_secret"] != options["jwt_secret"]  # random per cluster run
    zero, one = ShardMock(shard=0, **options), ShardMock(shard=1, **options)
    issued = zero.guest_jwt()
    assert one.server.state.jwt_key == zero.server.state.jwt_key
    assert jwt.read(issued, one.server.state.jwt_key) is not None
    # Without a shared secret each process draws its own key: the other worker refuses the JWT.
    assert jwt.read(issued, ShardMock(shard=1, seed=4).server.state.jwt_key) is None
    # Given secrets pass through; deterministic secrets stay unguessable across workers' tokens.
    assert shared_secrets({"jwt_secret": "s"})["jwt_secret"] == "s"
    assert shared_secrets({"deterministic_secrets": True}).get("jwt_secret") is None
    det = [ShardMock(shard=n, seed=4, deterministic_secrets=True) for n in (0, 1)]
    assert det[0].server.state.jwt_key == det[1].server.state.jwt_key
    assert det[0].world.new_token() != det[1].world.new_token()


def test_cluster_merges_worlds_and_conformance_reports() -> None:
    base = {"orgs": [1], "conversations": [{"id": "a"}], "guest_sessions": [{"id": "g0"}], "seed_sessions": []}
    other = {"orgs": [1], "conversations": [{"id": "a"}, {"id": "b"}], "guest_sessions": [{"id": "g1"}]}
    merged = merge_worlds([base, other])
    assert [c["id"] for c in merged["conversations"]] == ["a", "b"] and len(merged["guest_sessions"]) == 2
    report = merge_checks(
        [
            {"ok": True, "checked": 3, "violations": [], "notices": []},
            {"ok": False, "checked": 2, "violations": [{"rule": "r"}], "notices": [{"rule": "n"}]},
        ]
    )
    assert report == {"ok": False, "checked": 5, "violations": [{"rule": "r"}], "notices": [{"rule": "n"}]}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    info = tmp_path_factory.mktemp("cluster") / "info.json"
    proc = subprocess.Popen([EXE, "serve", "--port", "0", "--workers", "2", "--quiet", "--info-file", str(info)])
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert info.exists(), "the cluster did not start"
        facts = json.loads(info.read_text())
        yield {**facts, "proc": proc}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def _guest(url: str, deployment: str, prefix: str, http: httpx.Client) -> GuestSession:
    def get(path: str, params: dict[str, Any], headers: dict[str, str], name: str) -> tuple[int, Any]:
        response = http.get(url + path, params=params, headers=headers)
        return response.status_code, response.json() if response.status_code == 200 else None

    def record(*_: Any, **__: Any) -> None:
        pass

    return GuestSession(url, deployment, prefix, ledger=Ledger(), record=record, http_get=get, timeout=5)


@pytest.mark.live
def test_cluster_admin_answers_for_every_worker(cluster: dict[str, Any]) -> None:
    front, workers = cluster["base_url"], cluster["workers"]
    assert workers[0] == front and len(workers) == 2 and workers[1] != front
    with httpx.Client(base_url=front) as admin, httpx.Client() as http:
        assert [w["base_url"] for w in admin.get("/__admin/workers").json()["workers"]] == workers
        since = max((json.loads(line)["seq"] for line in admin.get("/__admin/journal").text.splitlines()), default=0)
        guests = [_guest(url, cluster["deployment_id"], f"load c g{n}", http) for n, url in enumerate(workers)]
        for guest in guests:
            guest.start()
            assert guest.send()
        world = admin.get("/__admin/world").json()
        texts = [m["text"] for c in world["conversations"] for m in c["messages"]]
        assert "load c g0 m0" in texts and "load c g1 m0" in texts and len(world["guest_sessions"]) >= 2
        rows = [json.loads(line) for line in admin.get("/__admin/journal", params={"since": since}).text.splitlines()]
        sends = [r for r in rows if r["endpoint"] == "guest.ws.onMessage"]
        assert len(sends) == 2 and {r["seq"] % 2 for r in sends} == {0, 1}  # one send on each worker
        assert len({r["seq"] for r in rows}) == len(rows) and all(r["seq"] > since for r in rows)
        connections = admin.get("/__admin/connections").json()["sessions"]
        assert len(connections) >= 2
        # A fault rule installed at the front fires on every worker.
        assert (
            admin.post(
                "/__admin/faults", json={"match": {"endpoint": "organizations.me"}, "then": {"status": 503}}
            ).status_code
            == 201
        )
        assert [http.get(url + "/api/v2/organizations/me").status_code for url in workers] == [503, 503]
        assert admin.delete("/__admin/faults").status_code == 204
        assert httpx.get(workers[1] + "/__admin/faults").json() == {"faults": []}
        # Dropping a guest reaches the worker that holds its socket.
        other = guests[1]
        assert all("token" not in s for s in world["guest_sessions"])  # secrets leave as fingerprints only
        session = next(s["id"] for s in world["guest_sessions"] if s["token_fingerprint"] == fingerprint(other.token))
        assert admin.post("/__admin/guests/drop", json={"sessions": [session]}).json() == {"dropped": 1}
        missing = admin.post("/__admin/guests/drop", json={"sessions": ["nope"]})
        assert missing.status_code == 404 and "No guest session 'nope'" in missing.json()["message"]
        assert other.send()  # resumed on its own worker, exactly once
        # Occupying a session reaches the worker that holds it, and so does releasing it.
        occupied = admin.post("/__admin/guests/occupy", json={"session": session, "count": 1})
        assert occupied.status_code == 201 and occupied.json()["occupation"].startswith("w1-")
        assert admin.get("/__admin/connections").json()["sessions"][session] == 2
        assert admin.delete("/__admin/guests/occupy/" + occupied.json()["occupation"]).status_code == 204
        assert admin.delete("/__admin/guests/occupy/w9-occupation-1").status_code == 404
        # Deep JSON or a huge body at the front answers in Genesys shape, never a plain 500.
        deep = admin.post("/__admin/guests/drop", content=b"[" * 100_000, headers={"content-type": "application/json"})
        assert deep.status_code == 400 and deep.json()["status"] == 400
        report = admin.get("/__admin/check").json()
        assert report["checked"] >= len(rows)
        assert admin.post("/__admin/clock/advance", json={"seconds": -1}).status_code == 400
        for guest in guests:
            guest.close()


async def test_cluster_front_asks_for_the_admin_token_on_its_own_answers_too() -> None:
    from mockgenesys.cluster.front import ClusterFront

    front = ClusterFront(MockGenesys(seed=1, admin_token="sesame"), peers=[])
    front.urls = ["http://127.0.0.1:1"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=front), base_url="http://127.0.0.1") as admin:
        refused = await admin.get("/__admin/workers")
        allowed = await admin.get("/__admin/workers", headers={"Authorization": "Bearer sesame"})
    assert refused.status_code == 401 and refused.json()["code"] == "authentication.required"
    assert allowed.status_code == 200 and allowed.json()["workers"] == [{"index": 0, "base_url": "http://127.0.0.1:1"}]
