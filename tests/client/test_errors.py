"""The client's exception tree: one root, drawn whole in the module docstring."""

from __future__ import annotations

import inspect

import mockgenesys.client as client
from mockgenesys.client import errors


def test_errors_every_client_exception_derives_from_the_root_and_is_drawn() -> None:
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if c.__module__ == errors.__name__]
    doc = errors.__doc__ or ""
    for cls in classes:
        assert issubclass(cls, errors.ClientError), f"{cls.__name__} is outside the ClientError tree"
        assert f" {cls.__name__}" in doc, f"{cls.__name__} is missing from the tree in errors.py's docstring"
        assert getattr(client, cls.__name__) is cls, f"{cls.__name__} is not re-exported from mockgenesys.client"


def test_errors_the_drawn_tree_matches_the_class_hierarchy() -> None:
    doc = (errors.__doc__ or "").split("::", 1)[1]
    parents: list[tuple[int, type]] = []
    for line in doc.splitlines():
        name = line.lstrip(" │├└─").split(" ", 1)[0]
        if not name:
            continue
        depth = (len(line) - len(line.lstrip(" │├└─"))) // 4
        cls = getattr(errors, name)
        parents = [(d, c) for d, c in parents if d < depth]
        if parents:
            assert cls.__mro__[1] is parents[-1][1], f"{name} is drawn under {parents[-1][1].__name__}"
        parents.append((depth, cls))


def test_errors_messages_say_what_to_do() -> None:
    error = errors.RateLimitedError(429, "4029", "too fast", correlation_id="c-1")
    assert str(error) == (
        "HTTP 429 4029: too fast (correlation id c-1). "
        "Send fewer requests, or raise RetryPolicy.max_attempts / max_elapsed to wait longer."
    )
    assert "login_guest()" in str(errors.NotConnectedError("send"))
    assert isinstance(errors.SessionValidationError(["x"]), ValueError)
