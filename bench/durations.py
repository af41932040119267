"""A pytest plugin for ``python -m bench fixtures``: every test's setup + call + teardown seconds.

Loaded with ``-p bench.durations`` into the benchmark's inner pytest runs; writes
``{nodeid: seconds}`` as JSON to the file named by ``BENCH_DURATIONS`` when the session ends.
These are the durations pytest itself reports (``--durations``), summed per test.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ENV = "BENCH_DURATIONS"


class _Recorder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + report.duration

    def pytest_sessionfinish(self) -> None:
        self.path.write_text(json.dumps(self.seconds))


def pytest_configure(config: pytest.Config) -> None:
    target = os.environ.get(ENV)
    if target:
        config.pluginmanager.register(_Recorder(Path(target)), "bench-durations-recorder")
