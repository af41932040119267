from __future__ import annotations

# Imported here so every in-process pytester run reuses them: pytester restores sys.modules
# after each run, and hypothesis' pytest plugin imports hypothesis at every session end.
import hypothesis.internal.observability  # noqa: F401
import pytest

import pytest_plugin.intercept
import pytest_plugin.mocks
import pytest_plugin.server  # noqa: F401

#: Every inner run gets the settings a downstream project would have: asyncio auto mode.
INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
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
