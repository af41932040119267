from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "pytest.md"


def examples() -> list[tuple[int, dict[str, int], str]]:
    """The ```py blocks of docs/pytest.md: test files whose first line states the outcome."""
    found = []
    for n, match in enumerate(re.finditer(r"```py\n(.*?)```", DOC.read_text(), re.S)):
        code = match.group(1)
        head = re.match(r"# expected: (.*)\n", code)
        assert head is not None, f"docs/pytest.md example {n} must start with '# expected: passed=N'"
        outcome = {key: int(value) for key, value in (item.split("=") for item in head.group(1).split())}
        found.append((n, outcome, code))
    return found


def test_docs_have_plugin_examples() -> None:
    assert len(examples()) >= 5


@pytest.mark.parametrize(("index", "outcome", "code"), examples(), ids=lambda v: str(v)[:12])
def test_docs_pytest_example_runs(project: pytest.Pytester, index: int, outcome: dict[str, int], code: str) -> None:
    project.makepyfile(**{f"test_example_{index}": code})
    result = project.runpytest()
    result.assert_outcomes(**outcome)
    if outcome.get("failed"):
        result.stdout.fnmatch_lines(["*genesys(strict=True) found conformance violations.", "*- mockgenesys -*"])
