"""The mockgenesys pytest plugin (entry point ``pytest11: mockgenesys``)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "genesys(seed=None, faults=None, scenario=None, strict=False, limits=None): configure the mockgenesys fixtures",
    )
