"""Credentials: reuse after a 401, use past expiry, relying on the 401, no re-auth, re-login storms."""

from __future__ import annotations

import pytest

from mockgenesys.conformance import ConformanceError, check

from .journals import Rows

CLIENT = "client:c1"


def issue(rows: Rows, t: float, token: str, *, endpoint: str = "oauth.token", expires_at: float = 1000.0) -> None:
    principal = CLIENT if endpoint == "oauth.token" else "fp:guest"
    kind = "http" if endpoint == "oauth.token" else "ws.in"
    rows.add(t, endpoint, 200, principal=principal, detail=token, expires_at=expires_at, kind=kind)


def use(rows: Rows, t: float, token: str, status: int = 200, **fields: object) -> None:
    fields.setdefault("code", "bad.credentials" if status == 401 else None)
    rows.add(t, "organizations.me", status, principal=token, credential=token, **fields)


def rules(rows: Rows, *names: str, **options: float) -> list[str]:
    return [v.rule for v in check(rows.entries, rules=names, **options).violations]  # type: ignore[arg-type]


def test_token_reuse_is_blamed_after_the_401_not_while_in_flight() -> None:
    rows = Rows()
    issue(rows, 0.0, "fp:a")
    use(rows, 1.0, "fp:a", 401)
    use(rows, 1.1, "fp:a", 401, received=1.01)  # live: arrived 10 ms after the 401, already on its way
    assert rules(rows, "token_reuse_after_401") == []
    use(rows, 2.0, "fp:a", 401, received=1.9)
    assert rules(rows, "token_reuse_after_401") == ["token_reuse_after_401"]


def test_token_reuse_after_the_client_switched_to_a_new_token_is_blamed_at_once() -> None:
    rows = Rows()
    issue(rows, 0.0, "fp:a")
    use(rows, 1.0, "fp:a", 401)
    issue(rows, 1.0, "fp:b")
    use(rows, 1.0, "fp:b", received=1.0)
    use(rows, 1.05, "fp:a", 401, received=1.02)  # within in_flight, but after fp:b was in use
    [violation] = check(rows.entries, rules=["token_reuse_after_401"]).violations
    assert violation.caller == CLIENT


def test_expired_guest_jwt_and_relied_on_401_warning() -> None:
    rows = Rows()
    issue(rows, 0.0, "fp:jwt", endpoint="guest.ws.getJwt", expires_at=900.0)
    rows.add(901.0, "webmessaging.messages", 401, credential="fp:jwt", code="bad.credentials")
    rows.add(901.0, "guest.ws.getJwt", 200, detail="fp:jwt2", expires_at=1801.0)
    report = check(rows.entries, rules=["expired_token", "relied_on_401"])
    assert [(v.rule, v.level) for v in report.violations] == [("expired_token", "error"), ("relied_on_401", "warning")]
    assert "guest JWT" in report.violations[0].message
    assert report.errors == report.violations[:1] and report.warnings == report.violations[1:]
    warning_only = check(rows.entries, rules=["relied_on_401"])
    warning_only.assert_ok(warnings=False)
    with pytest.raises(ConformanceError, match=r"\[relied_on_401\] \(warning\)"):
        warning_only.assert_ok()


def test_no_reauth_after_401_but_one_refresh_per_refusal_is_enough() -> None:
    rows = Rows()
    issue(rows, 0.0, "fp:a")
    use(rows, 1.0, "fp:a", 401)
    assert rules(rows, "no_reauth_after_401") == ["no_reauth_after_401"]
    issue(rows, 1.0, "fp:b")
    use(rows, 1.0, "fp:b", 401)  # the fresh token refused too: the call may end here
    assert rules(rows, "no_reauth_after_401") == []
    use(rows, 2.0, "fp:x", 401, code="authentication.required")  # no credential: nothing to refresh
    assert rules(rows, "no_reauth_after_401") == []


def test_no_reauth_after_401_when_the_session_ended_since_is_cured_by_the_new_session() -> None:
    rows = Rows()
    issue(rows, 0.0, "fp:jwt", endpoint="guest.ws.getJwt")
    rows.add(1.0, "webmessaging.messages", 401, principal="fp:guest", credential="fp:jwt", code="bad.credentials")
    assert rules(rows, "no_reauth_after_401") == ["no_reauth_after_401"]
    # the old session's token is refused (4006): the guest starts a new session and its JWT
    rows.add(2.0, "guest.ws.configureSession", 4006, principal="fp:guest", kind="ws.in")
    rows.add(2.0, "guest.ws.getJwt", 200, principal="fp:guest2", detail="fp:jwt2", expires_at=1000.0, kind="ws.in")
    assert rules(rows, "no_reauth_after_401") == []


def test_relogin_storm_after_concurrent_401s_without_single_flight() -> None:
    rows = Rows()
    issue(rows, 0.0, "fp:a")
    for _ in range(3):
        use(rows, 5.0, "fp:a", 401)
    for token in ("fp:b", "fp:c", "fp:d"):  # one fetch per refused caller
        issue(rows, 5.0, token)
    [violation] = check(rows.entries, rules=["relogin_storm"]).violations
    assert "while a valid one existed" in violation.message and len(violation.entries) == 3


def test_relogin_loop_of_fresh_credentials_refused_at_once() -> None:
    rows = Rows()
    issue(rows, 0.0, "fp:a")
    use(rows, 0.0, "fp:a")
    for n in range(5):
        issue(rows, 1.0, f"fp:{n}")
        use(rows, 1.0, f"fp:{n}", 401)
    assert rules(rows, "relogin_storm") == ["relogin_storm"]
    assert rules(rows, "relogin_storm", max_relogins=5) == []
