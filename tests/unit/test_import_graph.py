"""No import circles in labcheck, and nothing reaches back into the package's ``__init__``.

Every import that runs counts: those at module level and those inside
functions (how labcheck defers heavy third-party packages such as docker,
graphviz, ipywidgets and yaml). A deferred import of a labcheck module is
fine where it closes no circle; one that does only hides the circle until
the function runs, and breaks on refactoring. Imports under
``if TYPE_CHECKING:`` never run and do not count. The graph is read from the
source (AST); the finder is shown finding a circle on a made-up graph, and
the reader one that goes through an import inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "labcheck"


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(p, package): p for p in package.rglob("*.py")}


MODULES = modules()


def _targets(module: str, node: ast.Import | ast.ImportFrom,
             known: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    is_package = known[module].name == "__init__.py"
    base = module if is_package else module.rpartition(".")[0]
    for _ in range(max(node.level - 1, 0)):
        base = base.rpartition(".")[0]
    target = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
    found = []
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        found.append(sub if sub in known else str(target))
    return found


def _imports_that_run(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Import statements that run, at import time or when a function is called:
    everything but the bodies of ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending += node.orelse
        else:
            pending += ast.iter_child_nodes(node)
    return found


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (at module level or in a function)."""
    known = MODULES if package == PACKAGE else modules(package)
    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = {t for node in _imports_that_run(tree) for t in _targets(module, node, known)
                         if t in known and t != module}
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


def test_renderers_do_not_import_the_report():
    """The renderers read a Report's data (:mod:`labcheck.results`); ``report`` calls them."""
    graph = import_graph()
    for renderer in ("labcheck.render.text", "labcheck.render.html", "labcheck.render.formats"):
        assert "labcheck.report" not in graph[renderer], renderer


def test_the_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c", "a"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_a_circle_through_an_import_inside_a_function_is_caught(tmp_path):
    package = tmp_path / "made_up"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from .sub import b\n")
    (package / "sub" / "b.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from .. import c\n"
        "def later():\n    from ..a import x\n    return x\n")
    (package / "c.py").write_text("import made_up.a\n")
    graph = import_graph(package)
    assert graph["made_up.a"] == {"made_up.sub.b"}
    assert graph["made_up.sub.b"] == {"made_up.a"}, "inside a function counts, TYPE_CHECKING not"
    assert circles(graph) == [["made_up.a", "made_up.sub.b", "made_up.a"]]
