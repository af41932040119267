from __future__ import annotations

# Imported here so every in-process pytester run reuses them: pytester restores sys.modules
# after each run, and hypothesis' pytest plugin imports hypothesis at every session end.
import hypothesis.internal.observability  # noqa: F401
import pytest

import mockgenesys.pytest_plugin.intercept
import mockgenesys.pytest_plugin.mocks
import mockgenesys.pytest_plugin.server  # noqa: F401

#: Every inner run gets the settings of a downstream project that configured nothing for
#: mockgenesys or asyncio (pytest-asyncio in its default strict mode), with warnings as errors.
INI = """
[pytest]
filterwarnings = error
"""


@pytest.fixture
def project(pytester: pytest.Pytester, request: pytest.FixtureRequest) -> pytest.Pytester:
    """A pytester project with an ini file, as a project that installs mockgenesys would have.

    A test adds ini lines by parametrizing the fixture:
    ``@pytest.mark.parametrize("project", ["genesys_seed = 5"], indirect=True)``.
    """
    pytester.makeini(INI + getattr(request, "param", ""))
    return pytester
