"""Adapters for a run: what a factory gets, the default factories, and checks on what they build.

A guest factory (``GuestContext -> GuestAdapter``) builds one adapter per guest; a platform
factory (``PlatformContext -> PlatformAdapter``) builds the one adapter the platform workload's
callers share. ``load_factory`` imports one named ``package.module:callable`` (the CLI's
``--adapter``, and ``--platform-adapter`` with ``kind="platform"``), with the current directory
importable as pytest makes its rootdir; ``factory_spec`` names a factory back, so replay
commands carry it; ``check_adapter`` refuses an object that lacks the protocol's methods before
it runs, naming them.
"""

from __future__ import annotations

import importlib
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mockgenesys.chaos.errors import AdapterError
from mockgenesys.client import CoreGuestAdapter, CorePlatformAdapter, GuestAdapter, PlatformAdapter
from mockgenesys.clock import Clock
from mockgenesys.mock import MockGenesys

PROTOCOL_METHODS = ("start", "send", "restore", "close")
PLATFORM_METHODS = ("start", "organization", "history", "search_contacts", "close")
Kind = Literal["guest", "platform"]
_PROTOCOLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "guest": ("GuestAdapter", PROTOCOL_METHODS),
    "platform": ("PlatformAdapter", PLATFORM_METHODS),
}


@dataclass(frozen=True)
class GuestContext:
    """What an adapter factory gets for one guest: who it is and where the mock is."""

    index: int
    name: str
    seed: int
    clock: Clock
    deployment_id: str
    client_id: str
    client_secret: str
    mock: MockGenesys | None = None
    base_url: str | None = None


AdapterFactory = Callable[[GuestContext], GuestAdapter]


@dataclass(frozen=True)
class PlatformContext:
    """What a platform adapter factory gets: who the caller is and where the mock is.

    In-process ``mock`` is set (talk through ``mock.transport()``, sleep on ``clock``, the run's
    clock); live ``base_url`` is set instead.
    """

    index: int
    seed: int
    clock: Clock
    client_id: str
    client_secret: str
    mock: MockGenesys | None = None
    base_url: str | None = None


PlatformFactory = Callable[[PlatformContext], PlatformAdapter]


def core_adapter_factory(context: GuestContext) -> GuestAdapter:
    """The default factory: the client core's ``CoreGuestAdapter`` (in-process or by URL)."""
    if context.mock is not None:
        return CoreGuestAdapter.for_mock(context.mock, name=context.name, seed=context.seed)
    if context.base_url is None:
        raise ValueError("A GuestContext needs either mock or base_url.")
    return CoreGuestAdapter.for_url(context.base_url, context.deployment_id, name=context.name, seed=context.seed)


def core_platform_factory(context: PlatformContext) -> PlatformAdapter:
    """The default platform factory: the client core's ``CorePlatformAdapter`` (in-process or by URL)."""
    if context.mock is not None:
        return CorePlatformAdapter.for_mock(context.mock, seed=context.seed, clock=context.clock)
    if context.base_url is None:
        raise ValueError("A PlatformContext needs either mock or base_url.")
    return CorePlatformAdapter.for_url(context.base_url, context.client_id, context.client_secret, seed=context.seed)


def missing_methods(candidate: object, kind: Kind = "guest") -> tuple[str, ...]:
    """The protocol methods ``candidate`` (an adapter or its class) lacks or has as plain attributes."""
    return tuple(name for name in _PROTOCOLS[kind][1] if not callable(getattr(candidate, name, None)))


def _missing_message(what: str, missing: tuple[str, ...], kind: Kind) -> str:
    protocol, methods = _PROTOCOLS[kind]
    return (
        f"{what} {', '.join(missing)}; a {protocol} needs async {', '.join(methods)} "
        f"(see mockgenesys.client.{protocol})."
    )


def check_adapter(adapter: object, made_by: str) -> GuestAdapter:
    """``adapter`` itself if it has every ``GuestAdapter`` method; ``AdapterError`` naming the missing ones."""
    missing = missing_methods(adapter)
    if missing:
        raise AdapterError(
            _missing_message(f"{made_by} built a {type(adapter).__name__} without", missing, "guest"), missing
        )
    return typing.cast(GuestAdapter, adapter)


def check_platform_adapter(adapter: object, made_by: str) -> PlatformAdapter:
    """``adapter`` itself if it has every ``PlatformAdapter`` method; ``AdapterError`` naming the missing ones."""
    missing = missing_methods(adapter, "platform")
    if missing:
        raise AdapterError(
            _missing_message(f"{made_by} built a {type(adapter).__name__} without", missing, "platform"), missing
        )
    return typing.cast(PlatformAdapter, adapter)


def load_factory(spec: str, kind: Kind = "guest") -> Callable[[typing.Any], typing.Any]:
    """``package.module:callable`` → the adapter factory it names (the CLI's ``--adapter``, or
    ``--platform-adapter`` with ``kind="platform"``).

    The current directory is importable, as pytest makes its rootdir. A class is checked against
    the protocol at once, and so is a function whose return annotation is a class.
    """
    option = "--adapter" if kind == "guest" else "--platform-adapter"
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise AdapterError(f"{option} must look like package.module:factory, got {spec!r}.")
    here = str(Path.cwd())
    if here not in sys.path and "" not in sys.path:
        sys.path.insert(0, here)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise AdapterError(
            f"Cannot import {module_name!r} for {option} ({exc}); run from the folder that holds it "
            "or install it, so that 'python -c \"import " + module_name + "\"' works."
        ) from exc
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise AdapterError(f"{module_name} has no callable {attribute!r} for {option}.")
    built = _built_class(factory)
    if built is not None:
        missing = missing_methods(built, kind)
        if missing:
            raise AdapterError(_missing_message(f"{option} {spec}: {built.__name__} has no", missing, kind), missing)
    return typing.cast(Callable[[typing.Any], typing.Any], factory)


def _built_class(factory: object) -> type | None:
    """The class ``factory`` builds, when that is known without calling it."""
    if isinstance(factory, type):
        return factory
    try:
        hints = typing.get_type_hints(factory)
    except Exception:  # unresolvable annotations: the adapters are checked when built
        return None
    built = hints.get("return")
    return built if isinstance(built, type) and built not in (GuestAdapter, PlatformAdapter) else None


def factory_spec(factory: Callable[..., object]) -> str | None:
    """``module:name`` that ``load_factory`` turns back into ``factory``; None when it has no such name."""
    module_name = getattr(factory, "__module__", None)
    name = getattr(factory, "__qualname__", None)
    if not module_name or not name or module_name == "__main__" or "<" in name or "." in name:
        return None
    module = sys.modules.get(module_name)
    return f"{module_name}:{name}" if module is not None and getattr(module, name, None) is factory else None
