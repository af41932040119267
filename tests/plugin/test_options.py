from __future__ import annotations

import json

import pytest


def test_report_header_shows_the_effective_settings(project: pytest.Pytester) -> None:
    project.makepyfile("def test_nothing():\n    pass\n")
    project.runpytest().stdout.fnmatch_lines(["mockgenesys: seed=0 (default), report=off"])
    result = project.runpytest("--genesys-seed", "12", "--genesys-report", "out")
    result.stdout.fnmatch_lines([f"mockgenesys: seed=12 (--genesys-seed), report={project.path / 'out'}"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--genesys-seed", "seven"],
            "*--genesys-seed must be a whole number >= 0, got 'seven'. Example: --genesys-seed 7",
        ),
        (["--genesys-seed=-3"], "*--genesys-seed must be a whole number >= 0, got '-3'.*"),
        (["--genesys-report", "afile.txt"], "*--genesys-report must name a directory, but * is a file*"),
    ],
)
def test_bad_option_values_are_usage_errors(project: pytest.Pytester, args: list[str], message: str) -> None:
    project.path.joinpath("afile.txt").write_text("not a directory")
    project.makepyfile("def test_nothing():\n    pass\n")
    result = project.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: " + message.lstrip("*")])


@pytest.mark.parametrize("project", ["genesys_seed = many"], indirect=True)
def test_bad_ini_seed_is_a_usage_error(project: pytest.Pytester) -> None:
    project.makepyfile("def test_nothing():\n    pass\n")
    result = project.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: the genesys_seed ini key must be a whole number >= 0, got 'many'.*"])


def test_marker_is_registered_for_strict_markers(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest

        @pytest.mark.genesys(seed=1)
        def test_marked():
            pass
        """
    )
    project.runpytest("--strict-markers", "-W", "error").assert_outcomes(passed=1)
    project.runpytest("--markers").stdout.fnmatch_lines(["@pytest.mark.genesys(seed=None, faults=None, scenario=None*"])


@pytest.mark.parametrize("project", ["genesys_report = reports"], indirect=True)
def test_genesys_report_writes_each_tests_journal_and_conformance(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import httpx, pytest

        @pytest.mark.parametrize("n", [1, 2])
        def test_calls(genesys_mock, n):
            with httpx.Client(transport=genesys_mock.transport(), base_url="https://api.mypurecloud.com") as http:
                for _ in range(n):
                    http.get("/api/v2/organizations/me")

        def test_unused():
            pass
        """
    )
    project.runpytest().assert_outcomes(passed=3)
    reports = project.path / "reports"
    names = sorted(path.name for path in reports.iterdir())
    assert names == [
        f"test_genesys_report_writes_each_tests_journal_and_conformance.py__test_calls_{n}.{suffix}"
        for n in (1, 2)
        for suffix in ("conformance.json", "conformance.txt", "journal.jsonl")
    ]
    stem = "test_genesys_report_writes_each_tests_journal_and_conformance.py__test_calls_2"
    journal = [json.loads(line) for line in (reports / f"{stem}.journal.jsonl").read_text().splitlines()]
    assert [(e["endpoint"], e["status"]) for e in journal] == [("organizations.me", 401)] * 2
    conformance = json.loads((reports / f"{stem}.conformance.json").read_text())
    assert conformance["ok"] is True and conformance["checked"] == 2 and conformance["seed"] == 0
    assert conformance["test"].endswith("::test_calls[2]")
    assert "Conformance: OK (2 journal entries checked)." in (reports / f"{stem}.conformance.txt").read_text()


@pytest.mark.parametrize("project", ["genesys_report = reports"], indirect=True)
def test_genesys_report_lists_the_fault_rules_that_never_fired(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest

        @pytest.mark.genesys(faults=[{"id": "storm", "match": {"endpoint": "oauth.token"}, "then": {"status": 503}}])
        def test_idle(genesys_mock):
            pass
        """
    )
    project.runpytest().assert_outcomes(passed=1)
    stem = project.path / "reports" / "test_genesys_report_lists_the_fault_rules_that_never_fired.py__test_idle"
    data = json.loads(stem.with_name(stem.name + ".conformance.json").read_text())
    assert data["unfired"] == [
        {"id": "storm", "match": {"endpoint": "oauth.token"}, "then": {"status": 503}, "matches": 0}
    ]
    text = stem.with_name(stem.name + ".conformance.txt").read_text()
    assert "Fault rules that never fired:\n  storm never fired: matched 0 time(s)" in text


def test_plugin_does_not_import_mockgenesys_unless_a_fixture_is_used(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_unused="""
        import sys

        def test_collection_left_mockgenesys_alone():
            assert "mockgenesys.pytest_plugin.plugin" in sys.modules
            loaded = [name for name in sys.modules if name.startswith("mockgenesys")]
            assert sorted(loaded) == [
                "mockgenesys",
                "mockgenesys.errors",
                "mockgenesys.lazy",  # the root's lazy names: the standard library only
                "mockgenesys.pytest_plugin",
                "mockgenesys.pytest_plugin.contactcentre",
                "mockgenesys.pytest_plugin.coroutines",
                "mockgenesys.pytest_plugin.plugin",
                "mockgenesys.pytest_plugin.settings",
            ]
        """,
        test_used="""
        import sys

        def test_fixture_imports_it(genesys_mock):
            assert "mockgenesys.mock" in sys.modules
        """,
    )
    quiet = ["-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:faker"]
    project.runpytest_subprocess(*quiet, "test_unused.py").assert_outcomes(passed=1)
    project.runpytest_subprocess(*quiet, "test_unused.py", "test_used.py").assert_outcomes(passed=2)
