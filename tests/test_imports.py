"""Imports run one way: no module imports a module of a later stage, and no modules import each other.

Every module under build/, dataset/, schema/ and queries/ is read with `ast`; its imports are every
`import rucas...` and `from rucas... import ...` anywhere in the file: at the top, inside functions and
under `if TYPE_CHECKING:` alike. Function-level imports count: a cycle hidden in a function is still a
cycle (the two modules still need each other), and a function-level import from a later stage still
ties an earlier stage to it. `from package import module` counts as importing that module; Python runs
a package's __init__ before any of its modules, which is not counted (it would make every module import
`rucas`), so a package's __init__ must itself import lazily or only downward.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FOLDERS = {"dataset": "rucas", "build": "rucas.build", "schema": "rucas.schema", "queries": "rucas.queries"}
"""Each source folder and the package it is (pyproject.toml's package-dir)."""

STAGE_OF = {
    "rucas._version": "base",
    "rucas.schema": "base",
    "rucas.queries": "base",
    "rucas.dates": "base",
    "rucas.build": "base",  # build/__init__.py and the modules at the top of build/ not named below
    "rucas.build.read": "read",
    "rucas.build.validate": "validate",
    "rucas.build.review": "review",
    "rucas.build.write": "write",
    "rucas.build.publish": "publish",
    "rucas.citation": "publish",
    "rucas.build.curate": "curate",
    "rucas.build.release": "release",
    "rucas.build.pipeline": "pipeline",
    "rucas": "library",
    "rucas.build.cli": "cli",
}
"""The stage of each module: the longest of these names that is the module or a package holding it.
`base` is what every stage shares (the version, the schema, the queries, paths, the code hash, Arrow
tables of the schema, the counts queries); dataset/citation.py is how to cite, which the site and
rucas.cite share; `library` is the rest of the `rucas` package (rucas.load and friends), which builds
first when there is no build."""

BELOW = ("base", "read", "validate", "review", "write")

MAY_IMPORT = {
    "base": (),
    "read": ("base",),
    "validate": ("base", "read"),
    "review": ("base", "read", "validate"),
    "write": ("base", "read", "validate", "review"),
    "publish": (*BELOW,),
    "curate": (*BELOW,),
    "release": (*BELOW,),
    "pipeline": (*BELOW, "publish", "curate"),
    "library": (*BELOW, "publish", "release", "pipeline"),
    "cli": (*BELOW, "publish", "curate", "release", "pipeline", "library"),
}
"""The stages each stage may import besides its own modules. The build's stages run in the order data
flows, read -> validate -> review -> write -> publish; curate (tools for curators) and release (copies
of a build) stand beside publish: each may use every stage before write's end, none imports another or
publish. The pipeline strings the stages together; the library and the CLI are the entry points."""


def module_files() -> dict[str, Path]:
    """Every module of the four source folders, by its dotted name (curated data and caches left out)."""
    modules: dict[str, Path] = {}
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT / folder)
            if {"curated", "__pycache__"} & set(relative.parts):
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join([package, *parts])] = path
    return modules


MODULES = module_files()


def _owner(name: str) -> str | None:
    """The module `name` is or is in (a function imported by name belongs to its module)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports(name: str) -> dict[str, int]:
    """The modules `name` imports, each with the line of its first import."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        for target in targets:
            owner = _owner(target) if target.startswith("rucas") else None
            if owner and owner != name:
                found.setdefault(owner, node.lineno)
    return found


GRAPH = {name: imports(name) for name in MODULES}


def stage_of(name: str) -> str:
    prefix = max((key for key in STAGE_OF if name == key or name.startswith(key + ".")), key=len)
    return STAGE_OF[prefix]


def test_every_stage_is_in_the_table() -> None:
    assert set(STAGE_OF.values()) == set(MAY_IMPORT)
    assert {"rucas.build.read.documents", "rucas.build.write.incremental", "rucas.build.publish.serve"} <= set(MODULES)


def test_no_module_imports_a_later_stage() -> None:
    wrong = [f"{MODULES[name].relative_to(ROOT)}:{line} ({stage_of(name)}) imports {target} ({stage_of(target)})"
             for name, targets in GRAPH.items() for target, line in targets.items()
             if stage_of(target) != stage_of(name) and stage_of(target) not in MAY_IMPORT[stage_of(name)]]
    assert not wrong, "imports against the stage order (tests/test_imports.py MAY_IMPORT):\n" + "\n".join(wrong)


def _cycles() -> list[list[str]]:
    """The strongly connected components of the import graph with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for target in GRAPH[name]:
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == name:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for name in sorted(GRAPH):
        if name not in index:
            visit(name)
    return found


def test_no_modules_import_each_other() -> None:
    described = [" <-> ".join(cycle) + "".join(f"\n  {a} imports {b} at line {GRAPH[a][b]}"
                                              for a in cycle for b in cycle if b in GRAPH[a])
                 for cycle in _cycles()]
    assert not described, "import cycles:\n" + "\n".join(described)


def test_the_import_walk_sees_imports_inside_functions() -> None:
    assert "rucas.build.read.lines" in GRAPH["rucas.build.read.errors"]  # locate_errors imports it in its body


def test_the_rucas_command_spares_pyarrows_import_of_pandas_and_pandas_still_works_after_it() -> None:
    import subprocess
    import sys

    from conftest import MINIMAL_CORPUS

    script = f"""
import sys
from rucas.build import cli
sys.argv = ["rucas", "validate", "--curated", {str(MINIMAL_CORPUS)!r}, "--no-cache", "--quiet"]
status = cli.main()
assert "pandas" not in sys.modules, "rucas validate imported pandas"
import pyarrow as pa
frame = pa.table({{"a": [1, 2]}}).to_pandas()
import pandas as pd
assert pa.array(pd.Series([3, 4], dtype="int8")).type == pa.int8()
print(status, type(frame).__name__)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["0", "DataFrame"]
