"""Genesys' official JavaScript platform SDK, unmodified, against a live mock.

The SDK comes from npm at the version ``tests/node/package-lock.json`` pins; ``npm ci`` installs
it into ``tests/node/node_modules`` the first time (``.ci/run`` does it up front).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mockgenesys import MockGenesys

pytestmark = [pytest.mark.node, pytest.mark.live]
HERE = Path(__file__).parent
SDK = HERE / "node_modules" / "purecloud-platform-client-v2"


def node_and_sdk() -> str:
    """The ``node`` executable, with the pinned SDK installed next to this file."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "Node.js 18+ and npm are required for this test (the project's machines ship Node 20)."
    if not SDK.is_dir():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, f"npm ci in {HERE} failed: {done.stderr[-800:]}"
    return node


def test_node_platform_sdk_against_live_mock() -> None:
    node = node_and_sdk()
    mock = MockGenesys(seed=7)
    conversation_id = next(iter(mock.world.conversations))
    with mock.serve() as url:
        env = {
            **os.environ,
            "GENESYS_BASE_URL": url,
            "GENESYS_CLIENT_ID": mock.client_id,
            "GENESYS_CLIENT_SECRET": mock.client_secret,
            "GENESYS_DEPLOYMENT_ID": mock.deployment_id,
            "GENESYS_CONVERSATION_ID": conversation_id,
            "GENESYS_GUEST_JWT": mock.guest_jwt(conversation_id),
            "HOME": str(HERE),  # the SDK reads ~/.genesyscloudjavascript/config if it exists
        }
        run = subprocess.run(
            [node, str(HERE / "sdk.mjs")], env=env, capture_output=True, text=True, timeout=120, check=False
        )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout)
    conversation = mock.world.conversations[conversation_id]
    assert result["login"] == {"hasToken": True, "expiresInFuture": True}
    assert result["organization"] == {"id": mock.org_id, "name": mock.world.default_org.name}
    assert result["usersMe"]["status"] == 400 and "requires a user context" in result["usersMe"]["message"]
    assert result["contacts"]["total"] == len(mock.world.contacts)
    assert result["contacts"]["identifiers"] == 2 and result["contacts"]["foundById"]
    assert result["missingContact"]["status"] == 404 and result["missingContact"]["code"] == "not.found"
    assert result["conversations"] == {
        "participants": len(conversation.participants),
        "ids": len(conversation.messages),
        "bulk": len(conversation.messages),
        "bulkHasText": True,
        "outboundNamed": True,
        "oneId": True,
    }
    assert result["listing"]["status"] == 400
    assert result["tooManyIds"]["status"] == 400 and result["tooManyIds"]["code"] == "invalid.value"
    assert result["exchange"] == {"jwtParts": 3, "hasRefreshToken": True, "refreshedParts": 3, "rotated": False}
    assert result["badExchange"]["status"] == 400
    assert result["history"] == {
        "total": len(conversation.messages),
        "pageCount": -(-len(conversation.messages) // 25),
        "entities": min(25, len(conversation.messages)),
        "newestFirst": True,
        "outboundNamed": True,
    }
    assert result["afterRevoke"]["status"] == 401
    assert result["badToken"] == {"status": 401, "code": "bad.credentials", "message": "Invalid login credentials."}
    assert [e.status for e in mock.journal.calls("oauth.token")] == [200]
    assert mock.journal.calls("webdeployments.token.exchange", status=200)
    mock.check().assert_ok()
