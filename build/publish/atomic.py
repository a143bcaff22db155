"""Publish a finished build atomically: outputs are written aside, then one symlink swap makes them current.

Layout under the output directory (dataset/ in a checkout):

    .builds/<build-id>/...      one complete build per folder
    .builds/current  ->  <build-id>          swapped with one atomic rename
    parquet, rucas.duckdb, rucas.db, datapackage.json, manifest.json, datasette, annotations, records
                     ->  .builds/current/<same name>     fixed links, created once

A reader opening dataset/rucas.db resolves the links at open time and so sees one whole
build, old or new.

A build removes or replaces only what it can prove it made: the links above (a link to
.builds/current/<name> is one), and what lies in the folders .builds/ and .cache/ once they hold
RUCAS's marker file (made-by-rucas; written when RUCAS makes the folder, and into the folders of
a checkout built before markers, recognised by holding only names a build gives). Anything else
where a build would write (the user's own parquet/, manifest.json, a .builds/ of another tool)
stops the build before it changes anything, with an OutputConflict naming the path.

A build killed at any point leaves `current` untouched; the next build removes its leftovers
(its staging folders: proven its own by the lock it holds), as does a build that fails. A lock
serialises concurrent builds. Superseded builds that a running process still holds open (a
Datasette server started on them) are kept until it lets go.

The newest superseded build is kept (KEEP_PREVIOUS) as the spare: the next patched build may bring its
databases forward instead of copying the current ones, when it can prove nothing uses them
(rucas.build.write.incremental.claim_spare); readers never reach it through the published links.
"""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import glob
import os
import shutil
import uuid
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

from rucas.build.open_files import held_open

OUTPUT_NAMES = ("parquet", "rucas.duckdb", "rucas.db", "datapackage.json", "manifest.json", "datasette",
                "annotations", "records")
"""What a build publishes, relative to the output directory."""

RETIRED_NAMES = ("review",)
"""What builds published before and no longer do (review pages are rendered by the site now): a build
removes its own link of such a name, which would lead nowhere."""

BUILDS = ".builds"
KEEP_PREVIOUS = 1
"""How many superseded builds to keep beside the current one (readers may still hold them open; the newest is
the spare a patched build may bring forward)."""
CACHE = ".cache"
MARKER = "made-by-rucas"
"""The file that marks a folder as RUCAS's own (.builds/, .cache/): proof that a build may remove what it holds."""
MARKER_TEXT = ("This folder was made by RUCAS (`rucas build`). RUCAS replaces and removes what it holds; it touches\n"
               "nothing in the output folder that it did not make.\n")

_OWN_NAMES = {BUILDS: ("lock", "current", "current.*", "build-*", "staging-*"),
              CACHE: ("current", "fingerprints.arrow", "article_keys.arrow", "code.json", "writer-code.json", "manifests",
                      "rows-*", ".fingerprints-*", ".article_keys-*", ".current-*", ".code-*", ".code.json.*",
                      ".writer-code.json.*")}
"""The names a build gives inside each folder it manages: a folder of a checkout built before markers holding
only these is taken as RUCAS's own (and marked); anything else in it means it is someone else's."""


class OutputConflict(Exception):
    """The output folder holds something RUCAS did not make where a build would write; nothing was changed."""


def _own_link(path: Path, name: str) -> bool:
    """Whether `path` is the link a build makes for the output `name`: to .builds/current/<name>."""
    return path.is_symlink() and os.readlink(path) == f"{BUILDS}/current/{name}"


def _own_folder(folder: Path) -> bool:
    """Whether `folder` (.builds/ or .cache/) may be managed by a build: absent, holding RUCAS's marker, or
    empty or holding only names a build gives (a checkout built before markers)."""
    if not os.path.lexists(folder):
        return True
    if folder.is_symlink() or not folder.is_dir():
        return False
    names = [entry.name for entry in os.scandir(folder)]
    return MARKER in names or all(any(fnmatch.fnmatchcase(n, p) for p in _OWN_NAMES[folder.name]) for n in names)


