from __future__ import annotations

from mockgenesys.client import Events


async def test_events_sync_and_async_handlers_get_the_payload() -> None:
    events = Events()
    seen: list[object] = []

    async def later(payload: object) -> None:
        seen.append(("async", payload))

    events.on("x", lambda payload: seen.append(("sync", payload)))
    events.on("x", later)
    events.emit("x", 1)
    await events.drain()
    assert seen == [("sync", 1), ("async", 1)]


async def test_events_a_failing_handler_is_reported_as_error_and_the_others_still_run() -> None:
    events = Events()
    seen: list[object] = []

    def broken(_: object) -> None:
        raise RuntimeError("handler bug")

    events.on("x", broken)
    events.on("x", seen.append)
    events.on("error", lambda exc: seen.append(type(exc)))
    events.emit("x", "payload")
    assert seen == [RuntimeError, "payload"]


async def test_events_without_an_error_listener_failures_are_kept() -> None:
    events = Events()

    async def broken(_: object) -> None:
        raise ValueError("async handler bug")

    events.on("x", broken)
    events.emit("x")
    await events.drain()
    assert [type(e) for e in events.unhandled] == [ValueError]


def test_events_off_stops_a_handler() -> None:
    events = Events()
    seen: list[object] = []
    events.on("x", seen.append)
    events.off("x", seen.append)
    events.off("never registered", seen.append)
    events.emit("x", 1)
    assert seen == []
