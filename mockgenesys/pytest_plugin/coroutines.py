"""Async tests and ``genesys_client`` without the project configuring an asyncio mode.

pytest-asyncio (a dependency of mockgenesys) runs only marked tests and fixtures in its default
strict mode. So that ``async def test_x(genesys_client)`` just works after ``pip install
mockgenesys``, the plugin

- declares ``genesys_client`` with ``pytest_asyncio.fixture`` (any mode; under anyio's plugin
  with ``-p no:asyncio`` it stays a plain async fixture, which anyio runs);
- marks ``asyncio`` an ``async def`` test that requests a ``genesys_*`` fixture and carries no
  ``asyncio``, ``anyio`` or ``trio`` mark (its own or its module's or class's);
- keeps pytest-asyncio's "asyncio_default_fixture_loop_scope is unset" warning from turning a
  project's ``filterwarnings = error`` into an internal error at start-up, when the project never
  set that key (the warning is about the project's own fixtures, which it never made async for
  pytest-asyncio: mockgenesys brought the plugin).
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

import pytest

F = TypeVar("F", bound=Callable[..., Any])

ASYNC_MARKS = ("asyncio", "anyio", "trio")
ASYNCIO_PLUGIN = "asyncio"
LOOP_SCOPE_KEY = "asyncio_default_fixture_loop_scope"
FIXTURE_PREFIX = "genesys_"


def async_fixture(function: F) -> F:
    """``pytest_asyncio.fixture`` when pytest-asyncio is importable, else ``pytest.fixture``."""
    try:
        import pytest_asyncio
    except ImportError:  # pragma: no cover - a dependency; kept so the plugin never fails to load
        return cast(F, pytest.fixture(function))
    return cast(F, pytest_asyncio.fixture(function))


def wants_asyncio_mark(collector: pytest.Collector, obj: object) -> bool:
    """Whether ``obj`` is an unmarked ``async def`` test asking for a mockgenesys fixture."""
    if not inspect.iscoroutinefunction(obj):
        return False
    if not any(name.startswith(FIXTURE_PREFIX) for name in inspect.signature(obj).parameters):
        return False
    if not collector.config.pluginmanager.hasplugin(ASYNCIO_PLUGIN):
        return False
    own = [mark.name for mark in getattr(obj, "pytestmark", [])]
    return not any(name in own or collector.get_closest_marker(name) is not None for name in ASYNC_MARKS)


def mark_asyncio(obj: Any) -> None:
    """Give the test function ``obj`` the ``asyncio`` mark, as if it were written on it."""
    pytest.mark.asyncio(obj)


def quiet_loop_scope_warning(config: pytest.Config) -> None:
    """Silence pytest-asyncio's unset-loop-scope warning when the project did not set the key."""
    if not config.pluginmanager.hasplugin(ASYNCIO_PLUGIN):
        return
    try:
        configured = config.getini(LOOP_SCOPE_KEY)
    except ValueError:  # pragma: no cover - a pytest-asyncio without the key never warns about it
        return
    if not configured:
        warnings.filterwarnings(
            "ignore",
            message=f'The configuration option "{LOOP_SCOPE_KEY}" is unset',
            category=pytest.PytestDeprecationWarning,
        )
