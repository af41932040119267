from __future__ import annotations

import httpx
import pytest

from mockgenesys.client import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
)
from mockgenesys.client.responses import api_error, json_or_raise


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (429, RateLimitedError),
        (503, ServerError),
        (500, ServerError),
        (409, ApiError),
    ],
)
def test_api_error_by_status(status: int, cls: type[ApiError]) -> None:
    body = {"message": "nope", "code": "some.code", "status": status}
    error = api_error(httpx.Response(status, json=body, headers={"ININ-Correlation-Id": "c-9"}))
    assert type(error) is cls
    assert (error.status, error.code, error.detail, error.correlation_id) == (status, "some.code", "nope", "c-9")


def test_api_error_a_bad_client_secret_is_an_authentication_error() -> None:
    response = httpx.Response(400, json={"error": "invalid_client", "description": "client not found"})
    error = api_error(response)
    assert isinstance(error, AuthenticationError) and error.detail == "client not found"


def test_api_error_a_text_body_becomes_the_detail() -> None:
    assert api_error(httpx.Response(502, text=" Bad gateway ")).detail == "Bad gateway"


def test_json_or_raise_decodes_success_and_refuses_a_broken_body() -> None:
    assert json_or_raise(httpx.Response(200, json={"a": 1})) == {"a": 1}
    assert json_or_raise(httpx.Response(204)) is None
    with pytest.raises(ApiError, match=r"malformed.body.*retry the call"):
        json_or_raise(httpx.Response(200, text="{broken"))
    with pytest.raises(NotFoundError):
        json_or_raise(httpx.Response(404, json={}))