def check_output_dir(output_dir: Path) -> None:
    """Raise OutputConflict, naming the path and what to do, unless a build may write into output_dir: it is
    a folder (or absent), .builds/ and .cache/ are RUCAS's (_own_folder), and each published name is absent
    or RUCAS's link. Reads only."""
    if os.path.lexists(output_dir) and not output_dir.is_dir():
        raise OutputConflict(f"{output_dir}: is a file, not a folder. Fix: give --output a folder (it is created "
                             "if missing).")
    for folder in (output_dir / BUILDS, output_dir / CACHE):
        if not _own_folder(folder):
            raise OutputConflict(f"{folder}: exists and was not made by RUCAS (no {MARKER} file in it), and a "
                                 "build would write and remove files there. Nothing was changed. Fix: give --output "
                                 f"a new or empty folder, or move {folder.name} out of {output_dir}.")
    for name in OUTPUT_NAMES:
        path = output_dir / name
        if os.path.lexists(path) and not _own_link(path, name):
            raise OutputConflict(f"{path}: exists and was not made by RUCAS (a build publishes {name} as a link "
                                 f"into {BUILDS}/current/), so a build will not replace it. Nothing was changed. "
                                 f"Fix: move {path} elsewhere, or give --output a new or empty folder.")


def claim_folder(folder: Path) -> None:
    """Mark `folder` as RUCAS's before a writer that replaces what it holds writes there (the Datasette
    configuration of `rucas publish-config --to`): it must be absent, empty or marked already, else
    OutputConflict (nothing changed)."""
    if os.path.lexists(folder) and (folder.is_symlink() or not folder.is_dir()
                                    or (not (folder / MARKER).is_file() and any(os.scandir(folder)))):
        raise OutputConflict(f"{folder}: exists, is not empty and was not made by RUCAS (no {MARKER} file in it), "
                             "and writing there replaces files. Nothing was changed. Fix: give a new or empty folder.")
    _mark(folder)


def _mark(folder: Path) -> None:
    """Make `folder` (if missing) and write RUCAS's marker into it."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / MARKER
    if not marker.is_file():
        marker.write_text(MARKER_TEXT, encoding="utf-8")


@contextlib.contextmanager
def build_lock(output_dir: Path, wait: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on output_dir for the duration of a build, once check_output_dir has found
    that a build may write there (else OutputConflict, and nothing is changed); .builds/ and .cache/ are
    marked as RUCAS's."""
    check_output_dir(output_dir)
    builds = output_dir / BUILDS
    _mark(builds)
    with open(builds / "lock", "a+") as handle:
        flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
        fcntl.flock(handle, flags)
        try:
            check_output_dir(output_dir)  # again under the lock: another build may have published meanwhile
            _mark(output_dir / CACHE)
            yield
        except BaseException:
            _remove_staging(builds)  # a failed build leaves nothing behind: a full disk gets its space back
            raise
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_staging(builds: Path) -> None:
    """Remove the staging folders in .builds/ (call under build_lock: none of them belongs to a running build)."""
    for leftover in builds.glob("staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def new_staging_dir(output_dir: Path) -> Path:
    """A fresh folder for a build in progress (call under build_lock)."""
    builds = output_dir / BUILDS
    _remove_staging(builds)
    staging = builds / f"staging-{uuid.uuid4().hex[:12]}"
    staging.mkdir(parents=True)
    return staging


def current_build(output_dir: Path) -> Path | None:
    """The folder of the published build, if any."""
    link = output_dir / BUILDS / "current"
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path, flushed: Collection[str] = ()) -> None:
    """Flush every file under `root` and every folder's entries (deepest first) to the disk, but for the entries
    of `root` named in `flushed` (flushed before by flush_finished: only their names, entries of `root`, are
    flushed here)."""
    _fsync_walk(root, flushed)


def _fsync_walk(root: Path, flushed: Collection[str] = ()) -> None:
    """_fsync_tree's walk, which flush_finished also takes for the outputs finished early (so that _fsync_tree is
    only ever the last flush before a publish, which is where the tests stop a build).

    A file with more than one name is a hard link to a published build's file (a patched build takes over
    unchanged Parquet files and Web Annotations so), flushed when that build was published: only its new name, an
    entry of its folder, is flushed here (100,000 files: 3.5 s of flushing saved)."""
    top = str(root)
    folders, pending = [], [top]
    while pending:
        folder = pending.pop()
        folders.append(folder)  # before the folders it holds
        skipped = flushed if folder == top else ()
        with os.scandir(folder) as entries:  # each entry knows its type; its lstat is asked once, of files alone
            for entry in entries:
                if entry.name in skipped:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_nlink == 1:
                    _fsync(entry.path)  # a symbolic link is neither: its entry is its folder's
    for folder in reversed(folders):  # each folder after the folders it holds
        _fsync(folder)


