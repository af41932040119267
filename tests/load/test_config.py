from __future__ import annotations

from pathlib import Path

import pytest

from mockgenesys.errors import ConfigError
from mockgenesys.load import LoadConfig, LoadConfigError


def test_config_defaults_weigh_guests_over_platform_users() -> None:
    config = LoadConfig()
    assert config.guest.weight == 10 and config.platform.weight == 1
    assert config.guest.max_messages == 50 and set(config.guest.tasks) == {
        "send",
        "history",
        "refresh_jwt",
        "reconnect",
    }


def test_config_from_dict_overrides_only_what_it_names() -> None:
    config = LoadConfig.from_dict({"guest": {"think_time": 0.5, "tasks": {"reconnect": 0}}, "platform": {"weight": 0}})
    assert config.guest.think_time == (0.5, 0.5)
    assert config.guest.tasks["reconnect"] == 0 and config.guest.tasks["send"] == 10
    assert config.platform.weight == 0
    assert LoadConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"guests": {}}, "guests: is not a field (did you mean guest?); valid: guest, platform."),
        ({"guest": {"tasks": {"sned": 1}}}, "guest.tasks.sned: is not a field (did you mean send?)"),
        ({"guest": {"think_time": [3, 1]}}, "guest.think_time: must be seconds [low, high]"),
        ({"guest": {"weight": -1}}, "guest.weight: must be a whole number from 0 to 1000, got -1."),
        ({"platform": {"max_messages": 3}}, "platform.max_messages: is not a field"),
        ({"guest": {"weight": 0}, "platform": {"weight": 0}}, "both 0; give one a weight > 0."),
        ({"guest": {"tasks": {"send": 0, "history": 0, "refresh_jwt": 0, "reconnect": 0}}}, "every task weight is 0"),
        ([1], "a load config is a mapping with guest and platform"),
    ],
)
def test_config_rejects_bad_fields_with_their_path(data: object, message: str) -> None:
    with pytest.raises(LoadConfigError) as caught:
        LoadConfig.from_dict(data, source="load.yaml")
    assert str(caught.value).startswith("load.yaml: ") and message in str(caught.value)
    assert isinstance(caught.value, ConfigError)


def test_config_loads_yaml_and_json_files(tmp_path: Path) -> None:
    (tmp_path / "load.yaml").write_text("guest:\n  max_messages: 5\n", encoding="utf-8")
    (tmp_path / "load.json").write_text('{"platform": {"think_time": [0, 2]}}', encoding="utf-8")
    assert LoadConfig.load(tmp_path / "load.yaml").guest.max_messages == 5
    assert LoadConfig.load(tmp_path / "load.json").platform.think_time == (0.0, 2.0)
    (tmp_path / "bad.yaml").write_text("guest: [", encoding="utf-8")
    with pytest.raises(LoadConfigError, match=r"bad.yaml: is not valid YAML"):
        LoadConfig.load(tmp_path / "bad.yaml")
    with pytest.raises(LoadConfigError, match=r"cannot be read"):
        LoadConfig.load(tmp_path / "missing.yaml")
