from __future__ import annotations

import ast
import inspect
import json
import sys
import textwrap
import types
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from mockgenesys import MockGenesys
from mockgenesys.cli import main
from mockgenesys.server.http import Route
from mockgenesys.server.openapi import DOCS_PATH, build_document
from mockgenesys.server.operations import Operation
from mockgenesys.server.routes import DIALECTS, all_routes, openapi_document

#: ``server/params.py`` helpers that read a query parameter named by their second argument.
PARAM_READERS = {"int_param", "bool_param", "choice_param", "multi_param"}
#: ``MockRequest`` methods and attributes that read a query parameter named by their first argument.
QUERY_READERS = {"query_one", "get"}
BODY_READERS = {"json_body", "json_object"}


def _functions_called(node: ast.AST, module: types.ModuleType) -> list[Callable[..., Any]]:
    """The functions of the route modules that ``node`` calls by name (followed like the handler)."""
    found = []
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
            target = getattr(module, call.func.id, None)
            if inspect.isfunction(target) and target.__module__.startswith("mockgenesys.server.routes"):
                found.append(target)
    return found


def reads(handler: Callable[..., Any]) -> tuple[set[str], bool]:
    """(query parameters ``handler`` reads, whether it reads the body), following the route
    modules' own helpers it calls."""
    names: set[str] = set()
    body = False
    seen: set[Callable[..., Any]] = set()
    todo = [handler]
    while todo:
        function = todo.pop()
        if function in seen:
            continue
        seen.add(function)
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
        module = sys.modules[function.__module__]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                if isinstance(node, ast.Attribute) and node.attr == "body" and getattr(node.value, "id", "") == "req":
                    body = True
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in BODY_READERS or (name == "json" and isinstance(func, ast.Attribute)):
                body = True
            if name in PARAM_READERS and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                names.add(str(node.args[1].value))
            is_query = isinstance(func, ast.Attribute) and (
                func.attr == "query_one" or (func.attr == "get" and getattr(func.value, "attr", "") == "query")
            )
            if is_query and node.args and isinstance(node.args[0], ast.Constant):
                names.add(str(node.args[0].value))
        todo.extend(_functions_called(tree, module))
    return names, body


ROUTES = [route for route in all_routes("both") if route.endpoint != "docs.openapi"]


def test_openapi_every_route_of_every_dialect_declares_what_it_takes() -> None:
    for dialect in DIALECTS:
        undeclared = [f"{r.method} {r.template}" for r in all_routes(dialect) if not isinstance(r.api, Operation)]
        assert not undeclared, f"give these routes an api=Operation(...) beside their handler: {undeclared}"


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.endpoint)
def test_openapi_declared_query_parameters_are_the_ones_the_handler_reads(route: Route) -> None:
    assert route.api is not None
    read, reads_body = reads(route.handler)
    declared = {param.name for param in route.api.query}
    assert declared == read, f"{route.endpoint}: declared {sorted(declared)}, the handler reads {sorted(read)}"
    assert (route.api.body is not None) == reads_body, (
        f"{route.endpoint}: declares {'a' if route.api.body is not None else 'no'} body, "
        f"the handler {'reads' if reads_body else 'never reads'} one"
    )


def test_openapi_reads_finds_parameters_in_the_helpers_a_handler_calls() -> None:
    # The check above is only as good as this reader: _page(req, ...) reads pageSize and pageNumber.
    route = next(r for r in ROUTES if r.endpoint == "supportedcontent.list")
    assert reads(route.handler) == ({"pageSize", "pageNumber"}, False)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_openapi_document_is_valid_openapi_and_lists_the_dialects_paths(dialect: str) -> None:
    document = openapi_document(dialect, "http://127.0.0.1:9999")
    validate(document)  # raises on an invalid OpenAPI 3.1 document
    paths = document["paths"]
    assert document["servers"] == [{"url": "http://127.0.0.1:9999"}]
    assert ("/api/v2/conversations/messaging/{conversationId}/messages" in paths) == (dialect != "real")
    assert ("/api/v2/conversations/messages/{conversationId}" in paths) == (dialect != "seed")
    assert DOCS_PATH in paths and "/oauth/token" in paths
    operations = [op for item in paths.values() for op in item.values()]
    assert len({op["operationId"] for op in operations}) == len(operations)


def test_openapi_document_declares_the_genesys_errors_each_route_can_give() -> None:
    paths = openapi_document()["paths"]
    search = paths["/api/v2/externalcontacts/contacts"]["get"]
    assert {"400", "401", "403", "429", "5XX"} <= set(search["responses"])
    assert search["responses"]["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
    assert search["security"] == [{"oauth": []}]
    page_size = next(p for p in search["parameters"] if p["name"] == "pageSize")
    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}
    token = paths["/oauth/token"]["post"]
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"]
    assert token["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/OAuthError")
    guest = paths["/api/v2/webmessaging/messages"]["get"]
    assert guest["security"] == [{"guestJwt": []}] and "403" not in guest["responses"]
    message = paths["/api/v2/conversations/messages/{conversationId}/messages/{messageId}"]["get"]
    assert [p["name"] for p in message["parameters"] if p["in"] == "path"] == ["conversationId", "messageId"]
    assert "404" in message["responses"]


def test_openapi_build_document_refuses_a_route_without_a_declaration() -> None:
    bare = Route("GET", "/x", "x.get", lambda server, req: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(ValueError, match=r"x\.get .*declares no api=Operation"):
        build_document([bare], dialect="both", base_url="http://127.0.0.1")


def test_openapi_served_without_credentials_for_the_mocks_dialect_and_address() -> None:
    mock = MockGenesys(dialect="real")
    with httpx.Client(transport=mock.transport(), base_url="http://127.0.0.1:8123") as client:
        response = client.get(DOCS_PATH)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["servers"] == [{"url": "http://127.0.0.1:8123"}]
    assert "(real dialect)" in document["info"]["title"]
    assert "/api/v2/webmessaging/organizations/{organizationId}/sessions" not in document["paths"]
    assert document == openapi_document("real", "http://127.0.0.1:8123")
    with httpx.Client(transport=mock.transport(), base_url="https://api.mypurecloud.com") as client:
        assert client.get(DOCS_PATH).json()["servers"] == [{"url": "https://api.mypurecloud.com"}]


def test_openapi_cli_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi", "--dialect", "seed", "--base-url", "http://127.0.0.1:7000"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document == openapi_document("seed", "http://127.0.0.1:7000")
