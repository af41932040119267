"""``LoadConfig``: how many of each user, what they do and how long they think, from a small file.

.. code-block:: yaml

    guest:
      weight: 10                 # relative share of users that are guests
      think_time: [1.0, 3.0]     # seconds between two tasks, uniform
      max_messages: 50           # a guest stops after sending this many (bounded work)
      tasks: {send: 10, history: 2, refresh_jwt: 1, reconnect: 1}
    platform:
      weight: 1
      think_time: [1.0, 2.0]
      tasks: {get_conversation: 3, search_contacts: 2, get_contact: 2, organization: 1}

Every field is optional; a missing one keeps its default. A wrong one raises ``LoadConfigError``
naming the file, the field path (``guest.tasks.sned``) and the valid choices.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mockgenesys.load.errors import LoadConfigError

GUEST_TASKS = ("send", "history", "refresh_jwt", "reconnect")
PLATFORM_TASKS = ("get_conversation", "search_contacts", "get_contact", "organization")
MAX_THINK_SECONDS = 3600.0
MAX_MESSAGES = 100_000


@dataclass(frozen=True)
class UserLoad:
    """One kind of user: its share of the users, its think time and its task weights."""

    weight: int
    think_time: tuple[float, float]
    tasks: Mapping[str, int]
    max_messages: int = 0  # guests only: the most messages one guest sends

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"weight": self.weight, "think_time": list(self.think_time), "tasks": dict(self.tasks)}
        if self.max_messages:
            data["max_messages"] = self.max_messages
        return data


def _default_guest() -> UserLoad:
    return UserLoad(10, (1.0, 3.0), {"send": 10, "history": 2, "refresh_jwt": 1, "reconnect": 1}, max_messages=50)


def _default_platform() -> UserLoad:
    return UserLoad(1, (1.0, 2.0), {"get_conversation": 3, "search_contacts": 2, "get_contact": 2, "organization": 1})


@dataclass(frozen=True)
class LoadConfig:
    """The users of a load run: ``guest`` (the web-messaging protocol) and ``platform`` (OAuth + REST).

    config = LoadConfig.from_dict({"guest": {"think_time": [0.5, 1]}, "platform": {"weight": 0}})
    assert config.guest.think_time == (0.5, 1.0)
    """

    guest: UserLoad = field(default_factory=_default_guest)
    platform: UserLoad = field(default_factory=_default_platform)

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "<config>") -> LoadConfig:
        """Validate ``data`` (a parsed YAML/JSON document); ``LoadConfigError`` names the bad field."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise LoadConfigError(source, "", f"a load config is a mapping with guest and platform, got {data!r}.")
        _known(source, "", data, ("guest", "platform"))
        guest = _user(source, "guest", data.get("guest"), _default_guest(), GUEST_TASKS)
        platform = _user(source, "platform", data.get("platform"), _default_platform(), PLATFORM_TASKS)
        if guest.weight == 0 and platform.weight == 0:
            raise LoadConfigError(source, "", "guest.weight and platform.weight are both 0; give one a weight > 0.")
        return cls(guest=guest, platform=platform)

    @classmethod
    def load(cls, path: str | Path) -> LoadConfig:
        """Read a YAML or JSON file."""
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise LoadConfigError(str(file), "", f"cannot be read ({exc.strerror}); give a readable file.") from None
        try:
            data = json.loads(text) if file.suffix == ".json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            raise LoadConfigError(
                str(file), "", f"is not valid {'JSON' if file.suffix == '.json' else 'YAML'}: {exc}"
            ) from None
        return cls.from_dict(data, source=str(file))

    def to_dict(self) -> dict[str, Any]:
        return {"guest": self.guest.to_dict(), "platform": self.platform.to_dict()}


def _known(source: str, path: str, data: Mapping[str, Any], valid: tuple[str, ...]) -> None:
    for key in data:
        if key not in valid:
            close = difflib.get_close_matches(str(key), valid, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            where = f"{path}.{key}" if path else str(key)
            raise LoadConfigError(source, where, f"is not a field{hint}; valid: {', '.join(valid)}.")


def _whole(source: str, path: str, value: Any, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise LoadConfigError(source, path, f"must be a whole number from 0 to {high}, got {value!r}.")
    return value


def _user(source: str, path: str, data: Any, default: UserLoad, tasks: tuple[str, ...]) -> UserLoad:
    if data is None:
        return default
    if not isinstance(data, dict):
        raise LoadConfigError(source, path, f"must be a mapping, got {data!r}.")
    fields = ("weight", "think_time", "tasks", "max_messages") if path == "guest" else ("weight", "think_time", "tasks")
    _known(source, path, data, fields)
    weight = _whole(source, f"{path}.weight", data.get("weight", default.weight), 1000)
    think = data.get("think_time", list(default.think_time))
    if isinstance(think, (int, float)) and not isinstance(think, bool):
        think = [think, think]
    if (
        not isinstance(think, list)
        or len(think) != 2
        or not all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in think)
        or not 0 <= think[0] <= think[1] <= MAX_THINK_SECONDS
    ):
        raise LoadConfigError(
            source,
            f"{path}.think_time",
            f"must be seconds [low, high] with 0 <= low <= high <= {MAX_THINK_SECONDS:g} (or one number), got {think!r}.",
        )
    weights = dict(default.tasks)
    given = data.get("tasks")
    if given is not None:
        if not isinstance(given, dict):
            raise LoadConfigError(source, f"{path}.tasks", f"must map task names to weights, got {given!r}.")
        _known(source, f"{path}.tasks", given, tasks)
        weights.update({str(k): _whole(source, f"{path}.tasks.{k}", v, 1000) for k, v in given.items()})
    if weight and not any(weights.values()):
        raise LoadConfigError(source, f"{path}.tasks", "every task weight is 0; give one task a weight > 0.")
    messages = default.max_messages
    if "max_messages" in data:
        messages = _whole(source, f"{path}.max_messages", data["max_messages"], MAX_MESSAGES)
    return UserLoad(weight, (float(think[0]), float(think[1])), weights, max_messages=messages)
