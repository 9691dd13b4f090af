"""The package's layers, read from its source with ``ast`` so they stay true (docs/architecture.md).

Every import counts: at the top of a module, inside a function, and under ``TYPE_CHECKING`` (a
type-only import is still a dependency a reader has to follow).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "fakeconsul"

# The pure layers: a user drives a whole peering lifecycle through them with no HTTP at all.
PURE = ("model", "catalog", "config", "acl", "golang")
# What the pure layers never import: the web, sockets, the test runner, or the layers above.
FORBIDDEN_IN_PURE = (
    "werkzeug", "socket", "socketserver", "selectors", "asyncio", "http", "h11", "pytest",
    "pytest_httpserver", "fakeconsul.http", "fakeconsul.serve", "fakeconsul.persist",
    "fakeconsul.testing", "fakeconsul.pytest_plugin",
)
# Each layer imports only the layers under it.
FORBIDDEN_ABOVE = {
    "http": ("fakeconsul.serve", "fakeconsul.persist", "fakeconsul.testing",
             "fakeconsul.pytest_plugin"),
    "persist": ("fakeconsul.http", "fakeconsul.serve", "fakeconsul.testing",
                "fakeconsul.pytest_plugin"),
    "serve": ("fakeconsul.testing", "fakeconsul.pytest_plugin"),
}


def _module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


MODULES = {name: (path, pkg) for path in PACKAGE.rglob("*.py")
           for name, pkg in [_module_name(path)]}


def _imports(name: str) -> Iterator[str]:
    """Every module ``name`` imports (absolute names; ``from X import y`` counts X.y when y is a
    module of the package, else X)."""
    path, is_package = MODULES[name]
    here = name.split(".") if is_package else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                yield submodule if submodule in MODULES else source


def _graph() -> dict[str, set[str]]:
    return {name: {d for d in _imports(name) if d in MODULES and d != name} for name in MODULES}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def _layer(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def _reaches(imported: str, forbidden: tuple[str, ...]) -> bool:
    return any(imported == f or imported.startswith(f + ".") for f in forbidden)


def test_the_package_has_no_import_circle() -> None:
    assert _circles(_graph()) == []


def test_the_circle_finder_finds_a_circle() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("layer", PURE)
def test_a_pure_layer_imports_nothing_of_the_web_or_above(layer: str) -> None:
    offending = sorted(
        f"{name} imports {imported}"
        for name in MODULES if _layer(name) == layer
        for imported in _imports(name) if _reaches(imported, FORBIDDEN_IN_PURE)
    )
    assert offending == []


@pytest.mark.parametrize("layer", sorted(FORBIDDEN_ABOVE))
def test_a_layer_imports_only_the_layers_under_it(layer: str) -> None:
    offending = sorted(
        f"{name} imports {imported}"
        for name in MODULES if _layer(name) == layer
        for imported in _imports(name) if _reaches(imported, FORBIDDEN_ABOVE[layer])
    )
    assert offending == []


def test_few_modules_sit_directly_in_the_package() -> None:
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert top == ["__init__", "__main__", "messages", "pytest_plugin", "testing", "version"]
