"""The built-in scenario library, and how a reference finds a scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockgenesys.chaos import ScenarioError, builtin_paths, load_builtin, resolve


def test_library_builtins_load_by_name_with_a_builtin_source() -> None:
    paths = builtin_paths()
    assert list(paths) == sorted(paths) and "baseline" in paths
    assert load_builtin("baseline").source == "builtin:baseline" == resolve("baseline").source


def test_library_resolve_takes_a_file_by_path(tmp_path: Path) -> None:
    path = tmp_path / "baseline.yaml"  # a file wins over the built-in of the same stem
    path.write_text("name: mine\n", encoding="utf-8")
    assert resolve(str(path)).name == "mine" and resolve(str(path)).source == str(path)
    with pytest.raises(ScenarioError, match="cannot read the file"):
        resolve(str(tmp_path / "missing.yaml"))


def test_library_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(ScenarioError, match="no built-in scenario of that name; known: baseline, "):
        load_builtin("basline")
