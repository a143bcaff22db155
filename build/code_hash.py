"""Hash the code that decides an output: the modules an entry imports (found by reading their import
statements, so nothing is listed by hand) and the data files that code reads.

The one way RUCAS tells whether code changed: the validation cache (rucas.build.validate.cache) keys
articles by it, and a patched build (rucas.build.write.incremental) requires the writer's to be unchanged.
Finding the modules means parsing each one's syntax tree (about 0.15 s for the writer's 200 modules); a
CodeRecord kept beside a build's cache lets the next process take the digest unparsed while nothing it was
computed from changed.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import os
import pkgutil
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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
    return code_record(entries, data, salt).digest


SETTLED_NS = 2_000_000_000
"""How long ago (in nanoseconds) the files and folders of a CodeRecord must have last changed for it to be kept."""


def _fingerprint(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


@dataclass(frozen=True)
class CodeRecord:
    """A code digest and what it was computed from: the fingerprint (size, modification and change times, inode)
    of each file it hashed, taken before the file was read, and the modification time of each folder holding
    one. While all are unchanged, so is the digest: a module's imports change only with its file, and a module or
    data file added, removed or renamed (which could stand for a name imported from a package, or match a data
    pattern) changes its folder's time."""

    about: str
    """What was hashed (code_record's arguments): a record is used only for the same."""
    digest: str
    files: dict[str, list[int]]
    folders: dict[str, int]

    def holds(self) -> bool:
        """Whether every file and folder the digest was computed from is as it was then."""
        try:
            return bool(self.files) and all(_fingerprint(Path(path)) == fingerprint
                                            for path, fingerprint in self.files.items()) \
                and all(os.stat(folder).st_mtime_ns == time for folder, time in self.folders.items())
        except OSError:
            return False

    def settled(self) -> bool:
        """Whether every file and folder it fingerprints was last modified over SETTLED_NS ago: only then does
        any later change show in a time (a file system's clock ticks in milliseconds, so a change in the same
        tick would not)."""
        newest = max([fingerprint[1] for fingerprint in self.files.values()] + list(self.folders.values()))
        return newest < time.time_ns() - SETTLED_NS

    def write(self, path: Path) -> None:
        """Keep the record in the file `path` (written aside, then renamed over it), if it is settled; else
        nothing is kept and the next process computes the digest again."""
        if not self.settled():
            return
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}")
        temporary.write_text(json.dumps({"about": self.about, "digest": self.digest, "files": self.files,
                                         "folders": self.folders}), encoding="utf-8")
        os.replace(temporary, path)

    @classmethod
    def read(cls, path: Path, about: str) -> CodeRecord | None:
        """The record kept in `path` if it can be read, is `about` the same code and still holds; else None."""
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            record = cls(kept["about"], kept["digest"], {str(name): [int(value) for value in fingerprint]
                                          for name, fingerprint in kept["files"].items()},
                         {str(name): int(time) for name, time in kept["folders"].items()})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        return record if record.about == about and isinstance(record.digest, str) and record.holds() else None


def code_record(entries: Iterable[str], data: Mapping[str, Iterable[str]] | None = None, salt: str = "",
                extra_files: Iterable[Path] = ()) -> CodeRecord:
    """code_digest, with what it was computed from; `extra_files` are fingerprinted too but not hashed (a file
    whose content the salt stands for)."""
    import rucas._version
    from rucas._version import __version__

    entries = list(entries)
    files = imported_modules(entries) | data_files(data or {})
    watched = sorted({*files.values(), Path(rucas._version.__file__), *extra_files})
    fingerprints = {str(path): _fingerprint(path) for path in watched}  # before reading: a later edit shows
    folders = {str(folder): os.stat(folder).st_mtime_ns for folder in sorted({path.parent for path in watched})}
    digest = hashlib.sha256(f"{__version__}\0{salt}\n".encode())
    for name, path in sorted(files.items()):
        digest.update(f"{name}\0".encode() + path.read_bytes())
    return CodeRecord(code_about(entries, data, salt), digest.hexdigest(), fingerprints, folders)


def code_about(entries: Iterable[str], data: Mapping[str, Iterable[str]] | None = None, salt: str = "") -> str:
    """What code_record hashes for these arguments, as a CodeRecord's `about`."""
    return json.dumps([sorted(entries), {package: sorted(patterns) for package, patterns in (data or {}).items()},
                       salt])


def recorded_code_digest(record: Path | None, entries: Iterable[str], data: Mapping[str, Iterable[str]] | None = None,
                         salt: str = "") -> str:
    """code_digest(entries, data, salt), taken from the CodeRecord kept in the file `record` while it holds (kept
    there by an earlier call with the same arguments); else computed, and kept there if its folder exists."""
    entries = list(entries)
    if record is not None and (kept := CodeRecord.read(record, code_about(entries, data, salt))) is not None:
        return kept.digest
    computed = code_record(entries, data, salt)
    if record is not None and record.parent.is_dir():
        try:
            computed.write(record)
        except OSError:  # a folder that cannot be written: the digest is still right, and computed next time
            pass
    return computed.digest
