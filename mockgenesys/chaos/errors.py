"""The exceptions of ``mockgenesys.chaos``: one root, ``ChaosError``, under ``MockGenesysError``::

    MockGenesysError
    ├── ConfigError
    └── ChaosError               anything mockgenesys.chaos refuses or cannot do
        ├── ScenarioError        (also a ConfigError) a scenario is invalid: .source file, .path field
        ├── OptionsError         (also a ConfigError) run options that cannot work: a guest outside the
        │   │                    scenario, --isolate without --guest, a bad --target or --report
        │   └── AdapterError     an adapter factory cannot be imported, or what it builds is not a
        │                        GuestAdapter (.missing names the absent methods)
        └── ControlError         the mock refused or could not be reached: the live target's
                                 /__admin API is down, needs a token, or answered an error

Every message is one sentence that names the bad value and how to fix it. The command line
prints it after ``mockgenesys:`` and exits 2.
"""

from __future__ import annotations

from mockgenesys.errors import ConfigError, MockGenesysError


class ChaosError(MockGenesysError):
    """Root of every error ``mockgenesys.chaos`` raises on purpose."""


class ScenarioError(ChaosError, ConfigError):
    """A scenario file or dict is invalid; ``source`` is the file, ``path`` the field."""

    def __init__(self, source: str, path: str, message: str) -> None:
        where = f"{source}: {path}" if path else source
        super().__init__(f"{where}: {message}")
        self.source = source
        self.path = path


class OptionsError(ChaosError, ConfigError):
    """Run options that cannot work together or cannot work at all; nothing has run yet."""


class AdapterError(OptionsError):
    """An adapter factory that cannot be loaded, or an adapter that is not a ``GuestAdapter``.

    ``missing`` lists the protocol methods the adapter lacks (empty when the problem is another).
    """

    def __init__(self, message: str, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.missing = missing


class ControlError(ChaosError):
    """The mock could not be controlled: the live target is unreachable or its admin API refused."""
