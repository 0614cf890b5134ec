"""The import-layer contract of docs/architecture.md, read from the code: every module's imports go
down the layers, never up, and only the optimization layer imports Pyomo or highspy.

    data -> economics -> optimization -> analyses -> run -> reporting -> jobs -> cli -> start

(read as "may be imported by everything to its right"; `start` is the command line's first
module, which hands over to `cli`). The top-level shared modules (results, errors, formatting,
text, source, environment) import no layer. Imports inside functions count too: a deferred
import is still a dependency.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "model"
LAYERS = ["data", "economics", "optimization", "analyses", "run", "reporting", "jobs", "cli", "start"]
SHARED = {"results", "errors", "formatting", "text", "source", "environment", "__init__"}
SOLVERS = ("pyomo", "highspy")


def layer_of(module: str) -> str | None:
    """'model.analyses.frontier' -> 'analyses'; shared modules -> None."""
    parts = module.split(".")
    if parts[0] != "model" or len(parts) < 2:
        return None
    return None if parts[1] in SHARED else parts[1]


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(p for p in rel.parts if p != "__init__") if rel.name == "__init__" else ".".join(rel.parts)
        out.append((name, path))
    return out


def imports(path: Path) -> list[tuple[str, int]]:
    """(imported module, line) for every import statement, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
            # `from model import jobs` names the module in the alias
            if node.module == "model":
                found += [(f"model.{a.name}", node.lineno) for a in node.names]
    return found


def test_every_layer_of_the_package_is_known():
    unknown = {layer_of(name) for name, _ in modules()} - set(LAYERS) - {None}
    assert not unknown, f"modules outside the layers of docs/architecture.md: {unknown}"


@pytest.mark.parametrize("name,path", modules(), ids=[n for n, _ in modules()])
def test_no_upward_import(name, path):
    own = layer_of(name)
    for target, line in imports(path):
        if not target.startswith("model"):
            continue
        theirs = layer_of(target)
        if theirs is None:
            continue
        if own is None:
            pytest.fail(f"{name} (shared) imports the layer {theirs} ({target}, line {line})")
        assert LAYERS.index(theirs) <= LAYERS.index(own), (
            f"{name} ({own}) imports {target} ({theirs}), a layer above it, at line {line}")


@pytest.mark.parametrize("name,path", modules(), ids=[n for n, _ in modules()])
def test_only_the_optimization_layer_imports_the_solver(name, path):
    if layer_of(name) == "optimization":
        return
    for target, line in imports(path):
        assert target.split(".")[0] not in SOLVERS, f"{name} imports {target} at line {line}"


def test_the_contract_can_fail(tmp_path):
    """The checks above see an upward import and a solver import where there is one."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    import pyomo.environ\n    from model.reporting import html\n")
    assert ("pyomo.environ", 2) in imports(bad) and ("model.reporting", 3) in imports(bad)
    assert layer_of("model.reporting.html") == "reporting" and layer_of("model.results") is None


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or not (strongly connected
    components of more than one module), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports (a package's module named in `from p import m`
    included), at any depth of the file."""
    names = {name for name, _ in modules()}
    edges: dict[str, set[str]] = {}
    for name, path in modules():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        edges[name] = {m for m in found if m in names and m != name}
    return edges


def test_no_import_circles():
    """No module imports, directly or not, one that imports it back (a deferred import counts:
    it hides the circle, it does not cut it)."""
    assert circles(import_graph()) == []


def test_the_circle_check_can_fail():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
