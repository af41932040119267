from __future__ import annotations

import pytest

STORM = (
    '[{"match": {"endpoint": "externalcontacts.search"}, "when": {"times": 1}, '
    '"then": {"status": 429, "retry_after": 30}}]'
)

IMPATIENT = f"""
import httpx, pytest

def search_twice(mock):
    bearer = {{"Authorization": "Bearer " + mock.issue_token()}}
    with httpx.Client(transport=mock.transport(), base_url="https://api.mypurecloud.com", headers=bearer) as http:
        return [http.get("/api/v2/externalcontacts/contacts").status_code for _ in range(2)]

@pytest.mark.genesys(strict=True, faults={STORM})
def test_impatient_client(genesys_mock):
    assert search_twice(genesys_mock) == [429, 200]

@pytest.mark.genesys(faults={STORM})
def test_not_strict(genesys_mock):
    assert search_twice(genesys_mock) == [429, 200]

@pytest.mark.genesys(strict=True, faults={STORM})
def test_patient_client(genesys_mock):
    bearer = {{"Authorization": "Bearer " + genesys_mock.issue_token()}}
    with httpx.Client(transport=genesys_mock.transport(), base_url="https://api.mypurecloud.com", headers=bearer) as http:
        assert http.get("/api/v2/externalcontacts/contacts").status_code == 429
        genesys_mock.clock.advance(30)
        assert http.get("/api/v2/externalcontacts/contacts").status_code == 200

@pytest.mark.genesys(strict=True, faults={STORM})
def test_live_impatient_client(genesys_server):
    bearer = {{"Authorization": "Bearer " + genesys_server.mock.issue_token()}}
    codes = [httpx.get(genesys_server.url + "/api/v2/externalcontacts/contacts", headers=bearer).status_code
             for _ in range(2)]
    assert codes == [429, 200]
"""


def test_strict_marker_fails_a_passing_test_with_the_conformance_report(project: pytest.Pytester) -> None:
    project.makepyfile(IMPATIENT)
    result = project.runpytest("-rf")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ test_impatient_client _*",
            "mockgenesys: the test passed, but genesys(strict=True) found conformance violations.",
            "Conformance: 1 violation(s) in 2 journal entries:",
            "[[]retry_after[]] externalcontacts.search was called 30.0 s before the Retry-After of 30 s given by #1*",
            "*#1 t=* GET /api/v2/externalcontacts/contacts [[]externalcontacts.search[]] -> 429*",
            "*#2 t=* GET /api/v2/externalcontacts/contacts [[]externalcontacts.search[]] -> 200*",
            "*- mockgenesys -*",
            "seed=0 clock=VirtualClock(*)",
            'fault rules: [[]{"id": "rule-1", "match": {"endpoint": "externalcontacts.search"}*',
            "journal: 2 entries, last 2:",
            "*_ test_live_impatient_client _*",
            "*[[]retry_after[]]*",
        ]
    )
    result.stdout.fnmatch_lines(["FAILED *::test_impatient_client*", "FAILED *::test_live_impatient_client*"])


