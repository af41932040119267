"""Guest adapters for a run: what a factory gets, the default factory, and checks on what it builds.

A factory (``GuestContext -> GuestAdapter``) builds one adapter per guest. ``load_factory``
imports one named ``package.module:callable`` (the CLI's ``--adapter``), with the current
directory importable as pytest makes its rootdir; ``factory_spec`` names a factory back, so
replay commands carry it; ``check_adapter`` refuses an object that is not a ``GuestAdapter``
before it runs, naming the missing methods.
"""

from __future__ import annotations

import importlib
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mockgenesys.chaos.errors import AdapterError
from mockgenesys.client import CoreGuestAdapter, GuestAdapter
from mockgenesys.clock import Clock
from mockgenesys.mock import MockGenesys

PROTOCOL_METHODS = ("start", "send", "restore", "close")


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


def core_adapter_factory(context: GuestContext) -> GuestAdapter:
    """The default factory: the client core's ``CoreGuestAdapter`` (in-process or by URL)."""
    if context.mock is not None:
        return CoreGuestAdapter.for_mock(context.mock, name=context.name, seed=context.seed)
    if context.base_url is None:
        raise ValueError("A GuestContext needs either mock or base_url.")
    return CoreGuestAdapter.for_url(context.base_url, context.deployment_id, name=context.name, seed=context.seed)


def missing_methods(candidate: object) -> tuple[str, ...]:
    """The ``GuestAdapter`` methods ``candidate`` (an adapter or its class) lacks or has as plain attributes."""
    return tuple(name for name in PROTOCOL_METHODS if not callable(getattr(candidate, name, None)))


def check_adapter(adapter: object, made_by: str) -> GuestAdapter:
    """``adapter`` itself if it has every ``GuestAdapter`` method; ``AdapterError`` naming the missing ones."""
    missing = missing_methods(adapter)
    if missing:
        raise AdapterError(
            f"{made_by} built a {type(adapter).__name__} without {', '.join(missing)}; a GuestAdapter needs "
            f"async {', '.join(PROTOCOL_METHODS)} (see mockgenesys.client.GuestAdapter).",
            missing,
        )
    return typing.cast(GuestAdapter, adapter)


def load_factory(spec: str) -> AdapterFactory:
    """``package.module:callable`` → the adapter factory it names (the CLI's ``--adapter``).

    The current directory is importable, as pytest makes its rootdir. A class is checked against
    the ``GuestAdapter`` protocol at once, and so is a function whose return annotation is one.
    """
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise AdapterError(f"--adapter must look like package.module:factory, got {spec!r}.")
    here = str(Path.cwd())
    if here not in sys.path and "" not in sys.path:
        sys.path.insert(0, here)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise AdapterError(
            f"Cannot import {module_name!r} for --adapter ({exc}); run from the folder that holds it "
            "or install it, so that 'python -c \"import " + module_name + "\"' works."
        ) from exc
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise AdapterError(f"{module_name} has no callable {attribute!r} for --adapter.")
    built = _built_class(factory)
    if built is not None:
        missing = missing_methods(built)
        if missing:
            raise AdapterError(
                f"--adapter {spec}: {built.__name__} has no {', '.join(missing)}; a GuestAdapter needs "
                f"async {', '.join(PROTOCOL_METHODS)} (see mockgenesys.client.GuestAdapter).",
                missing,
            )
    return typing.cast(AdapterFactory, factory)


def _built_class(factory: object) -> type | None:
    """The class ``factory`` builds, when that is known without calling it."""
    if isinstance(factory, type):
        return factory
    try:
        hints = typing.get_type_hints(factory)
    except Exception:  # unresolvable annotations: the adapters are checked when built
        return None
    built = hints.get("return")
    return built if isinstance(built, type) and built is not GuestAdapter else None


def factory_spec(factory: AdapterFactory) -> str | None:
    """``module:name`` that ``load_factory`` turns back into ``factory``; None when it has no such name."""
    module_name = getattr(factory, "__module__", None)
    name = getattr(factory, "__qualname__", None)
    if not module_name or not name or module_name == "__main__" or "<" in name or "." in name:
        return None
    module = sys.modules.get(module_name)
    return f"{module_name}:{name}" if module is not None and getattr(module, name, None) is factory else None
