"""One exception root for ``mockgenesys.chaos``, its whole tree drawn in the docstring."""

from __future__ import annotations

import inspect

import pytest

from mockgenesys.chaos import errors
from mockgenesys.chaos.errors import AdapterError, ChaosError, ControlError, OptionsError, ScenarioError
from mockgenesys.errors import ConfigError, MockGenesysError


def test_errors_have_one_root_under_mockgenesys_error() -> None:
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if c.__module__ == errors.__name__]
    assert {c.__name__ for c in classes} == {
        "ChaosError",
        "ScenarioError",
        "OptionsError",
        "AdapterError",
        "ControlError",
    }
    assert all(issubclass(c, ChaosError) for c in classes) and issubclass(ChaosError, MockGenesysError)
    for cls in classes:  # the drawn tree names every class
        assert cls.__name__ in (errors.__doc__ or ""), cls


def test_errors_that_are_bad_input_stay_config_errors() -> None:
    assert issubclass(ScenarioError, ConfigError) and issubclass(OptionsError, ConfigError)
    assert issubclass(AdapterError, OptionsError) and not issubclass(ControlError, ConfigError)


def test_errors_carry_their_context() -> None:
    problem = ScenarioError("my.yaml", "timeline[2].at", "must be a number >= 0, got -1")
    assert str(problem) == "my.yaml: timeline[2].at: must be a number >= 0, got -1"
    assert (problem.source, problem.path) == ("my.yaml", "timeline[2].at")
    assert str(ScenarioError("my.yaml", "", "not valid YAML")) == "my.yaml: not valid YAML"
    assert AdapterError("no send", ("send",)).missing == ("send",)
    with pytest.raises(ChaosError):
        raise ControlError("The admin API at http://127.0.0.1:1 needs a token; pass --admin-token.")
