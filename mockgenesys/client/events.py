"""A small event emitter: sync handlers run inline, async handlers run as tracked tasks."""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections import defaultdict
from collections.abc import Callable
from typing import Any

Handler = Callable[[Any], Any]


class Events:
    """``on(name, handler)`` / ``emit(name, payload)``.

    A handler that raises does not stop the others: its exception is emitted as ``error``, or
    kept in ``unhandled`` when nobody listens to ``error``, so no failure goes unseen.
    Coroutine handlers run as tasks; ``drain()`` waits for every one still running.
    """

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._tasks: set[asyncio.Task[Any]] = set()
        #: Handler exceptions nobody listened for.
        self.unhandled: list[BaseException] = []

    def on(self, name: str, handler: Handler) -> Handler:
        """Call ``handler(payload)`` on every ``name`` event; returns ``handler`` (usable as a decorator)."""
        self._handlers[name].append(handler)
        return handler

    def off(self, name: str, handler: Handler) -> None:
        """Stop calling ``handler`` for ``name``."""
        if handler in self._handlers.get(name, []):
            self._handlers[name].remove(handler)

    def emit(self, name: str, payload: Any = None) -> None:
        """Deliver ``payload`` to every handler of ``name``."""
        for handler in list(self._handlers.get(name, [])):
            try:
                result = handler(payload)
            except Exception as exc:
                self._failed(name, exc)
                continue
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                self._tasks.add(task)
                task.add_done_callback(functools.partial(self._finished, name))

    def _finished(self, name: str, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            assert isinstance(exc, BaseException)
            self._failed(name, exc)

    def _failed(self, name: str, exc: BaseException) -> None:
        if name == "error" or not self._handlers.get("error"):
            self.unhandled.append(exc)
            return
        self.emit("error", exc)

    async def drain(self) -> None:
        """Wait until every async handler started so far has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
