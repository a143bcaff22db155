"""List the curated folder: article texts, annotations and reference files, with their paths and sizes.

Listing is separate from reading: a file's bytes are read when validation (or hashing) needs
them, so that a build whose articles come from the cache reads only what changed. Everything
the file system can put in the way (links out of the folder or in a loop, named pipes, devices,
sockets, unreadable files, names that are no source id, folders where files belong) becomes a
CurationError naming the file and the fix; nothing here raises or blocks.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

import pyarrow as pa

from rucas.build.read.file_list import FileList
from rucas.build.read.layout import OPTIONAL_REFERENCE_FILES, REFERENCE_FILES
from rucas.build.read.errors import CurationError, display_path

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
"""A source id (and an actor, statement or event id): lower-case letters, digits and single hyphens (full match)."""
MAX_FILE_BYTES = 5 * 1024 * 1024
"""Curated files larger than this are refused: no article or annotation comes near it."""

Fingerprint = tuple[int, int, int, int]
"""A file's size, mtime_ns, ctime_ns and inode: when all four are unchanged, so are its bytes (for hashing)."""
FINGERPRINT_FIELDS = ("size", "mtime_ns", "ctime_ns", "inode")
"""The fields of a fingerprint, in its order."""
FINGERPRINT_COLUMNS = ("path", *FINGERPRINT_FIELDS, "sha256")
"""The columns of the table of fingerprints (Corpus.fingerprints) that the validation cache keeps."""
Known = Mapping[str, tuple[Fingerprint, str]]
"""The fingerprint and SHA-256 of each file (by its path under the curated folder) as an earlier run hashed it."""


@dataclass(slots=True)
class CuratedFile:
    """One curated file: where it is, the name the curator is shown, its fingerprint, and (once read) its bytes."""

    path: Path | str
    """Where the file is (text as listed from its folder: making a Path of each of 200,000 names cost 2.5 s)."""
    shown: str
    relative: str
    fingerprint: Fingerprint = (0, 0, 0, 0)
    _data: bytes | None = None
    _sha256: str | None = None

    @property
    def data(self) -> bytes:
        """The file's bytes, read once (a regular file: checked when it was listed)."""
        if self._data is None:
            self._data = self._read()
        return self._data

    def _read(self) -> bytes:
        # Ask for the listed size (plus one byte, to see growth): asking for the 5 MiB limit would make
        # every read a large allocation that stays a memory mapping of its own once shrunk, and 200,000
        # files exceed the kernel's limit on mappings.
        with open(self.path, "rb", buffering=0) as handle:
            return handle.read(min(self.size, MAX_FILE_BYTES) + 1)

    @property
    def sha256(self) -> str:
        """SHA-256 of the bytes; hashing does not keep them (a worker process reads what it validates)."""
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self._data if self._data is not None else self._read()).hexdigest()
        return self._sha256

    @property
    def size(self) -> int:
        return self.fingerprint[0]


