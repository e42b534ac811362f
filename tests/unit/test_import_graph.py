"""No import circles in labcheck, and nothing reaches back into the package's ``__init__``.

Module-level imports only (not those under ``if TYPE_CHECKING:`` and not
those inside functions, which are how labcheck defers heavy imports): a
circle among them makes the import order matter and breaks on refactoring.
The graph is read from the source (AST); the finder is shown finding a
circle on a made-up graph.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "labcheck"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    is_package = MODULES[module].name == "__init__.py"
    base = module if is_package else module.rpartition(".")[0]
    for _ in range(max(node.level - 1, 0)):
        base = base.rpartition(".")[0]
    target = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
    found = []
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        found.append(sub if sub in MODULES else str(target))
    return found


def _module_level(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Import statements that run when the module is imported."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
            pending += node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody
            for handler in node.handlers:
                pending += handler.body
    return found


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = {t for node in _module_level(tree) for t in _targets(module, node)
                         if t in MODULES and t != module}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every circle, as the path that closes it (depth-first search)."""
    found: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    return found


def test_no_import_circles():
    assert circles(import_graph()) == []


def test_no_module_reaches_back_into_the_package_init():
    graph = import_graph()
    back = sorted(m for m, deps in graph.items() if "labcheck" in deps and m != "labcheck")
    assert back == [], f"import from labcheck._version (or the module itself) instead: {back}"


def test_report_and_renderers_do_not_import_each_other_at_import_time():
    graph = import_graph()
    assert not any(m.startswith("labcheck.render") for m in graph["labcheck.report"])
    for renderer in ("labcheck.render.text", "labcheck.render.html", "labcheck.render.formats"):
        assert "labcheck.report" not in graph[renderer], renderer


def test_the_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c", "a"]]
    assert circles({"a": {"b"}, "b": set()}) == []
