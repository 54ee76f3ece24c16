"""The import graph of ``dast`` and ``dastdown``: no cycles, and each dependency behind one door.

The graph is read from the source with ``ast`` (every ``import`` statement,
including those inside functions, which are the usual way to dodge a cycle;
only ``if TYPE_CHECKING:`` blocks are left out, since they never run). An
edge goes from a module to each module it names; importing ``pkg.mod`` also
runs ``pkg/__init__``, but that implicit edge is not counted, as import
linters do, or every submodule would be in a cycle with its package.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("dast", "dastdown")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run (``if TYPE_CHECKING:`` bodies left out)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base.pop()
    for _ in range(node.level - 1):
        base.pop()
    return ".".join([*base, node.module] if node.module else base)


def _targets(module: str, path: Path) -> Iterator[str]:
    """Every module (of any package) the source of ``module`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in _imports(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
            continue
        target = _resolve(module, path.name == "__init__.py", node)
        for alias in node.names:
            sub = f"{target}.{alias.name}"
            yield sub if sub in MODULES else target


def _graph() -> dict[str, set[str]]:
    return {
        module: {t for t in _targets(module, path) if t in MODULES and t != module}
        for module, path in MODULES.items()
    }


def _external(prefix: str) -> set[str]:
    """The project modules whose source imports the top-level package ``prefix``."""
    return {
        module
        for module, path in MODULES.items()
        if any(t == prefix or t.startswith(prefix + ".") for t in _targets(module, path))
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_graph_is_read() -> None:
    graph = _graph()
    assert "dast.nodes" in graph["dast.load"]
    assert "dast" not in graph["dast.nodes"]


def test_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    cycles = _cycles(_graph())
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_dast_never_imports_dastdown() -> None:
    offenders = {m for m in _external("dastdown") if m.split(".")[0] == "dast"}
    assert not offenders


@pytest.mark.parametrize(
    ("dependency", "doors"),
    [
        ("lark", {"dastdown.parser", "dastdown.lexer", "dastdown.transformer", "dastdown.inline"}),
        ("mistune", {"dast.convert"}),
        ("httpx", {"dast.cma.client"}),
        ("tenacity", {"dast.cma.client"}),
        ("selectolax", {"dast.convert.from_html"}),
        ("lxml", {"dast.translate.xliff"}),
        ("syrupy", {"dastdown.snapshot"}),
    ],
)
def test_each_dependency_has_one_door(dependency: str, doors: set[str]) -> None:
    users = _external(dependency)
    outside = {m for m in users if not any(m == d or m.startswith(d + ".") for d in doors)}
    assert users, f"nothing imports {dependency}: update this test"
    assert not outside, f"{dependency} imported outside its door: {sorted(outside)}"