@dataclass
class Corpus:
    """Everything under dataset/curated that the build reads, and what was wrong with listing it."""

    root: Path
    articles: dict[str, CuratedFile] = field(default_factory=dict)
    annotations: dict[str, CuratedFile] = field(default_factory=dict)
    reference: dict[str, CuratedFile] = field(default_factory=dict)
    errors: list[CurationError] = field(default_factory=list)
    headers_only: dict[str, CuratedFile] = field(default_factory=dict)
    """Optional reference files that hold only their header comment: read, recorded as inputs, but no rows."""

    def files(self) -> list[CuratedFile]:
        """Every input file in a stable order."""
        return (
            [{**self.reference, **self.headers_only}[name] for name in sorted({*self.reference, *self.headers_only})]
            + [self.articles[s] for s in sorted(self.articles)]
            + [self.annotations[s] for s in sorted(self.annotations)]
        )

    def source_ids(self) -> list[str]:
        """Articles that have both their text and their annotation, sorted."""
        return sorted(self.articles.keys() & self.annotations.keys())

    def text_of(self, shown: str) -> str | None:
        """The text of a listed file by its shown name (for locating errors), or None."""
        for file in self.files():
            if file.shown == shown:
                try:
                    return file.data.decode("utf-8", errors="replace")
                except OSError:
                    return None
        return None

    def shown_root(self) -> str:
        """How the curated folder begins the names that files are shown under ("" when shown relative to it)."""
        shown = display_path(self.root)
        return "" if shown == "." else f"{shown}/"

    def inputs(self) -> FileList:
        """The manifest's record of every input: path, SHA-256 and size."""
        files = self.files()
        return FileList.from_columns([file.relative for file in files], [file.sha256 for file in files],
                                     [file.size for file in files])

    def fingerprints(self) -> pa.Table:
        """Every input's path, fingerprint (size, mtime_ns, ctime_ns, inode) and SHA-256, ordered by path: what the
        validation cache keeps so that the next run hashes only files whose fingerprint changed."""
        files = sorted(self.files(), key=lambda file: file.relative)
        prints = [file.fingerprint for file in files]
        columns = {"path": pa.array([file.relative for file in files], pa.string()),
                   **{name: pa.array([p[i] for p in prints], pa.int64()) for i, name in enumerate(FINGERPRINT_FIELDS)},
                   "sha256": pa.array([file.sha256 for file in files], pa.string())}
        return pa.table({name: columns[name] for name in FINGERPRINT_COLUMNS})


def _shown(root_shown: str, relative: str) -> str:
    return relative if root_shown == "." else f"{root_shown}/{relative}"


_KIND = {stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
         stat.S_IFDIR: "a folder"}


def _list_file(root: Path, shown: str, relative: str, errors: list[CurationError],
               entry: os.DirEntry | None = None, known: Known | None = None) -> CuratedFile | None:
    """A curated file (shown to the curator as `shown`) after checking what it is; None (and an error) when it
    cannot be read as one. `entry` is the file's entry from listing its folder, whose lstat it reuses; `known` as
    read_corpus takes it."""
    path = entry.path if entry is not None else root / relative
    try:
        info = entry.stat(follow_symlinks=False) if entry is not None else path.lstat()
        if stat.S_ISLNK(info.st_mode):
            resolved = Path(path).resolve(strict=True)
            if not resolved.is_relative_to(root.resolve()):
                errors.append(CurationError(shown, 1, f"points outside the curated folder (a link to {resolved}).",
                                            "replace the link with the file itself, inside dataset/curated."))
                return None
            info = resolved.stat()
    except RuntimeError:
        errors.append(CurationError(shown, 1, "is a link in a loop.", "replace the link with the file itself."))
        return None
    except OSError as exc:
        reason = "is a link in a loop" if exc.errno == errno.ELOOP else f"cannot be read ({exc.strerror})"
        errors.append(CurationError(shown, 1, f"{reason}.", "replace it with the file itself, readable by the build."))
        return None
    if not stat.S_ISREG(info.st_mode):
        what = _KIND.get(stat.S_IFMT(info.st_mode), "not a regular file")
        errors.append(CurationError(shown, 1, f"is {what}, not a file.", "save the text as an ordinary file here."))
        return None
    if info.st_size > MAX_FILE_BYTES:
        errors.append(CurationError(shown, 1, f"is {info.st_size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for a "
                                    "curated file.", "split it, or check that the right file was saved here."))
        return None
    fingerprint = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    earlier = known.get(relative) if known else None
    if earlier is not None and earlier[0] == fingerprint:  # hashed before, so readable; its mode is unchanged
        return CuratedFile(path, shown, relative, fingerprint, _sha256=earlier[1])
    if not os.access(path, os.R_OK):
        errors.append(CurationError(shown, 1, "cannot be read (permission denied).", "make it readable (chmod a+r)."))
        return None
    return CuratedFile(path, shown, relative, fingerprint)


def _entries(directory: Path, shown: str, errors: list[CurationError]) -> list[str]:
    return [entry.name for entry in _dir_entries(directory, shown, errors)]


