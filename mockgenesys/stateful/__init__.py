"""Hypothesis state machines that check any client against the mock, from the server's state.

- ``ReauthMachine`` / ``reauth_machine(factory)``: a web-messaging guest behind a ``GuestAdapter``
  (re-authentication, delivery exactly once and in order, history restores, retries);
- ``PlatformMachine`` / ``platform_machine(factory)``: a backend on OAuth client credentials
  behind a ``PlatformAdapter`` (answers complete, token single flight and refresh, retries).

The client core is the default client of each (``core_adapter``, ``core_platform_adapter``);
``GRADED_RULES`` and ``PLATFORM_GRADED_RULES`` are the ``mock.check()`` rules each grades after every
step, ``AdapterFactory`` and ``PlatformFactory`` the shapes of the factories, ``words`` the texts sent.
"""

from __future__ import annotations

from mockgenesys.stateful.guest import AdapterFactory, ReauthMachine, core_adapter, reauth_machine, words
from mockgenesys.stateful.platform import (
    PLATFORM_GRADED_RULES,
    PlatformFactory,
    PlatformMachine,
    core_platform_adapter,
    platform_machine,
)
from mockgenesys.stateful.simulated import GRADED_RULES

__all__ = [
    "GRADED_RULES",
    "PLATFORM_GRADED_RULES",
    "AdapterFactory",
    "PlatformFactory",
    "PlatformMachine",
    "ReauthMachine",
    "core_adapter",
    "core_platform_adapter",
    "platform_machine",
    "reauth_machine",
    "words",
]