def flush_finished(staging: Path, names: Sequence[str]) -> tuple[str, ...]:
    """Flush to the disk the outputs `names` of `staging` (files, or folders and all they hold) that the build has
    finished writing; return those flushed (a name that is missing or a symbolic link is not), which flush_staging
    is then told to leave out. A cold build calls it while it waits for its SQLite writer
    (rucas.build.write.sqlite_writer): flushing the 100,000 files of the Web Annotations at 100,000 articles, with
    Parquet and rucas.duckdb, took most of the manifest stage, after the wait."""
    flushed = []
    for name in names:
        path = staging / name
        if path.is_symlink() or not path.exists():
            continue
        if path.is_dir():
            _fsync_walk(path)
        elif path.stat().st_nlink == 1:
            _fsync(str(path))
        flushed.append(name)
    return tuple(flushed)


def flush_staging(staging: Path, flushed: Collection[str] = ()) -> None:
    """Flush what a build has written into `staging` so far to the disk (its files and every folder's entries, as
    publish would), so that publish flushes only the files written after (its `written_after_flush`); the outputs
    `flushed` (flushed before by flush_finished, and not written since) are left out. A build calls it just
    before it writes manifest.json, which is then the one file publish flushes."""
    _fsync_tree(staging, flushed)


def publish(output_dir: Path, staging: Path, build_id: str, *, written_after_flush: Sequence[str] | None = None) -> Path:
    """Make `staging` the current build in one atomic step; return its final folder.

    Every file of `staging` is flushed to the disk first; with `written_after_flush` (paths relative to
    `staging`), the caller flushed the folder with flush_staging and wrote only those files since: they and
    `staging`'s own entries are flushed, and the tree is not walked again."""
    builds = output_dir / BUILDS
    if written_after_flush is None:
        _fsync_tree(staging)
    else:
        for relative in written_after_flush:
            _fsync(str(staging / relative))
        _fsync(str(staging))
    final = builds / f"build-{build_id}-{uuid.uuid4().hex[:8]}"
    os.rename(staging, final)
    temporary_link = builds / f"current.{uuid.uuid4().hex[:8]}"
    os.symlink(final.name, temporary_link)
    os.replace(temporary_link, builds / "current")
    fd = os.open(builds, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    _ensure_output_links(output_dir)
    _remove_superseded(builds, final)
    return final


def _ensure_output_links(output_dir: Path) -> None:
    """Make each published name a link into .builds/current/; a name something else took since
    check_output_dir raises OutputConflict (it is never removed). A link of a RETIRED_NAMES is removed."""
    for name in RETIRED_NAMES:
        if _own_link(output_dir / name, name):
            (output_dir / name).unlink()
    for name in OUTPUT_NAMES:
        link = output_dir / name
        target = Path(BUILDS) / "current" / name
        for stray in output_dir.glob(f".{glob.escape(name)}.*"):  # of a build killed between its two steps below
            if _own_link(stray, name):
                stray.unlink()
        if _own_link(link, name):
            continue
        if os.path.lexists(link):
            raise OutputConflict(f"{link}: appeared during the build and was not made by RUCAS; the build is "
                                 f"published in {output_dir / BUILDS / 'current'} but {name} does not link to it. "
                                 f"Fix: move {link} elsewhere and build again.")
        temporary = output_dir / f".{name}.{uuid.uuid4().hex[:8]}"
        os.symlink(target, temporary)
        os.replace(temporary, link)


def build_in_use(folder: Path) -> bool:
    """Whether another process on this machine holds a file under `folder` open or mapped
    (rucas.build.open_files; False without /proc).

    A server started on one build (`rucas serve` opens that build's rucas.db by its real path) opens
    more connections to it later; removing the folder under it would break those, so it is kept
    until no process has it open. This process is left out: its own open files stay readable once
    removed, and new connections through the published links reach the new build."""
    return held_open(folder)


def _remove_superseded(builds: Path, current: Path) -> None:
    finished = sorted((p for p in builds.glob("build-*") if p != current), key=lambda p: p.stat().st_mtime)
    for old in finished[: max(0, len(finished) - KEEP_PREVIOUS)]:
        if not build_in_use(old):
            shutil.rmtree(old, ignore_errors=True)
    for stray in builds.glob("current.*"):
        stray.unlink(missing_ok=True)
