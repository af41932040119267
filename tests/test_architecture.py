"""The layers of docs/architecture.md, checked against the import graph derived from the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mockgenesys"

#: Bottom to top, as docs/architecture.md draws them. A module may import its own layer and the
#: layers below; a module belongs to the first entry whose name is it or its package.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "clock and world",
        (
            "mockgenesys.errors",
            "mockgenesys.lazy",
            "mockgenesys.types",
            "mockgenesys.clock",
            "mockgenesys.scheduler",
            "mockgenesys.bounded",
            "mockgenesys.regions",
            "mockgenesys.world",
        ),
    ),
    ("journal", ("mockgenesys.journal", "mockgenesys.conformance", "mockgenesys.conformance_cc")),
    ("faults", ("mockgenesys.faults",)),
    ("server", ("mockgenesys.server", "mockgenesys.agent")),
    (
        "transports",
        (
            "mockgenesys.transport",
            "mockgenesys.serving",
            "mockgenesys.admin",
            "mockgenesys.dashboard",
            "mockgenesys.cluster",
            "mockgenesys.mock",
            "mockgenesys",
        ),
    ),
    ("client", ("mockgenesys.client",)),
    (
        "chaos, plugin and CLI",
        (
            "mockgenesys.chaos",
            "mockgenesys.stateful",
            "mockgenesys.strategies",
            "mockgenesys.cli",
            "mockgenesys.cliargs",
            "mockgenesys.pytest_plugin",
            "mockgenesys.load",
            "mockgenesys.__main__",
        ),
    ),
]
#: Layers whose modules this stream keeps within the house limit (the client and the judges have theirs).
SIZED_LAYERS = {"clock and world", "journal", "faults", "server", "transports"}
MAX_MODULE_LINES = 600


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    best: tuple[int, int] | None = None  # (length of the matching name, layer)
    for index, (_, names) in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and (best is None or len(name) > best[0]):
                best = (len(name), index)
    if best is None:
        raise AssertionError(f"{module} is in no layer; add it to LAYERS and to docs/architecture.md")
    return best[1]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(node: ast.Import | ast.ImportFrom, module: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: resolve against the importing module's package
        package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]


def imports(module: str) -> list[tuple[str, bool]]:
    """(imported package module, whether only under TYPE_CHECKING) for every import in ``module``,
    at any depth (an import inside a function is a runtime import too)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, typing_only: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, typing_only)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.extend((t, typing_only) for t in _targets(node, module) if t in MODULES and t != module)
        for child in ast.iter_child_nodes(node):
            visit(child, typing_only)

    visit(tree, False)
    return found


GRAPH = {module: imports(module) for module in MODULES}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return found


def test_architecture_every_module_has_a_layer() -> None:
    for module in MODULES:
        layer_of(module)


def test_architecture_runtime_imports_have_no_cycle() -> None:
    runtime = {module: {target for target, typing_only in edges if not typing_only} for module, edges in GRAPH.items()}
    assert _cycles(runtime) == []


@pytest.mark.parametrize("typing_only", [False, True], ids=["runtime", "type-checking"])
def test_architecture_imports_point_down_the_layers(typing_only: bool) -> None:
    upward = [
        f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for module, edges in GRAPH.items()
        for target, only in edges
        if only is typing_only and layer_of(target) > layer_of(module)
    ]
    assert upward == []


def test_architecture_faults_import_nothing_from_the_server() -> None:
    assert [
        (module, target)
        for module, edges in GRAPH.items()
        if module.startswith("mockgenesys.faults")
        for target, _ in edges
        if target.startswith("mockgenesys.server")
    ] == []


def test_architecture_modules_stay_under_the_size_limit() -> None:
    oversized = {
        module: lines
        for module, path in MODULES.items()
        if LAYERS[layer_of(module)][0] in SIZED_LAYERS
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert oversized == {}


def test_architecture_the_checker_sees_cycles_and_type_checking_imports() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]
    typed = dict(imports("mockgenesys.server.core"))
    assert typed["mockgenesys.server.websocket.hub"] is True and typed["mockgenesys.server.auth"] is False
