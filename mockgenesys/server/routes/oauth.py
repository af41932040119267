"""``POST /oauth/token``: client credentials via Basic header (real) or form body (seed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockgenesys.journal import fingerprint
from mockgenesys.regions import normalize_region
from mockgenesys.server.http import MockRequest, MockResponse, OAuthError, Route, json_response, parse_query

if TYPE_CHECKING:
    from mockgenesys.server.core import Server

KNOWN_GRANTS = (
    "client_credentials",
    "authorization_code",
    "refresh_token",
    "urn:ietf:params:oauth:grant-type:saml2-bearer",
)


def token(server: Server, req: MockRequest) -> MockResponse:
    content_type = req.headers.get("content-type", "")
    if req.body and "json" in content_type:
        raise OAuthError("invalid_request", "the token request must be application/x-www-form-urlencoded")
    try:
        form = parse_query(req.body.decode("utf-8"))
    except UnicodeDecodeError:
        raise OAuthError("invalid_request", "the token request body is not valid UTF-8") from None
    grant = _one(form, "grant_type")
    if not grant:
        raise OAuthError("invalid_request", "grant_type is required")
    if grant not in KNOWN_GRANTS:
        raise OAuthError("unsupported_grant_type", f"grant type {grant} is not supported")

    credentials = req.basic_credentials()
    if credentials is None:
        form_id = _one(form, "client_id")
        if form_id is None:
            raise OAuthError("invalid_client", "client not found")
        credentials = (form_id, _one(form, "client_secret") or "")
        region = _one(form, "region")
        if region is not None and normalize_region(region) is None:
            raise OAuthError("invalid_request", f"unknown region {region}; use a region id such as us-east-1")
    client_id, secret = credentials
    client = server.world.clients.get(client_id)
    if client is None:
        raise OAuthError("invalid_client", "client not found")
    if secret != client.secret:
        raise OAuthError("invalid_client", "authentication failed")
    req.principal = f"client:{client.id}"
    req.org_id = client.org_id
    if grant not in client.grants:
        name = "client_credential" if grant == "client_credentials" else grant
        raise OAuthError("unauthorized_client", f"client is not authorized to use the {name} grant type")
    if grant != "client_credentials":
        raise OAuthError("unsupported_grant_type", f"the mock implements only client_credentials, not {grant}")
    now = server.clock.now()
    issued = server.world.issue_token(client, now, in_use=server.token_in_use)
    req.expires_at = issued.expires_at
    req.detail = fingerprint(issued.token)
    return json_response({"access_token": issued.token, "token_type": "bearer", "expires_in": client.token_ttl - 1})


def _one(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    return values[-1] if values else None


ROUTES = [Route("POST", "/oauth/token", "oauth.token", token, auth="none", dialect="any")]
