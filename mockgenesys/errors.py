"""Exceptions raised by mockgenesys.

One root, ``MockGenesysError``::

    MockGenesysError
    ├── ConfigError          a bad argument, option, world file or rule; fix the input
    ├── WorldError           an id that is not in the world, or a conflicting change
    └── JournalAssertionError  an ``assert_called`` that found no matching call

Each message is a sentence that says what was wrong and how to fix it.
"""

from __future__ import annotations


class MockGenesysError(Exception):
    """Root of every exception mockgenesys raises on purpose."""


class ConfigError(MockGenesysError, ValueError):
    """A configuration value, file or rule is invalid."""


class WorldError(MockGenesysError, LookupError):
    """A world operation named something that does not exist, or conflicts."""


class JournalAssertionError(MockGenesysError, AssertionError):
    """``Journal.assert_called`` found no call matching what was expected."""
