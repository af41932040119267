"""``serve --retention NAME=N`` / ``MockGenesys(retention=...)`` and ``GET /__admin/retention``."""

from __future__ import annotations

import json

import httpx
import pytest

from bench.soak import plateau, slope_per_min, verdict
from mockgenesys import MockGenesys, VirtualClock
from mockgenesys.cli import main, parse_retention
from mockgenesys.errors import ConfigError
from mockgenesys.faults.ratelimit import Limiter, RateLimits
from mockgenesys.world.retention import Retention


def test_retention_option_sets_the_bounds_and_reset_and_load_world_keep_them() -> None:
    bounds = parse_retention(["guest_sessions=50", "seed_sessions=7", "expired_grace=1.5"])
    assert bounds == {"guest_sessions": 50, "seed_sessions": 7, "expired_grace": 1.5}
    mock = MockGenesys(seed=1, retention=bounds)
    expected = Retention(guest_sessions=50, seed_sessions=7, expired_grace=1.5)
    assert mock.world.retention == expected
    mock.reset()
    assert mock.world.retention == expected
    mock.load_world(mock.world.snapshot())
    assert mock.world.retention == expected
    assert MockGenesys(seed=1).world.retention == Retention()


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("guest_session=5", "--retention guest_session is not a retention bound (did you mean guest_sessions"),
        ("guest_sessions", "--retention takes NAME=N"),
        ("guest_sessions=1.5", "--retention guest_sessions needs a whole number from 1 to 1e9, got '1.5'."),
        ("guest_sessions=0", "Retention.guest_sessions must be a whole number from 1 to 1e9, got 0."),
        ("expired_grace=nan", "Retention.expired_grace must be a number of seconds from 1 to 1e9"),
        ("expired_grace=soon", "--retention expired_grace needs a number of seconds"),
    ],
)
def test_retention_option_refuses_a_typo_or_a_bad_value_in_one_sentence(
    item: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--port", "0", "--retention", item]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("retention", "message"),
    [({"sessions": 5}, r"Unknown retention setting\(s\) \['sessions'\]"), ("small", "retention must be a Retention")],
)
def test_retention_option_in_python_is_checked_too(retention: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        MockGenesys(seed=1, retention=retention)  # type: ignore[arg-type]


async def test_retention_admin_route_shows_bounds_and_sizes_within_them() -> None:
    mock = MockGenesys(seed=1, clock=VirtualClock(), limits={"enabled": False}, retention={"guest_sessions": 3})
    for n in range(6):
        async with mock.connect_guest() as socket:
            configure = {"action": "configureSession", "token": f"guest-{n}", "deploymentId": mock.deployment_id}
            await socket.send(json.dumps(configure))
    transport = httpx.ASGITransport(app=mock.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as admin:
        answer = (await admin.get("/__admin/retention")).json()
    assert answer["bounds"]["guest_sessions"] == 3 and answer["bounds"]["access_tokens"] == mock.world.max_tokens
    assert answer["sizes"]["guest_sessions"] == 3 == len(mock.world.guest_sessions)
    assert answer["sizes"]["conversations"] == 6 and answer["sizes"]["refresh_tokens"] == 0


def test_retention_soak_verdict_is_the_slope_after_the_fill() -> None:
    assert slope_per_min([(0.0, 10.0), (60.0, 12.0), (120.0, 14.0)]) == pytest.approx(2.0)
    stores = {"bounds": {"guest_sessions": 10}, "sizes": {"guest_sessions": 10}}
    rising = [{"t": float(t), "rss_mib": 50.0 + t} for t in range(0, 300, 10)]
    level = [{"t": float(t), "rss_mib": 50.0 + min(t, 100) + (t % 20) / 10} for t in range(0, 300, 10)]
    assert not plateau(rising, 120.0, stores)["flat"]
    flat = plateau(level, 120.0, stores)
    assert flat["flat"] and flat["start_mib"] == 150.0 and flat["max_mib"] == 151.0
    assert verdict({"plateau": flat}).startswith("soak verdict: FLAT: RSS slope +0.")
    over = plateau(level, 120.0, {"bounds": {"guest_sessions": 10}, "sizes": {"guest_sessions": 11}})
    assert not over["flat"] and "over their bound: {'guest_sessions': 11}" in verdict({"plateau": over})


def test_retention_rate_limit_table_holds_the_running_windows_not_every_key_seen() -> None:
    limiter = Limiter(RateLimits())
    for n in range(1000):  # one new key a second, each window a minute long
        limiter.window("ws", f"guest-{n}", 60, 60.0, float(n)).hit(float(n))
    assert 60 <= len(limiter.windows(10_000)) < 100  # the 60 running ones and a few ended ones on their way out
    assert limiter.is_active("ws", "guest-999", 999.0) and not limiter.is_active("ws", "guest-0", 999.0)
