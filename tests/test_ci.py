"""``.ci/run`` runs the README's own test command, and the plain-install step picks every example."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / ".ci" / "run"


def docs_examples() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_examples", ROOT / ".ci" / "docs_examples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_ci_runs_the_readmes_test_command_verbatim() -> None:
    setup = re.findall(r"```bash\n(.*?)\n```", ROOT.joinpath("README.md").read_text(), re.S)
    assert setup[1].endswith("pip install -e '.[test,sdk]' && python -m pytest")
    lines = RUN.read_text().splitlines()
    assert f"{setup[1]} || exit 1" in lines  # the command as a line of its own, its failure fatal
    assert lines.index(f"{setup[1]} || exit 1") < lines.index("ruff check .")  # the gates run in its venv


def test_ci_installs_the_wheel_without_extras_and_runs_the_examples_outside_the_repo() -> None:
    script = RUN.read_text()
    assert 'install "$work"/dist/mockgenesys-*.whl\n' in script  # no [extras]
    assert 'docs_examples.py "$PWD" "$work/downstream"' in script and "work=$(mktemp -d)" in script


def test_ci_examples_picks_every_python_and_pytest_example_and_the_readme_shell() -> None:
    module = docs_examples()
    examples = module.collect(ROOT)
    run = [e for e in examples if module.not_run_reason(e) is None]
    code = [e for e in examples if e.language in ("python", "py")]
    assert code and all(e in run for e in code if "PureCloudPlatformClientV2" not in e.code)
    readme_shell = [e for e in examples if e.doc == "README.md" and e.language == "bash"]
    assert [module.not_run_reason(e) for e in readme_shell[:2]] == ["a set-up command: CI runs it itself"] * 2
    assert all(e in run for e in readme_shell[2:]) and len(readme_shell) >= 5
    curl = [e for e in run if e.doc == "docs/faults.md" and e.language == "bash"]
    assert curl and all("curl" in e.code for e in curl)


@pytest.mark.parametrize(
    ("line", "outcome"),
    [
        ("2 passed in 3.1s", {"passed": 2}),
        ("1 failed, 1 passed in 0.2s", {"failed": 1, "passed": 1}),
        ("1 error in 0.1s", {"errors": 1}),
        ("", {}),
    ],
)
def test_ci_examples_reads_pytests_summary(line: str, outcome: dict[str, int]) -> None:
    assert docs_examples().outcome_of(f"collected\n{line}\n") == outcome


def test_packaging_installs_the_designs_packages_and_nothing_generic() -> None:
    import tomllib

    project = tomllib.loads(ROOT.joinpath("pyproject.toml").read_text())
    names = {re.split(r"[<>=!~; \[]", dep)[0].lower() for dep in project["project"]["dependencies"]}
    assert {"pytest", "pytest-asyncio", "respx", "hypothesis", "faker", "starlette"} <= names
    wheel = project["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["packages"] == ["mockgenesys"]  # the plugin is installed as mockgenesys.pytest_plugin
    assert project["project"]["entry-points"]["pytest11"] == {"mockgenesys": "mockgenesys.pytest_plugin.plugin"}
    assert ROOT.joinpath("mockgenesys", "py.typed").is_file()
    assert project["tool"]["hatch"]["version"]["path"] == "mockgenesys/__init__.py"  # one version
