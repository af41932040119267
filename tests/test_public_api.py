"""The public API is what the docs say: honest ``__all__`` lists and one drawn exception tree."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest

import mockgenesys
from mockgenesys import errors
from mockgenesys.errors import MockGenesysError

ROOT = Path(__file__).resolve().parents[1]
DOCS = "\n".join(path.read_text(encoding="utf-8") for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
MODULES = [
    importlib.import_module(info.name)
    for info in pkgutil.walk_packages(mockgenesys.__path__, "mockgenesys.")
    # Locust's users import Locust, which patches the standard library for gevent: never in this
    # process (tests/load runs them in Locust's own processes).
    if info.name not in ("mockgenesys.__main__", "mockgenesys.load.users", "mockgenesys.load.locustfile")
]
PACKAGES = [mockgenesys, *(module for module in MODULES if hasattr(module, "__path__"))]


def isort_key(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps: CONSTANTS, then Classes, then everything else."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def _documented(package: ModuleType, name: str, value: object) -> bool:
    """A docstring of its own, or a mention in the package's docstring, the README or docs/."""
    if inspect.isclass(value) or inspect.isfunction(value):
        doc = value.__dict__.get("__doc__") if inspect.isclass(value) else value.__doc__
        # a dataclass without a docstring gets its signature as __doc__
        if doc and not str(doc).startswith(f"{name}("):
            return True
    return bool(re.search(rf"`{re.escape(name)}\b", (package.__doc__ or "") + DOCS))


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_public_api_all_is_sorted_and_honest(package: ModuleType) -> None:
    names = list(package.__all__)
    assert names == sorted(set(names), key=isort_key), f"{package.__name__}.__all__ is not sorted or has doubles"
    for name in names:
        assert hasattr(package, name), f"{package.__name__}.__all__ names {name}, which it does not have"
        assert not name.startswith("_") or name == "__version__", f"{package.__name__}.__all__ exports private {name}"
        assert _documented(package, name, getattr(package, name)), f"{package.__name__}.{name} has no documentation"


def test_public_api_root_exports_what_the_design_names() -> None:
    assert {"MockGenesys", "VirtualClock", "SystemClock", "FaultRule", "FaultPlan", "MockGenesysError"} <= set(
        mockgenesys.__all__
    )


def _exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for module in [mockgenesys, *MODULES]:
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found[f"{module.__name__}.{name}"] = value
    return found


def test_public_api_every_exception_is_under_the_one_root() -> None:
    """The client core keeps its own root, ``ClientError``, drawn in ``mockgenesys.client.errors``."""
    outside = [
        name
        for name, cls in _exceptions().items()
        if not name.startswith("mockgenesys.client.") and not issubclass(cls, MockGenesysError)
    ]
    assert outside == []


def test_public_api_the_exception_tree_is_drawn_whole() -> None:
    drawn = set(re.findall(r"[├└]── (\w+)", errors.__doc__ or ""))
    actual = {
        cls.__name__
        for name, cls in _exceptions().items()
        if issubclass(cls, MockGenesysError) and cls is not MockGenesysError
    }
    assert drawn == actual
