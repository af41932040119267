"""A Node.js client performing the second tutorial's flow against a live mock."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mockgenesys import MockGenesys

pytestmark = [pytest.mark.node, pytest.mark.live]
CLIENT = Path(__file__).with_name("client.mjs")


def test_node_tutorial_flow_against_live_mock() -> None:
    node = shutil.which("node")
    assert node, "Node.js 18+ is required for this test (the project's machines ship Node 20)."
    mock = MockGenesys(seed=7)
    with mock.serve() as url:
        env = {
            **os.environ,
            "GENESYS_BASE_URL": url,
            "GENESYS_CLIENT_ID": mock.client_id,
            "GENESYS_CLIENT_SECRET": mock.client_secret,
            "GENESYS_ORGANIZATION_ID": mock.org_id,
            "HMAC_SECRET": "node-test-secret",
        }
        run = subprocess.run([node, str(CLIENT)], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["token"] == {"tokenType": "bearer", "expiresIn": 86399}
    session = mock.world.seed_sessions[result["session"]["id"]]
    assert result["session"]["status"] == 200 and result["session"]["tokenPatternOk"]
    signing_input = f"{session.id}:{session.session_token}:{session.expiration_seconds}"
    expected = hmac.new(b"node-test-secret", signing_input.encode(), hashlib.sha256).hexdigest()
    assert result["session"]["hmac"] == expected
    assert session.metadata == {"source": "automated_gw", "region": "us-east-1", "campaign": "onboarding_v3"}
    assert result["tooShort"] == {"status": 400, "code": "invalid.value", "field": "expirationSeconds"}
    assert result["bigMetadata"] == {
        "status": 400,
        "message": "Metadata exceeds maximum key size limit (2KB). Reduce custom attributes.",
    }
    assert result["replay"] == {"status": 409, "code": "conflict"}
    assert result["badSecret"]["status"] == 400 and result["badSecret"]["body"]["error"] == "invalid_client"
    statuses = [e.status for e in mock.journal.calls("sessions.create")]
    assert statuses == [200, 400, 400, 409]
    assert [e.status for e in mock.journal.calls("oauth.token")] == [200, 400]
