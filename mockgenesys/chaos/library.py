"""The built-in scenario library: ``scenarios/*.yaml``, inside the wheel or in a checkout."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from mockgenesys.chaos.errors import ScenarioError
from mockgenesys.chaos.scenario import Scenario

_PACKAGE = Path(__file__).resolve().parent.parent


def library_dirs() -> list[Path]:
    """Where built-in scenarios live: ``mockgenesys/scenarios`` (wheel) and ``scenarios/`` (checkout)."""
    candidates = [_PACKAGE / "scenarios", _PACKAGE.parent / "scenarios"]
    return [path for path in candidates if path.is_dir()]


def builtin_paths() -> dict[str, Path]:
    """Built-in scenario names (file stems) and their files, sorted by name."""
    found: dict[str, Path] = {}
    for directory in library_dirs():
        for path in sorted(directory.glob("*.yaml")):
            found.setdefault(path.stem, path)
    return dict(sorted(found.items()))


def builtin_scenarios() -> list[Scenario]:
    """Every built-in scenario, loaded and validated."""
    return [_load(name, path) for name, path in builtin_paths().items()]


def load_builtin(name: str) -> Scenario:
    """A built-in scenario by name (``storm-429-retry-after``)."""
    paths = builtin_paths()
    if name not in paths:
        raise ScenarioError(
            name, "", f"no built-in scenario of that name; known: {', '.join(paths) or '(none found)'}."
        )
    return _load(name, paths[name])


def _load(name: str, path: Path) -> Scenario:
    return replace(Scenario.load(path), source=f"builtin:{name}")


def resolve(reference: str) -> Scenario:
    """A scenario from a file path or a built-in name (``all`` is handled by the caller)."""
    path = Path(reference)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return Scenario.load(path)
    return load_builtin(reference)
