"""The fixtures give every test a world equal to a freshly generated one, whatever the test before did."""

from __future__ import annotations

import pytest

CHANGE_EVERYTHING = """
import httpx
from mockgenesys import MockGenesys, VirtualClock, World

BASE = "https://api.mypurecloud.com"


def change_everything(mock, http):
    token = http.post("/oauth/token", data={"grant_type": "client_credentials"},
                      auth=(mock.client_id, mock.client_secret)).json()["access_token"]
    auth = {"Authorization": "Bearer " + token}
    conversation = next(iter(mock.world.conversations.values()))
    for _ in range(35):  # past 30 per second on history: a 429 and a full rate-limit window
        http.get(f"/api/v2/conversations/messaging/{conversation.id}/messages", headers=auth)
    http.post(f"/api/v2/webmessaging/organizations/{mock.org_id}/sessions", headers=auth, json={"channel": "web"})
    contact = next(iter(mock.world.contacts.values()))
    contact.address["city"] = "Changed"
    conversation.messages[0].metadata["k"] = "v"
    conversation.messages.pop()
    mock.world.default_client.permissions.append("extra")
    mock.add_contact(firstName="Added")
    mock.add_conversation(messages=["new"])
    mock.add_fault({"match": {"endpoint": "oauth.token"}, "then": {"status": 503}})
    mock.clock.advance(600)


def probe(mock, http):
    token = http.post("/oauth/token", data={"grant_type": "client_credentials"},
                      auth=(mock.client_id, mock.client_secret))
    auth = {"Authorization": "Bearer " + token.json()["access_token"]}
    conversation = next(iter(mock.world.conversations))
    contact = next(iter(mock.world.contacts))
    answers = [token]
    for path in ("/api/v2/organizations/me", f"/api/v2/externalcontacts/contacts/{contact}",
                 f"/api/v2/conversations/messaging/{conversation}/messages",
                 f"/api/v2/conversations/messages/{conversation}", "/api/v2/externalcontacts/contacts/nope"):
        answers.append(http.get(path, headers=auth))
    # The HTTP server's own Date header is the wall clock, not the world, and access tokens are
    # random per mock (secrets are never derived from the seed): everything else must match.
    secret = token.json()["access_token"].encode()
    return [
        (a.status_code, [h for h in a.headers.raw if h[0].lower() != b"date"], a.content.replace(secret, b"<token>"))
        for a in answers
    ]
"""


def test_genesys_mock_after_a_test_that_changed_everything(project: pytest.Pytester) -> None:
    project.makepyfile(
        helpers=CHANGE_EVERYTHING,
        test_isolated_mock="""
        import httpx
        from mockgenesys import MockGenesys, VirtualClock, World
        from helpers import BASE, change_everything, probe

        def test_a_changes_everything(genesys_mock):
            with httpx.Client(transport=genesys_mock.transport(), base_url=BASE) as http:
                change_everything(genesys_mock, http)

        def test_b_gets_a_world_equal_to_a_fresh_one(genesys_mock):
            reference = MockGenesys(seed=0, clock=VirtualClock(), world=World.generate(0))
            assert genesys_mock.world.snapshot_json() == reference.world.snapshot_json()
            with httpx.Client(transport=genesys_mock.transport(), base_url=BASE) as http:
                got = probe(genesys_mock, http)
            with httpx.Client(transport=reference.transport(), base_url=BASE) as http:
                assert got == probe(reference, http)
        """,
    )
    project.runpytest().assert_outcomes(passed=2)


def test_genesys_server_after_a_test_that_changed_everything(project: pytest.Pytester) -> None:
    project.makepyfile(
        helpers=CHANGE_EVERYTHING,
        test_server="""
        import httpx
        from mockgenesys import World
        from helpers import change_everything, probe

        def test_a_changes_everything(genesys_server):
            with httpx.Client(base_url=genesys_server.url) as http:
                change_everything(genesys_server.mock, http)

        def test_b_gets_a_world_equal_to_a_fresh_one(genesys_server, make_genesys_server):
            assert len(genesys_server.mock.journal) == 0 and len(genesys_server.mock.faults) == 0
            assert genesys_server.mock.world.snapshot_json() == World.generate(0).snapshot_json()
            reference = make_genesys_server(seed=0)  # started just now, never used
            with httpx.Client(base_url=genesys_server.url) as http:
                got = probe(genesys_server.mock, http)
            with httpx.Client(base_url=reference.url) as http:
                assert got == probe(reference.mock, http)
        """,
    )
    project.runpytest().assert_outcomes(passed=2)


def test_xdist_workers_generate_a_seed_once_each(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import os, pytest
        from mockgenesys.world.template import cache_info

        @pytest.mark.parametrize("n", range(6))
        def test_fresh(genesys_mock, n):
            genesys_mock.world.contacts.clear()
            worker = os.environ["PYTEST_XDIST_WORKER"]
            with open(f"generations-{worker}-{n}.txt", "w") as out:
                out.write(str(cache_info()["generations"]))
        """
    )
    quiet = ["-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:faker"]
    project.runpytest_subprocess("-n", "2", *quiet).assert_outcomes(passed=6)
    counts = {path.name.split("-")[1]: set() for path in project.path.glob("generations-*.txt")}
    for path in project.path.glob("generations-*.txt"):
        counts[path.name.split("-")[1]].add(path.read_text())
    assert sorted(counts) == ["gw0", "gw1"] and all(seen == {"1"} for seen in counts.values())


def test_fixtures_let_go_of_a_test_s_mock_after_the_test(project: pytest.Pytester) -> None:
    # Every item lives until the session ends: a mock it kept would stay alive for thousands of tests.
    project.makepyfile(
        """
        import gc, weakref

        SEEN = []

        def test_a_uses_both(genesys_mock, genesys_server):
            SEEN.extend([weakref.ref(genesys_mock), weakref.ref(genesys_server.mock.journal)])

        def test_b_finds_the_first_mock_gone(request):
            gc.collect()
            assert SEEN[0]() is None
            assert SEEN[1]() is not None  # the shared live server stays for the next test
        """
    )
    project.runpytest().assert_outcomes(passed=2)