def test_failing_test_shows_the_mock_section(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import httpx, pytest

        @pytest.mark.genesys(seed=42, faults=[{"match": {"endpoint": "organizations.me"}, "then": {"status": 503}}])
        def test_org(genesys_mock):
            bearer = {"Authorization": "Bearer " + genesys_mock.issue_token()}
            with httpx.Client(transport=genesys_mock.transport(), base_url="https://api.mypurecloud.com") as http:
                assert http.get("/api/v2/organizations/me", headers=bearer).status_code == 200
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E  *assert 503 == 200*",
            "*- mockgenesys -*",
            "seed=42 clock=VirtualClock(*)",
            'fault rules: [[]{"id": "rule-1", "match": {"endpoint": "organizations.me"}, "then": {"status": 503}}[]]',
            "Conformance: OK (1 journal entries checked).",
            "journal: 1 entries, last 1:",
            "  #1 t=* GET /api/v2/organizations/me [[]organizations.me[]] -> 503 * by fp:*",
        ]
    )


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("genesys(7)", "@pytest.mark.genesys takes keyword arguments only*write e.g. @pytest.mark.genesys(seed=7)."),
        ("genesys(sead=7)", "@pytest.mark.genesys got unknown argument(s) sead; valid: seed, faults, scenario*"),
        ("genesys(seed=-1)", "genesys(seed=...) must be a whole number >= 0, got -1."),
        ("genesys(faults='x')", "genesys(faults=...) must be a list of fault rules*"),
        (
            "genesys(faults=[{'then': {'status': 'soon'}}])",
            "genesys(faults=...) has an invalid rule: then.status: must be a whole number from 100 to 599, got 'soon'",
        ),
        ("genesys(strict='yes')", "genesys(strict=...) must be True or False, got 'yes'."),
        ("genesys(limits={'nope': 1})", "genesys(limits=...): Unknown rate limit(s) [[]'nope'[]]; valid names:*"),
        ("genesys(limits=5)", "genesys(limits=...) must be a dict of rate limits*"),
        ("genesys(scenario='missing.yaml')", "genesys(scenario='missing.yaml'): no such file*"),
    ],
)
def test_bad_marker_arguments_error_with_a_fix(project: pytest.Pytester, marker: str, message: str) -> None:
    project.makepyfile(
        f"""
        import pytest

        @pytest.mark.{marker}
        def test_mock(genesys_mock):
            pass

        @pytest.mark.{marker}
        def test_server(genesys_server):
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*ERROR at setup of test_mock*", message, "*ERROR at setup of test_server*", message])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_scenario_file_installs_its_fault_rules(project: pytest.Pytester) -> None:
    project.mkdir("faults")
    project.path.joinpath("faults", "storm.yaml").write_text(
        "- match: {endpoint: oauth.token}\n  when: {times: 2}\n  then: {status: 503}\n"
    )
    project.makepyfile(
        """
        import pytest

        @pytest.mark.genesys(scenario="faults/storm.yaml", faults=[{"then": {"status": 418}}])
        def test_scenario(genesys_mock):
            rules = genesys_mock.faults.to_list()
            assert [r["then"]["status"] for r in rules] == [503, 418]
            assert rules[0]["when"] == {"times": 2}
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_scenario_name_installs_the_chaos_scenarios_fault_timeline(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest

        @pytest.mark.genesys(scenario="storm-429-retry-after")
        def test_builtin(genesys_mock):
            rules = genesys_mock.faults.to_list()
            assert [r["match"]["endpoint"] for r in rules] == ["guest.ws.onMessage", "webmessaging.messages"]
            assert {r["when"]["start"] for r in rules} == {4.0}  # armed at 4 s in the timeline
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_scenario_file_with_a_timeline_arms_faults_at_their_time(project: pytest.Pytester) -> None:
    project.path.joinpath("chaos.yaml").write_text(
        "name: mine\n"
        "timeline:\n"
        "  - at: 10\n"
        "    fault: {match: {endpoint: organizations.me}, then: {status: 503}}\n"
        "  - at: 20\n"
        "    fault: {match: {endpoint: oauth.token}, when: {end: 15}, then: {status: 503}}\n"
        "  - at: 30\n"
        "    advance: 5\n"
    )
    project.makepyfile(
        """
        import httpx, pytest

        @pytest.mark.genesys(scenario="chaos.yaml")
        def test_timeline(genesys_mock):
            assert [r["match"]["endpoint"] for r in genesys_mock.faults.to_list()] == ["organizations.me"]
            bearer = {"Authorization": "Bearer " + genesys_mock.issue_token()}
            with httpx.Client(transport=genesys_mock.transport(), base_url="https://api.mypurecloud.com") as http:
                before = http.get("/api/v2/organizations/me", headers=bearer).status_code
                genesys_mock.clock.advance(10)
                after = http.get("/api/v2/organizations/me", headers=bearer).status_code
            assert (before, after) == (200, 503)
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_unknown_scenario_name_lists_the_fix(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest

        @pytest.mark.genesys(scenario="no-such-scenario")
        def test_unknown(genesys_mock):
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "genesys(scenario='no-such-scenario'): no-such-scenario: no built-in scenario of that name; known: *"
            "storm-429-retry-after* Pass a built-in scenario name or a path to a YAML/JSON file*"
        ]
    )


SEED_CALLS = """
import httpx, pytest

def seed_history(mock):
    bearer = {"Authorization": "Bearer " + mock.issue_token()}
    cid = next(iter(mock.world.conversations))
    with httpx.Client(transport=mock.transport(), base_url="https://api.mypurecloud.com", headers=bearer) as http:
        return http.get(f"/api/v2/conversations/messaging/{cid}/messages").status_code

@pytest.mark.genesys(strict=True)
def test_both_dialects(genesys_mock):
    assert genesys_mock.dialect == "both" and seed_history(genesys_mock) == 200

@pytest.mark.genesys(strict=True, dialect="real")
def test_real_dialect(genesys_mock):
    assert seed_history(genesys_mock) == 404

@pytest.mark.genesys(dialect="genesys")
def test_bad_dialect(genesys_mock):
    pass
"""


def test_dialect_marker_real_makes_strict_fail_on_seed_paths(project: pytest.Pytester) -> None:
    project.makepyfile(SEED_CALLS)
    result = project.runpytest("-rfE")
    result.assert_outcomes(passed=1, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*[[]nonexistent_endpoint[]] called an endpoint that does not exist on Genesys Cloud: GET /api/v2/conv*"]
    )
    result.stdout.fnmatch_lines(["*genesys(dialect=...) must be one of 'real', 'seed', 'both', got 'genesys'*"])


def test_strict_fails_a_test_whose_fault_rule_never_fired(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import httpx, pytest

        NEVER = {"match": {"endpoint": "externalcontacts.search", "method": "GET"}, "then": {"status": 503}}
        LATE = {"match": {"endpoint": "organizations.me"}, "when": {"after": 5}, "then": {"status": 503}}

        @pytest.mark.genesys(strict=True, faults=[NEVER, LATE])
        def test_fault_never_exercised(genesys_mock):
            bearer = {"Authorization": "Bearer " + genesys_mock.issue_token()}
            with httpx.Client(transport=genesys_mock.transport(), base_url="https://api.mypurecloud.com") as http:
                assert http.get("/api/v2/organizations/me", headers=bearer).status_code == 200

        @pytest.mark.genesys(faults=[NEVER])
        def test_not_strict_passes(genesys_mock):
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "mockgenesys: the test passed, but genesys(strict=True) found 2 fault rule(s) that never fired, "
            "so the test never exercised them:",
            "  rule-1 never fired: matched 0 time(s); no request or frame matched it (check endpoint, method, "
            'principal, action): {"match": {"endpoint": "externalcontacts.search", "method": "GET"}*',
            "  rule-2 never fired: matched 1 time(s); its when (after, every, probability, start/end) never came due*",
        ]
    )


@pytest.mark.parametrize(
    ("faults", "says"),
    [
        ('[{"match": {"endpoint": "oauht.token"}, "then": {"status": 503}}]', "did you mean 'oauth.token'?"),
        ('[{"match": {"endpoint": "organization.me"}, "then": {"status": 503}}]', "did you mean 'organizations.me'?"),
        ('[{"match": {"action": "onMesage"}, "then": {"status": 503}}]', "did you mean 'onMessage'?"),
    ],
)
def test_marker_refuses_a_rule_that_could_never_fire(project: pytest.Pytester, faults: str, says: str) -> None:
    project.makepyfile(
        f"""
        import pytest

        @pytest.mark.genesys(strict=True, faults={faults})
        def test_typo(genesys_mock):
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*genesys(faults=...) has an invalid rule: match.*{says}*"])
    result.stdout.no_fnmatch_line("*Traceback*")
