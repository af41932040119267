from __future__ import annotations

import ast
from pathlib import Path

from mockgenesys.server.endpoints import FRAME_CLASSES, UNFAULTABLE, endpoint_catalogue, endpoint_rows
from mockgenesys.server.routes import all_routes
from mockgenesys.server.websocket.actions import ACTIONS

SOURCE = Path(__file__).resolve().parents[2] / "mockgenesys"
FRAME_BUILDERS = {"response", "message", "reply"}


def sent_frame_classes() -> set[str]:
    """Every frame class the server's source sends: ``frames.response("X", …)``, ``reply("X", …)``, ``{"class": "X"}``."""
    found: set[str] = set()
    for path in [*(SOURCE / "server").rglob("*.py"), SOURCE / "agent.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in FRAME_BUILDERS and isinstance(node.args[0].value, str):
                    found.add(node.args[0].value)
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if (
                        isinstance(key, ast.Constant)
                        and key.value == "class"
                        and isinstance(value, ast.Constant)
                        and isinstance(value.value, str)
                    ):
                        found.add(value.value)
    return found


def test_endpoints_every_frame_class_the_server_sends_is_listed() -> None:
    sent = sent_frame_classes()
    assert {"StructuredMessage", "SessionResponse", "string", "TooManyRequestsErrorMessage"} <= sent
    assert sent <= set(FRAME_CLASSES), f"add {sorted(sent - set(FRAME_CLASSES))} to FRAME_CLASSES"


def test_endpoints_catalogue_comes_from_the_route_and_action_tables() -> None:
    catalogue = endpoint_catalogue()
    for route in all_routes():
        assert route.method in catalogue.methods[route.endpoint]
    for action in ACTIONS:
        assert catalogue.methods[f"guest.ws.{action}"] == frozenset({"WS"})
    assert {f"guest.ws.out.{cls}" for cls in FRAME_CLASSES} <= set(catalogue.ids)
    assert catalogue.actions == frozenset(ACTIONS)
    assert not set(UNFAULTABLE) & set(catalogue.ids)


def test_endpoints_rows_list_each_id_once_per_method() -> None:
    rows = endpoint_rows()
    assert len({(row.id, row.method) for row in rows}) == len(rows)
    assert {row.id for row in rows} == set(endpoint_catalogue().ids) | set(UNFAULTABLE)