def _dir_entries(directory: Path, shown: str, errors: list[CurationError]) -> list[os.DirEntry]:
    """The folder's entries but hidden ones, by name (each knows its type and keeps its lstat once asked)."""
    try:
        with os.scandir(directory) as listing:
            entries = [entry for entry in listing if not entry.name.startswith(".")]
        entries.sort(key=attrgetter("name"))
        return entries
    except OSError as exc:
        errors.append(CurationError(shown, 1, f"folder cannot be read ({exc.strerror}).", "make it a readable folder."))
        return []


def unexpected_reference_files(root: Path) -> list[CurationError]:
    """An error for each file in reference/ that the build does not read (its entries would be lost)."""
    known = {f"{name}.yaml" for name in REFERENCE_FILES}
    root_shown = display_path(root)
    folder = root / "reference"
    names = _entries(folder, _shown(root_shown, "reference"), []) if folder.is_dir() else []
    return [CurationError(_shown(root_shown, f"reference/{name}"), 1, "unexpected file in reference/: the build would "
                          f"not read it.", f"reference/ holds only {', '.join(sorted(known))}: merge it into one of "
                          "them, or move it out.")
            for name in names if name not in known]


def _not_a_folder(root_shown: str, path: Path, errors: list[CurationError]) -> bool:
    """Record one error when the curated folder `path` is missing or is a file; True then (its files are not listed)."""
    if path.is_symlink() or path.is_dir():
        return False
    folder = path.name
    is_file = os.path.lexists(path)
    errors.append(CurationError(_shown(root_shown, folder), 1,
                                f"{folder} is a file, not a folder." if is_file else f"the {folder}/ folder is missing.",
                                (f"move this file away and make {folder}/ a folder" if is_file else f"create {folder}/")
                                + f" holding the {folder} files (see dataset/curated/README.md)."))
    return True


def _only_comments(data: bytes) -> bool:
    """Whether a YAML file holds nothing but comments and blank lines."""
    return all(not line.strip() or line.lstrip().startswith(b"#") for line in data.splitlines())


def read_corpus(root: Path, only: str | None = None, known: Known | None = None) -> Corpus:
    """List every curated file under `root` (dataset/curated). Problems are collected in `corpus.errors`, not raised.

    With `only` (a source id), list the reference files and that one article and its annotation. With `known`
    (the validation cache's fingerprints), a file whose size, times and inode are those it had when an earlier
    run hashed it takes its SHA-256 from there, unread, and is not asked about read access again: a change of its
    permissions would have changed its ctime. At 100,000 articles that is 200,000 access checks fewer.
    """
    with cycle_collector_paused():  # 0.25 s of 1.4 s at 200,000 files
        return _read_corpus(root, only, known)


