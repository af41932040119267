"""Adapter factories: loading one by name, naming one back, checking what it builds."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from chaos_adapters import WsGuest

from mockgenesys import MockGenesys
from mockgenesys.chaos import (
    AdapterError,
    GuestContext,
    PlatformContext,
    SimClock,
    core_adapter_factory,
    core_platform_factory,
    load_factory,
)
from mockgenesys.chaos.adapters import check_adapter, check_platform_adapter, factory_spec, missing_methods
from mockgenesys.client import CoreGuestAdapter, CorePlatformAdapter


def context(mock: MockGenesys | None = None, base_url: str | None = None) -> GuestContext:
    return GuestContext(0, "g0", 1, SimClock(), "dep", "cid", "secret", mock=mock, base_url=base_url)


def test_adapters_core_factory_builds_the_client_core_in_process_or_by_url() -> None:
    assert isinstance(core_adapter_factory(context(mock=MockGenesys(seed=1))), CoreGuestAdapter)
    assert isinstance(core_adapter_factory(context(base_url="http://127.0.0.1:1")), CoreGuestAdapter)
    with pytest.raises(ValueError, match="either mock or base_url"):
        core_adapter_factory(context())


def test_adapters_load_factory_imports_from_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "here_guest.py").write_text("def make(context):\n    return context\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    monkeypatch.delitem(sys.modules, "here_guest", raising=False)
    factory = load_factory("here_guest:make")
    assert factory.__module__ == "here_guest" and sys.path[0] == str(tmp_path)


def test_adapters_load_factory_checks_a_class_or_an_annotated_factory_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "half_guest.py").write_text(
        textwrap.dedent(
            """
            class Half:
                async def start(self): ...
                async def send(self, text): ...
                close = "not a method"


            def make(context) -> Half:
                return Half()
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "half_guest", raising=False)
    for spec in ("half_guest:Half", "half_guest:make"):
        with pytest.raises(AdapterError, match=r"Half has no restore, close; a GuestAdapter needs") as info:
            load_factory(spec)
        assert info.value.missing == ("restore", "close")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("justamodule", "--adapter must look like package.module:factory, got 'justamodule'."),
        ("json:nothing_here", "json has no callable 'nothing_here' for --adapter."),
        ("no_such_pkg_abc.x:y", "Cannot import 'no_such_pkg_abc.x' for --adapter (No module named 'no_such_pkg_abc')"),
    ],
)
def test_adapters_load_factory_says_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(AdapterError) as info:
        load_factory(spec)
    assert str(info.value).startswith(message)


def local_factory(context: GuestContext) -> WsGuest:
    return WsGuest(context)


def test_adapters_factory_spec_names_only_what_load_factory_finds_again() -> None:
    assert factory_spec(WsGuest) == "chaos_adapters:WsGuest"
    assert load_factory("chaos_adapters:WsGuest") is WsGuest
    assert factory_spec(local_factory) == f"{__name__}:local_factory"
    assert factory_spec(lambda context: WsGuest(context)) is None
    assert factory_spec(WsGuest.send) is None  # a method: qualname with a dot


def test_adapters_check_adapter_names_the_missing_methods() -> None:
    class OnlyStart:
        async def start(self) -> None: ...

    assert missing_methods(OnlyStart()) == ("send", "restore", "close")
    with pytest.raises(AdapterError, match=r"^make built a OnlyStart without send, restore, close;"):
        check_adapter(OnlyStart(), "make")
    guest = WsGuest(context(mock=MockGenesys(seed=1)))
    assert check_adapter(guest, "WsGuest") is guest


def test_adapters_platform_factories_are_checked_against_the_platform_protocol() -> None:
    with pytest.raises(AdapterError, match=r"--platform-adapter chaos_adapters:WsGuest: WsGuest has no organization"):
        load_factory("chaos_adapters:WsGuest", "platform")
    assert load_factory("chaos_adapters:FirstPageBackend", "platform").__name__ == "FirstPageBackend"
    mock = MockGenesys(seed=1)
    context = PlatformContext(0, 1, mock.clock, mock.client_id, mock.client_secret, mock=mock)
    assert isinstance(core_platform_factory(context), CorePlatformAdapter)
    with pytest.raises(AdapterError, match=r"a PlatformAdapter needs async start, organization"):
        check_platform_adapter(object(), "make")
