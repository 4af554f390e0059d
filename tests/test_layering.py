"""The packages' import rules hold (ARCHITECTURE.md, "Dependency rules"), read from the source itself.

- production packages (services/, gateway/, mesh/, contracts/, envoy/, topology/)
  never import the dev stack (devstack/), tests excepted;
- no package imports another that imports it back (the package graph has no cycle);
- gateway/ and mesh/ do not import each other; contracts/ and topology/ import neither;
- the shared runtime imports no service, and no service imports another service.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ("services", "gateway", "mesh", "contracts", "envoy", "topology", "devstack")
PRODUCTION = ("services", "gateway", "mesh", "contracts", "envoy", "topology")


def _modules(package: str, with_tests: bool = False) -> list[pathlib.Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    return [f for f in files if with_tests or "tests" not in f.relative_to(ROOT).parts]


def _imports(path: pathlib.Path) -> set[str]:
    """Every module a file imports (absolute names), at any depth of the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {p: set() for p in PACKAGES}
    for package in PACKAGES:
        for path in _modules(package):
            graph[package] |= {_top(i) for i in _imports(path) if _top(i) in PACKAGES and _top(i) != package}
    return graph


@pytest.mark.parametrize("package", PRODUCTION)
def test_production_code_never_imports_the_dev_stack(package):
    offenders = [
        str(path.relative_to(ROOT))
        for path in _modules(package)
        if any(_top(name) == "devstack" for name in _imports(path))
    ]
    assert offenders == []


def test_no_package_imports_one_that_imports_it_back():
    graph = _package_graph()

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    return [*trail, start]
                if nxt not in trail:
                    stack.append((nxt, [*trail, nxt]))
        return None

    cycles = [c for c in (cycle_from(p) for p in PACKAGES) if c]
    assert cycles == [], f"import cycles between packages: {cycles}"


def test_the_layers():
    graph = _package_graph()
    assert "mesh" not in graph["gateway"] and "gateway" not in graph["mesh"]
    assert graph["contracts"] == set() and graph["topology"] == set()
    assert graph["envoy"] <= {"topology"}


def test_the_runtime_imports_no_service_and_services_only_the_runtime():
    services = {p.name for p in (ROOT / "services").iterdir() if (p / "main.py").exists()}
    for path in _modules("services"):
        parts = path.relative_to(ROOT / "services").parts
        owner = parts[0] if len(parts) > 1 else ""
        for name in _imports(path):
            pieces = name.split(".")
            if pieces[0] != "services" or len(pieces) < 2 or pieces[1] not in services:
                continue
            assert owner not in ("runtime",), f"{path.relative_to(ROOT)} imports {name}"
            if owner in services:
                assert pieces[1] == owner, f"{path.relative_to(ROOT)} imports another service: {name}"
