from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", ROOT / "docs" / "pytest.md"]


def examples() -> list[tuple[str, dict[str, int], str]]:
    """The ```py blocks of README.md and docs/pytest.md: test files whose first line states the outcome."""
    found = []
    for doc in DOCS:
        for n, match in enumerate(re.finditer(r"```py\n(.*?)```", doc.read_text(), re.S)):
            code = match.group(1)
            head = re.match(r"# expected: (.*)\n", code)
            assert head is not None, f"{doc.name} ```py example {n} must start with '# expected: passed=N'"
            outcome = {key: int(value) for key, value in (item.split("=") for item in head.group(1).split())}
            found.append((f"{doc.stem.lower()}_{n}", outcome, code))
    return found


EXAMPLES = examples()


def test_docs_have_plugin_examples() -> None:
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize(("index", "outcome", "code"), EXAMPLES, ids=lambda v: str(v)[:16])
def test_docs_pytest_example_runs(project: pytest.Pytester, index: str, outcome: dict[str, int], code: str) -> None:
    project.makepyfile(**{f"test_{index}": code})
    result = project.runpytest()
    result.assert_outcomes(**outcome)
    if outcome.get("failed"):
        result.stdout.fnmatch_lines(["*genesys(strict=True) found conformance violations.", "*- mockgenesys -*"])
