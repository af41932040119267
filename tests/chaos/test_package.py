"""The shape of ``mockgenesys.chaos``: its public names, its import graph, its module sizes."""

from __future__ import annotations

import ast
from pathlib import Path

import mockgenesys.chaos as chaos

PACKAGE = Path(chaos.__file__).parent
MAX_LINES = 400


def runtime_imports(path: Path) -> set[str]:
    """The ``mockgenesys.chaos`` modules ``path`` imports when it is imported (not under TYPE_CHECKING)."""
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:  # module level only: no lazy imports hide
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mockgenesys.chaos."):
            found.add(node.module.rsplit(".", 1)[1])
    return found


def test_package_all_is_sorted_and_every_name_resolves() -> None:
    assert chaos.__all__ == sorted(chaos.__all__, key=lambda n: (not n.isupper(), n))
    for name in chaos.__all__:
        assert getattr(chaos, name) is not None, name


def test_package_has_no_import_cycle_and_no_function_level_imports_of_itself() -> None:
    graph = {path.stem: runtime_imports(path) for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        assert module not in visiting, f"import cycle: {' -> '.join([*visiting, module])}"
        if module in done:
            return
        visiting.append(module)
        for imported in graph.get(module, set()):
            visit(imported)
        visiting.pop()
        done.add(module)

    for module in graph:
        visit(module)
    for path in PACKAGE.glob("*.py"):
        nested = [
            node
            for func in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef))
            for node in ast.walk(func)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mockgenesys.chaos")
        ]
        assert not nested, f"{path.name} imports chaos modules inside a function"


def test_package_modules_stay_small() -> None:
    sizes = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in PACKAGE.glob("*.py")}
    assert max(sizes.values()) <= MAX_LINES, sorted(sizes.items(), key=lambda item: -item[1])[:3]
