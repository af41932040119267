"""The mockgenesys pytest plugin (entry point ``pytest11: mockgenesys``).

A thin registration module: options, ini keys, the ``genesys`` marker, the report header and
the fixtures. mockgenesys itself is imported inside the fixtures, so a project that installs
mockgenesys but never requests a fixture pays nothing for it at collection time.

Fixtures: ``genesys_mock``, ``genesys_server`` (with the session-scoped ``make_genesys_server``),
``genesys_client`` and ``genesys_intercept``. See docs/pytest.md. The contact-centre side's
(``genesys_notifications``, ``genesys_webhook``, ``genesys_open_messaging``) are in
``pytest_plugin.contactcentre``, registered here by importing them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest

from mockgenesys.pytest_plugin.contactcentre import genesys_notifications, genesys_open_messaging, genesys_webhook
from mockgenesys.pytest_plugin.coroutines import (
    async_fixture,
    mark_asyncio,
    quiet_loop_scope_warning,
    wants_asyncio_mark,
)
from mockgenesys.pytest_plugin.settings import (
    MARKER_DOC,
    MarkerError,
    MarkerOptions,
    Settings,
    marker_options,
    read_settings,
)

if TYPE_CHECKING:
    from mockgenesys import MockGenesys
    from mockgenesys.client import SessionManager
    from mockgenesys.conformance import ConformanceReport
    from mockgenesys.pytest_plugin.server import GenesysServer, ServerFactory

T = TypeVar("T")
#: Fixtures defined in other modules, registered with the plugin by being imported here.
FIXTURES = (genesys_notifications, genesys_open_messaging, genesys_webhook)


@dataclass
class _Tracked:
    mock: MockGenesys
    options: MarkerOptions
    report: ConformanceReport | None = None


_SETTINGS = pytest.StashKey[Settings]()
_TRACKED = pytest.StashKey[list[_Tracked]]()


# ---------------------------------------------------------------------- options and header
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockgenesys", "mockgenesys (simulated Genesys Cloud)")
    group.addoption(
        "--genesys-seed",
        dest="genesys_seed",
        default=None,
        metavar="N",
        help="world seed for the mockgenesys fixtures (a whole number >= 0; ini: genesys_seed; default 0).",
    )
    group.addoption(
        "--genesys-report",
        dest="genesys_report",
        default=None,
        metavar="DIR",
        help="write each test's mock journal and conformance report to DIR (ini: genesys_report).",
    )
    parser.addini("genesys_seed", "world seed for the mockgenesys fixtures (overridden by --genesys-seed).", default="")
    parser.addini("genesys_report", "directory for per-test journals and conformance reports.", default="")


@pytest.hookimpl(tryfirst=True)  # before pytest-asyncio's, whose start-up warning it may quiet
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_DOC)
    config.stash[_SETTINGS] = read_settings(config)
    quiet_loop_scope_warning(config)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Module | pytest.Class, name: str, obj: object) -> None:
    """An unmarked ``async def`` test using a ``genesys_*`` fixture runs on pytest-asyncio (see ``coroutines``)."""
    if wants_asyncio_mark(collector, obj):
        mark_asyncio(obj)


def pytest_report_header(config: pytest.Config) -> str:
    return config.stash[_SETTINGS].header()


# ---------------------------------------------------------------------- strict checks and failure reports
@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    tracked = item.stash.get(_TRACKED, None)
    if report.when != "call" or not tracked:
        return report
    from mockgenesys.pytest_plugin.reports import section, strict_failure, unfired_rules

    for index, entry in enumerate(tracked):
        if not (entry.options.strict or report.failed):
            continue  # grading costs a pass over the journal; only strict tests and failures need it now
        entry.report = entry.mock.check()
        unfired = unfired_rules(entry.mock) if entry.options.strict else []  # a fault the test never exercised
        strict_failed = entry.options.strict and (not entry.report.ok or bool(unfired)) and report.passed
        if strict_failed:
            report.outcome = "failed"
            report.longrepr = strict_failure(entry.report, unfired)
        if report.failed:
            title = "mockgenesys" if index == 0 else f"mockgenesys ({index + 1})"
            report.sections.append((title, section(entry.mock, entry.report, with_report=not strict_failed)))
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    try:
        return (yield)  # the test's fixtures are finalized inside
    finally:
        # Let go of the test's mocks: an item lives as long as the session, and a suite of
        # thousands of tests kept every mock alive for the garbage collector to walk.
        if _TRACKED in item.stash:
            del item.stash[_TRACKED]


# ---------------------------------------------------------------------- helpers
def _options(request: pytest.FixtureRequest) -> MarkerOptions:
    return _guard(lambda: marker_options(request.node, request.config.stash[_SETTINGS]))


def _guard(build: Callable[[], T]) -> T:
    """Turn a bad marker argument into a one-paragraph test error instead of a traceback."""
    try:
        return build()
    except MarkerError as exc:
        message = str(exc)
    pytest.fail(message, pytrace=False)


def _base_dir(request: pytest.FixtureRequest) -> Path:
    return Path(request.node.path).parent


def _track(request: pytest.FixtureRequest, mock: MockGenesys, options: MarkerOptions) -> _Tracked:
    entry = _Tracked(mock, options)
    request.node.stash.setdefault(_TRACKED, []).append(entry)
    return entry


def _write_report(request: pytest.FixtureRequest, entry: _Tracked) -> None:
    directory = request.config.stash[_SETTINGS].report_dir
    if directory is None:
        return
    from mockgenesys.pytest_plugin.reports import write

    tracked = request.node.stash.get(_TRACKED, [])
    index = next((n for n, item in enumerate(tracked) if item is entry), 0)
    write(directory, request.node.nodeid, index, entry.mock, entry.report or entry.mock.check())


# ---------------------------------------------------------------------- fixtures
@pytest.fixture
def genesys_mock(request: pytest.FixtureRequest) -> Iterator[MockGenesys]:
    """A fresh in-process ``MockGenesys`` on a ``VirtualClock``, configured by ``@pytest.mark.genesys``."""
    options = _options(request)
    from mockgenesys.pytest_plugin.mocks import build_mock

    mock = _guard(lambda: build_mock(options, _base_dir(request)))
    entry = _track(request, mock, options)
    yield mock
    _write_report(request, entry)


@pytest.fixture(scope="session")
def make_genesys_server() -> Iterator[ServerFactory]:
    """Session-scoped factory of live servers on free loopback ports; all stop at session end."""
    from mockgenesys.pytest_plugin.server import ServerFactory

    factory = ServerFactory()
    yield factory
    factory.close()


@pytest.fixture
def genesys_server(request: pytest.FixtureRequest, make_genesys_server: ServerFactory) -> Iterator[GenesysServer]:
    """A live mock server (``url``, ``ws_url``, ``mock``, credentials), reset before each test."""
    options = _options(request)
    from mockgenesys.pytest_plugin.mocks import install_faults

    server = _guard(lambda: _shared_server(make_genesys_server, options))
    server.reset()
    _guard(lambda: install_faults(server.mock, options, _base_dir(request)))
    entry = _track(request, server.mock, options)
    yield server
    _write_report(request, entry)


def _shared_server(factory: ServerFactory, options: MarkerOptions) -> GenesysServer:
    from mockgenesys.errors import ConfigError

    try:
        return factory.shared(seed=options.seed, limits=options.limits, dialect=options.dialect)
    except ConfigError as exc:
        raise MarkerError(f"genesys(limits=...): {exc}") from None


@async_fixture
async def genesys_client(genesys_mock: MockGenesys) -> AsyncIterator[SessionManager]:
    """A not-yet-started ``SessionManager`` wired to ``genesys_mock``; closed after the test."""
    from mockgenesys.client import SessionManager

    manager = SessionManager.for_mock(genesys_mock)
    try:
        yield manager
    finally:
        await manager.aclose()


@pytest.fixture
def genesys_intercept(genesys_mock: MockGenesys) -> Iterator[MockGenesys]:
    """``genesys_mock`` answering every httpx request to a real Genesys host (any region)."""
    from mockgenesys.pytest_plugin.intercept import intercept

    with intercept(genesys_mock):
        yield genesys_mock
