"""Plugin settings: the ``--genesys-*`` options and the ``genesys`` marker, validated once.

Only the standard library, pytest and ``mockgenesys.errors`` are imported here: a project that installs mockgenesys
but never requests its fixtures pays nothing for it at collection time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mockgenesys.errors import ConfigError

MARKER = "genesys"
MARKER_DOC = (
    "genesys(seed=None, faults=None, scenario=None, strict=False, limits=None, dialect='both'): configure the "
    "mockgenesys "
    "fixtures (genesys_mock, genesys_server, genesys_client, genesys_intercept)"
)
MARKER_FIELDS = ("seed", "faults", "scenario", "strict", "limits", "dialect")
DIALECTS = ("real", "seed", "both")
DEFAULT_SEED = 0


@dataclass(frozen=True)
class Settings:
    """The effective command-line / ini settings of one pytest run."""

    seed: int = DEFAULT_SEED
    seed_source: str = "default"
    report_dir: Path | None = None

    def header(self) -> str:
        report = str(self.report_dir) if self.report_dir is not None else "off"
        return f"mockgenesys: seed={self.seed} ({self.seed_source}), report={report}"


@dataclass(frozen=True)
class MarkerOptions:
    """What ``@pytest.mark.genesys(...)`` asked for, merged over the run's settings."""

    seed: int = DEFAULT_SEED
    faults: tuple[Any, ...] = ()
    scenario: str | None = None
    strict: bool = False
    limits: dict[str, Any] | None = None
    dialect: str = "both"


class MarkerError(ConfigError):
    """A ``genesys`` marker argument is invalid; the message says how to fix it."""


def parse_seed(value: object, where: str) -> int:
    """A seed from an option, ini value or marker: a whole number >= 0."""
    if isinstance(value, bool):
        raise MarkerError(f"{where} must be a whole number >= 0, got {value!r}.")
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    if isinstance(value, int) and value >= 0:
        return value
    raise MarkerError(f"{where} must be a whole number >= 0, got {value!r}.")


def read_settings(config: pytest.Config) -> Settings:
    """The run's settings; a command-line flag overrides its ini key. Raises ``pytest.UsageError``."""
    seed, source = DEFAULT_SEED, "default"
    option_seed = config.getoption("genesys_seed")
    ini_seed = config.getini("genesys_seed")
    try:
        if option_seed is not None:
            seed, source = parse_seed(option_seed, "--genesys-seed"), "--genesys-seed"
        elif ini_seed:
            seed, source = parse_seed(ini_seed, "the genesys_seed ini key"), "ini"
    except MarkerError as exc:
        raise pytest.UsageError(f"{exc} Example: --genesys-seed 7") from None
    report: str | None = config.getoption("genesys_report") or config.getini("genesys_report") or None
    report_dir = None
    if report is not None:
        report_dir = Path(report)
        if not report_dir.is_absolute():
            report_dir = Path(config.invocation_params.dir) / report_dir
        if report_dir.exists() and not report_dir.is_dir():
            raise pytest.UsageError(
                f"--genesys-report must name a directory, but {report_dir} is a file; pass a directory path."
            )
    return Settings(seed=seed, seed_source=source, report_dir=report_dir)


def marker_options(node: pytest.Item, settings: Settings) -> MarkerOptions:
    """Merge the closest ``genesys`` marker over ``settings``; raises ``MarkerError``."""
    marker = node.get_closest_marker(MARKER)
    if marker is None:
        return MarkerOptions(seed=settings.seed)
    if marker.args:
        raise MarkerError(
            f"@pytest.mark.genesys takes keyword arguments only ({', '.join(MARKER_FIELDS)}), got positional "
            f"{marker.args!r}; write e.g. @pytest.mark.genesys(seed=7)."
        )
    unknown = sorted(set(marker.kwargs) - set(MARKER_FIELDS))
    if unknown:
        raise MarkerError(
            f"@pytest.mark.genesys got unknown argument(s) {', '.join(unknown)}; valid: {', '.join(MARKER_FIELDS)}."
        )
    kwargs = marker.kwargs
    seed = settings.seed if kwargs.get("seed") is None else parse_seed(kwargs["seed"], "genesys(seed=...)")
    faults = kwargs.get("faults") or ()
    if isinstance(faults, dict):
        faults = (faults,)
    if not isinstance(faults, (list, tuple)):
        raise MarkerError(
            f"genesys(faults=...) must be a list of fault rules (dicts or FaultRule), got {faults!r}; "
            'e.g. faults=[{"match": {"endpoint": "oauth.token"}, "then": {"status": 503}}].'
        )
    scenario = kwargs.get("scenario")
    if scenario is not None and not isinstance(scenario, (str, Path)):
        raise MarkerError(f"genesys(scenario=...) must be a scenario name or a file path, got {scenario!r}.")
    strict = kwargs.get("strict", False)
    if not isinstance(strict, bool):
        raise MarkerError(f"genesys(strict=...) must be True or False, got {strict!r}.")
    limits = kwargs.get("limits")
    if limits is not None and not isinstance(limits, dict):
        raise MarkerError(
            f'genesys(limits=...) must be a dict of rate limits, e.g. {{"enabled": False}}, got {limits!r}.'
        )
    dialect = kwargs.get("dialect", "both")
    if dialect not in DIALECTS:
        raise MarkerError(
            f"genesys(dialect=...) must be one of {', '.join(map(repr, DIALECTS))}, got {dialect!r}; "
            "'real' answers the tutorials' seed paths with 404 and makes strict=True fail on them."
        )
    return MarkerOptions(
        seed=seed,
        faults=tuple(faults),
        scenario=None if scenario is None else str(scenario),
        strict=strict,
        limits=limits,
        dialect=dialect,
    )
