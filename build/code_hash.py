"""Hash the code that decides an output: the modules an entry imports (found by reading their import
statements, so nothing is listed by hand) and the data files that code reads.

The one way RUCAS tells whether code changed: the validation cache (rucas.build.validate.cache) keys
articles by it, and a patched build (rucas.build.write.incremental) requires the writer's to be unchanged.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import pkgutil
from collections.abc import Iterable, Mapping
from pathlib import Path


def _module_file(name: str) -> Path | None:
    """The source file of module `name`, or None when `name` is not a module (e.g. a function imported by name)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec and spec.origin and spec.origin.endswith(".py") else None


_PARSED: dict[tuple[Path, str, int, int], set[str]] = {}
"""imports_of's answers in this process, by file, package and the file's modification time and size: a build
asks for the writer's digest several times (0.35 s each, most of it parsing the same 200 modules)."""


def imports_of(path: Path, package: str) -> set[str]:
    """The rucas modules a module imports (absolute and relative imports, at any depth of the file, in
    functions too). `from package import module` imports that module, not the package's __init__ (which
    Python runs first for any of its modules); `from module import name` imports the module. A file parsed
    before with the same modification time and size is not parsed again."""
    stat = path.stat()
    key = (path, package, stat.st_mtime_ns, stat.st_size)
    if key not in _PARSED:
        _PARSED[key] = _imports_in(path, package)
    return set(_PARSED[key])


def _imports_in(path: Path, package: str) -> set[str]:
    """imports_of, parsing the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("rucas")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base.startswith("rucas"):
                for alias in node.names:
                    name = f"{base}.{alias.name}"
                    found.add(name if _module_file(name) is not None else base)
    return found


def _package_modules(name: str, path: Path) -> list[str]:
    """The modules of package `name` (its folder `path.parent`): an entry that is a package means all of them."""
    if path.name != "__init__.py":
        return []
    return sorted(f"{name}.{module.name}" for module in pkgutil.iter_modules([str(path.parent)]))


def imported_modules(entries: Iterable[str]) -> dict[str, Path]:
    """Every rucas module the `entries` import (following import statements from module to module; an entry
    that is a package stands for all its modules), with its source file."""
    seen: dict[str, Path] = {}
    pending: list[str] = []
    for entry in entries:
        path = _module_file(entry)
        pending += [entry, *(_package_modules(entry, path) if path else [])]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        path = _module_file(name)
        if path is None:
            continue
        seen[name] = path
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        pending += sorted(imports_of(path, package) - seen.keys())
    return seen


def data_files(data: Mapping[str, Iterable[str]]) -> dict[str, Path]:
    """The files matching each package's glob patterns (e.g. {"rucas.queries": ("views/*.sql",)}), by
    "package/relative path"."""
    found: dict[str, Path] = {}
    for package, patterns in data.items():
        folder = Path(importlib.util.find_spec(package).origin).resolve().parent  # type: ignore[union-attr,arg-type]
        for pattern in patterns:
            for path in sorted(folder.glob(pattern)):
                found[f"{package}/{path.relative_to(folder).as_posix()}"] = path
    return found


def code_digest(entries: Iterable[str], data: Mapping[str, Iterable[str]] | None = None, salt: str = "") -> str:
    """A hash of `salt`, of every module imported_modules(entries) finds and of the data_files(data): a
    change to any of them changes it."""
    from rucas._version import __version__

    digest = hashlib.sha256(f"{__version__}\0{salt}\n".encode())
    files = imported_modules(entries) | data_files(data or {})
    for name, path in sorted(files.items()):
        digest.update(f"{name}\0".encode() + path.read_bytes())
    return digest.hexdigest()