@contextlib.contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for a step that makes an object per file and no reference cycles (listing
    the corpus, loading the cache's fingerprints): the collector would walk the growing collection again and again
    for nothing. It runs again afterwards if it ran before.

    When the step is done, every object then alive is frozen (gc.freeze) before the collector runs again: its
    next collection would otherwise walk the 200,000 new objects of a listing at 100,000 articles once more
    (0.1 s), and every full collection after it again (0.06 s while the changed article is validated). Frozen
    objects are still freed when their last reference goes; only garbage cycles among them would stay, and
    these objects make none."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def _read_corpus(root: Path, only: str | None, known: Known | None) -> Corpus:
    """read_corpus, with the cycle collector paused."""
    corpus = Corpus(root)
    root_shown = display_path(root)
    if not root.is_dir():
        corpus.errors.append(CurationError(root_shown, 1, "the curated folder does not exist.",
                                           "point --curated at dataset/curated."))
        return corpus
    for name in REFERENCE_FILES if not _not_a_folder(root_shown, root / "reference", corpus.errors) else ():
        relative = f"reference/{name}.yaml"
        if not os.path.lexists(root / relative):
            if name in OPTIONAL_REFERENCE_FILES:
                continue
            corpus.errors.append(CurationError(_shown(root_shown, relative), 1, "reference file is missing.",
                                               f"create {relative} (see dataset/curated/README.md)."))
        elif (file := _list_file(root, _shown(root_shown, relative), relative, corpus.errors, known=known)) is not None:
            if name in OPTIONAL_REFERENCE_FILES and _only_comments(file.data):
                corpus.headers_only[name] = file  # its header alone: no entries yet, but still an input
                continue
            corpus.reference[name] = file
    corpus.errors += unexpected_reference_files(root)
    unlisted = False
    for kind, folder, suffix in (("articles", "articles", ".txt"), ("annotations", "annotations", ".yaml")):
        target: dict[str, CuratedFile] = getattr(corpus, kind)
        directory = root / folder
        if _not_a_folder(root_shown, directory, corpus.errors):
            unlisted = True  # then no article or annotation is reported for lacking its other half
            continue
        if not directory.is_dir() or directory.is_symlink():
            if directory.is_symlink():
                corpus.errors.append(CurationError(_shown(root_shown, folder), 1, f"{folder}/ is a link.",
                                                   f"make {folder}/ a real folder inside dataset/curated."))
            continue
        entries: list[os.DirEntry | None]
        if only is not None:
            names, entries = [f"{only}{suffix}"], [None]
        else:
            entries = list(_dir_entries(directory, _shown(root_shown, folder), corpus.errors))
            names = [entry.name for entry in entries]
        prefix, shown_prefix = f"{folder}/", _shown(root_shown, f"{folder}/")
        named = re.compile(rf"(?:{SLUG.pattern}){re.escape(suffix)}").fullmatch
        for name, entry in zip(names, entries):
            if only is not None and not os.path.lexists(directory / name):
                corpus.errors.append(CurationError(_shown(root_shown, f"{folder}/{name}"), 1, "file is missing.",
                                                   "check the source id and the --curated folder."))
                continue
            relative = prefix + name
            if entry.is_dir(follow_symlinks=False) if entry is not None else \
                    ((directory / name).is_dir() and not (directory / name).is_symlink()):
                corpus.errors.append(CurationError(_shown(root_shown, relative), 1, f"folder inside {folder}/: its files "
                                                   "would not be read.", f"move its files up into {folder}/ (one flat "
                                                   "folder), or out of dataset/curated."))
            elif named(name):  # a source id and the folder's suffix
                if (file := _list_file(root, shown_prefix + name, relative, corpus.errors, entry, known)) is not None:
                    target[name[:-len(suffix)]] = file
            elif not name.endswith(suffix):
                corpus.errors.append(CurationError(_shown(root_shown, relative[:200]), 1, f"unexpected file in {folder}/.",
                                                   f"{folder}/ holds only <source_id>{suffix} files: rename or move it."))
            else:
                printable = name[:120] if name.isprintable() else repr(name[:120])
                corpus.errors.append(CurationError(_shown(root_shown, f"{folder}/{printable}"), 1,
                                                   f"file name {printable!r} is not a valid source id.",
                                                   "rename it to lower-case letters, digits and single hyphens, e.g. "
                                                   f"publisher-short-title{suffix}."))
    refused = {Path(error.path).stem for error in corpus.errors}
    for source_id in sorted(corpus.articles.keys() - corpus.annotations.keys() - refused) if not unlisted else ():
        corpus.errors.append(CurationError(corpus.articles[source_id].shown, 1, "article has no annotation.",
                                           f"create annotations/{source_id}.yaml with at least a source: block."))
    for source_id in sorted(corpus.annotations.keys() - corpus.articles.keys() - refused) if not unlisted else ():
        corpus.errors.append(CurationError(corpus.annotations[source_id].shown, 1, "annotation has no article.",
                                           f"save the article as articles/{source_id}.txt, or rename the annotation to "
                                           "match its article."))
    if not corpus.articles and not corpus.annotations and not corpus.errors:
        corpus.errors.append(CurationError(_shown(root_shown, "articles"), 1, "the corpus has no articles: a build would "
                                           "publish an empty dataset.", "add articles and their annotations, or point "
                                           "--curated at the right folder."))
    return corpus
