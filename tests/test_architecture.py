"""The layering of docs/architecture.md, checked: import-linter's contracts (pyproject.toml) hold, and
they can fail; the IRI scheme is spelled in one module; only the store backend opens a database."""
from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def installed_layout(root: Path, copy: tuple[str, ...] = ()) -> Path:
    """The packages as they are installed (`kgpub.graph` is the folder graph/, see pyproject.toml),
    made of links, because import-linter reads modules from the package folder on disk, and an
    editable install keeps them in separate folders. Folders in `copy` are copied so a test can add to them."""
    package_dirs = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    for package, folder in sorted(package_dirs.items()):
        target = root.joinpath(*package.split("."))
        if target.exists():
            continue  # inside a parent that is already linked
        if package == "kgpub":
            target.mkdir(parents=True)
            for module in (REPO / folder).glob("*.py"):
                (target / module.name).symlink_to(module)
        elif folder in copy:
            shutil.copytree(REPO / folder, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.symlink_to(REPO / folder, target_is_directory=True)
    return root


def lint_imports(layout: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(layout)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", str(REPO / "pyproject.toml")], cwd=layout, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_import_contracts_hold(tmp_path):
    result = lint_imports(installed_layout(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout and " kept" in result.stdout


@pytest.mark.parametrize("folder, module, line, broken", [
    # A module of the graph that imports the server breaks the layers contract.
    ("graph", "reaches_up", "from kgpub.server import errors", "kgpub.graph.reaches_up -> kgpub.server.errors"),
    # A server module that opens the Oxigraph backend itself breaks the store-port contract.
    ("server", "reaches_in", "from kgpub.graph.store.oxigraph import SnapshotStore",
     "kgpub.server.reaches_in -> kgpub.graph.store.oxigraph"),
])
def test_the_import_contracts_can_fail(tmp_path, folder, module, line, broken):
    layout = installed_layout(tmp_path, copy=(folder,))
    (layout / "kgpub" / folder / f"{module}.py").write_text(line + "\n")
    result = lint_imports(layout)
    assert result.returncode == 1 and broken in result.stdout, result.stdout


SPELLED = re.compile(r"(id|graph)/output")


def source_files(*folders: str):
    for folder in folders:
        yield from sorted((REPO / folder).rglob("*.py"))


def test_no_module_but_iris_spells_the_iri_scheme():
    """`id/output` and `graph/output` are written in graph/iris.py and nowhere else in the code."""
    found = [f"{path.relative_to(REPO)}:{n}"
             for path in source_files("graph", "server", "kgpub", "shapes", "ontology")
             if path != REPO / "graph" / "iris.py"
             for n, line in enumerate(path.read_text().splitlines(), 1) if SPELLED.search(line)]
    assert found == []


# Where pyoxigraph's Store may be named outside the backend package graph/store/, and why.
STORE_ALLOWED = {
    "graph/validate.py": "an in-memory dataset is the SHACL engine's scratch space, not the store",
}


def names_pyoxigraph_store(tree: ast.AST) -> bool:
    modules = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names if alias.name == "pyoxigraph"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "pyoxigraph" and any(
                alias.name == "Store" for alias in node.names):
            return True
        if isinstance(node, ast.Attribute) and node.attr == "Store" and isinstance(node.value, ast.Name) \
                and node.value.id in modules:
            return True
    return False


def test_only_the_backend_names_pyoxigraphs_store():
    found = {str(path.relative_to(REPO)) for path in source_files("graph", "server", "kgpub")
             if REPO / "graph" / "store" not in path.parents and names_pyoxigraph_store(ast.parse(path.read_text()))}
    assert found == set(STORE_ALLOWED)
