"""Web deployments: guest JWT exchange, refresh and revoke, and the public config JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockgenesys.journal import fingerprint
from mockgenesys.server.guests import open_session
from mockgenesys.server.http import ApiError, MockRequest, MockResponse, Route, json_response
from mockgenesys.server.operations import OBJECT, STRING, Operation, obj
from mockgenesys.server.params import invalid, json_body, json_object
from mockgenesys.server.websocket.auth import log_out
from mockgenesys.world.models import Deployment, RefreshToken

if TYPE_CHECKING:
    from mockgenesys.server.core import Server
    from mockgenesys.world.models import GuestSession

REFRESH_TTL = 86400
OAUTH_FIELDS = ("code", "idToken", "redirectUri", "nonce", "maxAge", "codeVerifier", "iss")


def _deployment(server: Server, deployment_id: Any, field: str = "deploymentId") -> Deployment:
    if not isinstance(deployment_id, str) or not deployment_id:
        raise invalid(field, f"{field} is required: the id of a web deployment.")
    deployment = server.world.deployments.get(deployment_id)
    if deployment is None:
        raise ApiError(404, "not.found", f"Web deployment {deployment_id} was not found.")
    return deployment


def exchange(server: Server, req: MockRequest) -> MockResponse:
    body = json_body(req)
    deployment = _deployment(server, body.get("deploymentId"))
    oauth = body.get("oauth")
    if not isinstance(oauth, dict):
        raise invalid("oauth", "oauth is required: an object with the authorization code or idToken.")
    unknown = sorted(set(oauth) - set(OAUTH_FIELDS))
    if unknown:
        raise invalid(f"oauth.{unknown[0]}", f"Unknown oauth field(s) {unknown}; valid: {', '.join(OAUTH_FIELDS)}.")
    if not (isinstance(oauth.get("code"), str) and oauth["code"]) and not (
        isinstance(oauth.get("idToken"), str) and oauth["idToken"]
    ):
        raise invalid("oauth.code", "oauth.code (or oauth.idToken) is required to exchange for a guest JWT.")
    now = server.clock.now()
    session = open_session(server.world, deployment, "auth-" + server.world.new_token(16), now, authenticated=True)
    subject = str(oauth.get("code") or oauth.get("idToken"))
    session.user_id, session.first_name, session.last_name = server.hub.users.get(subject, (subject, "", ""))
    refresh = RefreshToken(token=server.world.new_token(32), session_id=session.id, expires_at=now + REFRESH_TTL)
    server.world.refresh_tokens[refresh.token] = refresh
    jwt_token = _issue(server, req, session, deployment)
    return json_response({"refreshToken": refresh.token, "jwt": jwt_token})


def refresh(server: Server, req: MockRequest) -> MockResponse:
    body = json_object(req, allow_null=True)
    if body is None:
        raise invalid("refreshToken", 'refreshToken is required in the body: {"refreshToken": "..."}.')
    token = body.get("refreshToken")
    if not isinstance(token, str) or not token:
        raise invalid("refreshToken", "refreshToken is required: the refreshToken from the JWT exchange.")
    now = server.clock.now()
    record = server.world.refresh_tokens.get(token)
    session = server.world.guest_sessions.get(record.session_id) if record else None
    if record is None or record.revoked or record.expires_at <= now or session is None or session.closed:
        raise ApiError(401, "bad.credentials", "Invalid login credentials.")
    if "deploymentId" in body and body["deploymentId"] != session.deployment_id:
        raise invalid("deploymentId", "deploymentId does not match the deployment of this refresh token.")
    jwt_token = _issue(server, req, session, server.world.deployments[session.deployment_id])
    return json_response({"jwt": jwt_token})


def _issue(server: Server, req: MockRequest, session: GuestSession, deployment: Deployment) -> str:
    """A guest JWT for ``session``, journaled as issued (its fingerprint and expiry)."""
    jwt_token, exp = server.mint_guest_jwt(session, deployment.jwt_ttl)
    req.principal = f"guest:{session.id}"
    req.detail = fingerprint(jwt_token)
    req.expires_at = float(exp)
    return jwt_token


def revoke(server: Server, req: MockRequest) -> MockResponse:
    session = req.require_guest()
    session.jwt_generation += 1
    for record in server.world.refresh_tokens.values():
        if record.session_id == session.id:
            record.revoked = True
    log_out(server.hub.sockets, session)
    return MockResponse(204, b"", content_type=None)


def config(server: Server, req: MockRequest) -> MockResponse:
    deployment = server.world.deployments.get(req.params["deploymentId"])
    if deployment is None:
        raise ApiError(404, "not.found", f"Web deployment {req.params['deploymentId']} was not found.")
    return json_response(config_view(deployment, f"http://{req.headers.get('host', '127.0.0.1')}"))


def config_view(deployment: Deployment, base_url: str = "http://127.0.0.1") -> dict[str, Any]:
    """The public Messenger deployment configuration (``config.json``), with every field Genesys'
    transport requires (``shyrka/receive/DeploymentConfig.kt``): ``version`` as a string,
    ``messenger.styles``, ``messenger.launcherButton``, ``messenger.fileUpload``,
    ``journeyEvents`` and ``auth``; the endpoints point at the mock (``base_url``)."""
    ws_url = "ws" + base_url.removeprefix("http")
    return {
        "id": deployment.id,
        "version": "1",
        "languages": ["en-us"],
        "defaultLanguage": "en-us",
        "apiEndpoint": base_url,
        "messenger": {
            "enabled": True,
            "apps": {
                "conversations": {
                    "enabled": True,
                    "messagingEndpoint": ws_url,
                    "showAgentTypingIndicator": True,
                    "showUserTypingIndicator": True,
                    "autoStart": {"enabled": False},
                    "conversationDisconnect": {
                        "enabled": deployment.read_only_after_disconnect,
                        "type": "ReadOnly" if deployment.read_only_after_disconnect else "Send",
                    },
                    "conversationClear": {"enabled": deployment.conversation_clear_enabled},
                    "markdown": {"enabled": True},
                    "notifications": {"enabled": False, "notificationContentType": "ExcludeMessagesContent"},
                }
            },
            "styles": {"primaryColor": deployment.primary_color},
            "launcherButton": {"visibility": deployment.launcher_visibility},
            "fileUpload": {
                "enableAttachments": bool(deployment.allowed_file_types),
                "modes": [
                    {"fileTypes": list(deployment.allowed_file_types), "maxFileSizeKB": deployment.max_file_size_kb}
                ],
            },
        },
        "journeyEvents": {"enabled": False},
        "status": deployment.status,
        "auth": {"enabled": deployment.auth_enabled, "allowSessionUpgrade": deployment.allow_session_upgrade},
    }


EXCHANGE = Operation(
    "Exchange an authorization code (or idToken) for a guest JWT and a refresh token",
    body=obj({"deploymentId": STRING, "oauth": obj({name: STRING for name in OAUTH_FIELDS})}, "deploymentId", "oauth"),
    response=obj({"refreshToken": STRING, "jwt": STRING}, "refreshToken", "jwt"),
    errors=(404,),
)
REFRESH = Operation(
    "A new guest JWT for a refresh token",
    body=obj({"refreshToken": STRING, "deploymentId": STRING}, "refreshToken"),
    response=obj({"jwt": STRING}, "jwt"),
    errors=(401,),
)
CONFIG = Operation(
    "The Messenger deployment configuration (public)",
    response=obj({"id": STRING, "version": STRING, "messenger": OBJECT, "auth": OBJECT}, "id", "version", "messenger"),
)
_TOKEN = "/api/v2/webdeployments/token"
ROUTES = [
    Route(
        "POST",
        _TOKEN + "/oauthcodegrantjwtexchange",
        "webdeployments.token.exchange",
        exchange,
        auth="none",
        api=EXCHANGE,
    ),
    Route("POST", _TOKEN + "/refresh", "webdeployments.token.refresh", refresh, auth="none", api=REFRESH),
    Route(
        "DELETE",
        _TOKEN + "/revoke",
        "webdeployments.token.revoke",
        revoke,
        auth="guest",
        api=Operation("Revoke the guest's JWTs and refresh tokens, and log it out", ok=204, response=None),
    ),
    Route(
        "GET",
        "/webdeployments/v1/deployments/{deploymentId}/config.json",
        "webdeployments.config",
        config,
        auth="none",
        api=CONFIG,
    ),
]
