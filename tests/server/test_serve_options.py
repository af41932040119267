"""``mockgenesys serve --limit NAME=N``: parsed into the mock's rate limits (the CLI's serve part)."""

from __future__ import annotations

import pytest

from mockgenesys import MockGenesys
from mockgenesys.cli import main, parse_limits
from mockgenesys.errors import MockGenesysError


def test_parse_limits_sets_numbers_and_off() -> None:
    limits = parse_limits(["token_per_minute=600", "org_history_per_second=off"])
    assert limits == {"token_per_minute": 600, "org_history_per_second": None}
    mock = MockGenesys(seed=1, limits=limits)
    assert mock.limits.token_per_minute == 600
    assert mock.limits.org_history_per_second is None
    assert mock.limits.enabled


def test_parse_limits_keeps_no_limits() -> None:
    assert parse_limits(["token_per_minute=5"], enabled=False) == {"enabled": False, "token_per_minute": 5}


@pytest.mark.parametrize("item", ["token_per_minute", "=5", "token_per_minute=lots"])
def test_parse_limits_rejects_bad_items(item: str) -> None:
    with pytest.raises(MockGenesysError, match="--limit"):
        parse_limits([item])


def test_serve_rejects_unknown_limit_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "0", "--limit", "tokens=5"]) == 2
    assert "valid names" in capsys.readouterr().err
