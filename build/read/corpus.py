"""List the curated folder: article texts, annotations and reference files, with their paths and sizes.

Listing is separate from reading: a file's bytes are read when validation (or hashing) needs
them, so that a build whose articles come from the cache reads only what changed. Everything
the file system can put in the way (links out of the folder or in a loop, named pipes, devices,
sockets, unreadable files, names that are no source id, folders where files belong) becomes a
CurationError naming the file and the fix; nothing here raises or blocks.
"""

from __future__ import annotations

import array
import bisect
import contextlib
import errno
import functools
import gc
import hashlib
import os
import pickle
import re
import stat
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from rucas.build.read.file_list import FileList
from rucas.build.read.layout import OPTIONAL_REFERENCE_FILES, REFERENCE_FILES
from rucas.build.read.errors import CurationError, display_path

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
"""A source id (and an actor, statement or event id): lower-case letters, digits and single hyphens (full match)."""
MAX_FILE_BYTES = 5 * 1024 * 1024
"""Curated files larger than this are refused: no article or annotation comes near it."""

T = TypeVar("T")

Fingerprint = tuple[int, int, int, int]
"""A file's size, mtime_ns, ctime_ns and inode: when all four are unchanged, so are its bytes (for hashing)."""
FINGERPRINT_FIELDS = ("size", "mtime_ns", "ctime_ns", "inode")
"""The fields of a fingerprint, in its order."""
FINGERPRINT_COLUMNS = ("path", *FINGERPRINT_FIELDS, "sha256")
"""The columns of the table of fingerprints (Corpus.fingerprints) that the validation cache keeps."""


@dataclass(slots=True, weakref_slot=True)
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


ARTICLE_FOLDERS = {"articles": ".txt", "annotations": ".yaml"}
"""The folders of the curated corpus that hold a file per article (named <source_id><suffix>), and their suffix."""


class ListedFiles(Mapping[str, CuratedFile]):
    """The files of one folder of the curated corpus (articles/ or annotations/), by source id, held as columns:
    the sorted ids, each file's fingerprint, and its SHA-256 where known (an earlier run's for the same
    fingerprint, or this run's once hashed; null otherwise). A file's CuratedFile is made when it is asked for, and
    is the same object while anything holds it (its bytes are read once); the columns keep only its hash.

    At 100,000 articles a listing of both folders made 200,000 CuratedFiles, and a build of one edited article
    asked for two of them (and for the hashes of all, which the columns give at once)."""

    def __init__(self, directory: str, prefix: str, shown_prefix: str, suffix: str,
                 ids: Sequence[str] = (), fields: Mapping[str, array.array] | None = None) -> None:
        """`directory`: where the folder is (its files are read from there); `prefix`: its path under the curated
        folder ("articles/"); `shown_prefix`: how errors show that; `suffix`: its files' suffix; `ids` and
        `fields`: the source id of each of its files, in any order, and their fingerprints (a column of 64-bit
        integers for each of FINGERPRINT_FIELDS, taken by Arrow without a copy)."""
        self.directory, self.prefix, self.shown_prefix, self.suffix = directory, prefix, shown_prefix, suffix
        fields = fields or {name: array.array("q") for name in FINGERPRINT_FIELDS}
        columns = pa.table({"source_id": pa.array(ids, pa.string()),
                            **{name: pa.Array.from_buffers(pa.int64(), len(ids), [None, pa.py_buffer(fields[name])])
                               for name in FINGERPRINT_FIELDS}})
        columns = columns.take(pc.sort_indices(columns.column("source_id"))).combine_chunks()
        self._id_array = columns.column("source_id").chunk(0) if columns.num_rows else pa.array([], pa.string())
        self._ids: list[str] = self._id_array.to_pylist()
        self._columns = {name: columns.column(name).chunk(0) if columns.num_rows else pa.array([], pa.int64())
                         for name in FINGERPRINT_FIELDS}
        self._hashes = pa.nulls(len(self._ids), pa.string())
        self._made: weakref.WeakValueDictionary[str, CuratedFile] = weakref.WeakValueDictionary()
        self._replaced: dict[str, CuratedFile] = {}

    def __getitem__(self, source_id: str) -> CuratedFile:
        made = self._replaced.get(source_id) or self._made.get(source_id)
        if made is None:
            position = self._position(source_id)
            name = source_id + self.suffix
            fingerprint = tuple(self._columns[field][position].as_py() for field in FINGERPRINT_FIELDS)
            made = CuratedFile(f"{self.directory}/{name}", self.shown_prefix + name, self.prefix + name,
                               fingerprint, _sha256=self._hashes[position].as_py())  # type: ignore[arg-type]
            self._made[source_id] = made
        return made

    def _position(self, source_id: str) -> int:
        """The id's place in the columns (found in the sorted ids: no map of 100,000 ids is made for a few files)."""
        position = bisect.bisect_left(self._ids, source_id)
        if position == len(self._ids) or self._ids[position] != source_id:
            raise KeyError(source_id)
        return position

    def ids(self) -> pa.Array:
        """The source ids of the listed files, sorted."""
        return self._id_array

    def __contains__(self, source_id: object) -> bool:
        if not isinstance(source_id, str):
            return False
        try:
            self._position(source_id)
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __getstate__(self) -> dict[str, object]:
        """What a listing made in another process hands back (side_by_side): the columns, not the records made from
        them (those are made again when asked for) nor the list of ids (made again from its column)."""
        return {name: value for name, value in vars(self).items() if name not in ("_made", "_ids")}

    def __setstate__(self, state: dict[str, object]) -> None:
        vars(self).update(state)
        self._ids = self._id_array.to_pylist()
        self._made = weakref.WeakValueDictionary()

    def _copy(self) -> ListedFiles:
        """These files as a new listing that shares their columns (Arrow arrays, never changed in place) and has its
        own records and replacements."""
        copy = ListedFiles(self.directory, self.prefix, self.shown_prefix, self.suffix)
        copy._ids, copy._id_array, copy._columns, copy._hashes = self._ids, self._id_array, self._columns, self._hashes
        copy._replaced = dict(self._replaced)
        return copy

    def replaced(self, source_id: str, file: CuratedFile) -> ListedFiles:
        """These files with the listed file `source_id` read as `file` (its bytes and hash), for checking what
        validation makes of other bytes."""
        copy = self._copy()
        copy._replaced[source_id] = file
        self._position(source_id)  # a KeyError for a file not listed
        return copy

    def paths(self) -> pa.Array:
        """Each file's path under the curated folder, in the order of the ids."""
        return pc.binary_join_element_wise(pa.scalar(self.prefix), self._id_array, pa.scalar(self.suffix), "")

    def fingerprint_columns(self) -> dict[str, pa.Array]:
        """The fingerprint's fields (FINGERPRINT_FIELDS) as columns, in the order of the ids."""
        return dict(self._columns)

    def sha256s(self, source_ids: pa.Array | None = None) -> pa.Array:
        """The SHA-256 of the files of `source_ids` (text; default: all, in the order of the ids): the known hash (an
        earlier run's where a file's fingerprint was unchanged), else its CuratedFile's (the file read and hashed,
        the hash then kept in the column, not the object)."""
        ids = self._id_array if source_ids is None else source_ids
        positions = pc.index_in(ids, value_set=self._id_array)
        if positions.null_count:
            raise KeyError(f"not listed here: {ids.filter(pc.is_null(positions))[0]}")
        known = self._hashes.take(positions)
        missing = pc.is_null(known)
        if pc.any(missing).as_py():
            places = pc.indices_nonzero(missing)
            hashed = pa.array([self[source_id].sha256 for source_id in ids.take(places).to_pylist()], pa.string())
            order = pc.sort_indices(positions.take(places))  # the column's mask is in the column's order
            column_mask = pc.is_in(self._id_array, value_set=ids.filter(missing))
            self._hashes = pc.replace_with_mask(self._hashes, column_mask, hashed.take(order))
            known = self._hashes.take(positions)
        replaced = pc.is_in(ids, value_set=pa.array(list(self._replaced), pa.string()))
        if not pc.any(replaced).as_py():
            return known
        return pc.replace_with_mask(known, replaced, pa.array([self[source_id].sha256 for source_id
                                                               in ids.filter(replaced).to_pylist()], pa.string()))

    def take_known(self, known: pa.Table | None) -> None:
        """Take the hash of each file whose path and fingerprint `known` (an earlier run's Corpus.fingerprints)
        lists (unchanged_hashes)."""
        if known is not None and known.num_rows and self._ids:
            self._hashes = unchanged_hashes(known, self.paths(), self.fingerprint_columns())

    def changed(self, fingerprints: Mapping[str, Fingerprint]) -> ListedFiles:
        """These files with the listed files of `fingerprints` (source id: its new fingerprint) changed: each takes
        its new fingerprint and no hash (its bytes are read again when asked for). The listing is not changed."""
        copy = self._copy()
        if not fingerprints:
            return copy
        for source_id in fingerprints:
            self._position(source_id)  # a KeyError for a file not listed
            copy._replaced.pop(source_id, None)
        ids = pa.array(sorted(fingerprints), pa.string())
        mask = pc.is_in(self._id_array, value_set=ids)  # in the order of the ids, as `ids` is sorted
        changed = ids.to_pylist()
        copy._columns = {name: pc.replace_with_mask(self._columns[name], mask, pa.array(
                             [fingerprints[source_id][i] for source_id in changed], pa.int64()))
                         for i, name in enumerate(FINGERPRINT_FIELDS)}
        copy._hashes = pc.replace_with_mask(self._hashes, mask, pa.nulls(len(ids), pa.string()))
        return copy

    def dropped(self, source_ids: set[str]) -> None:
        """Leave the files of `source_ids` out (they could not be read)."""
        if not source_ids:
            return
        keep = pa.array([position for position, source_id in enumerate(self._ids) if source_id not in source_ids],
                        pa.int64())
        self._ids = [self._ids[position] for position in keep.to_pylist()]
        self._id_array = self._id_array.take(keep)
        self._columns = {name: column.take(keep) for name, column in self._columns.items()}
        self._hashes = self._hashes.take(keep)
        for source_id in source_ids:
            self._made.pop(source_id, None)
            self._replaced.pop(source_id, None)

    def unhashed(self) -> list[str]:
        """The ids of the files without a known hash: at listing, those not checked since they last changed."""
        return [self._ids[place] for place in pc.indices_nonzero(pc.is_null(self._hashes)).to_pylist()]

    def by_shown(self, shown: str) -> CuratedFile | None:
        """The file shown to the curator as `shown`, if listed here."""
        if shown.startswith(self.shown_prefix) and shown.endswith(self.suffix):
            source_id = shown[len(self.shown_prefix):len(shown) - len(self.suffix)]
            if source_id in self:
                return self[source_id]
        return None


def _no_files(folder: str) -> ListedFiles:
    """An empty listing of one of ARTICLE_FOLDERS (a Corpus made of reference files only)."""
    return ListedFiles(folder, f"{folder}/", f"{folder}/", ARTICLE_FOLDERS[folder])


def unchanged_hashes(known: pa.Table, paths: pa.Array, fingerprints: Mapping[str, pa.Array]) -> pa.Array:
    """For each file (its path and fingerprint columns), the SHA-256 that `known` (a table of FINGERPRINT_COLUMNS)
    holds for the same path with the same fingerprint, else null: the files whose bytes an earlier run hashed."""
    known = known.combine_chunks()
    found = pc.index_in(paths, value_set=known.column("path").chunk(0))
    same = pa.repeat(True, len(paths))
    for name in FINGERPRINT_FIELDS:
        same = pc.and_(same, pc.equal(fingerprints[name], known.column(name).chunk(0).take(found)))
    return pc.if_else(pc.fill_null(same, False), known.column("sha256").chunk(0).take(found),
                      pa.scalar(None, pa.string()))


@dataclass
class Corpus:
    """Everything under dataset/curated that the build reads, and what was wrong with listing it."""

    root: Path
    articles: ListedFiles = field(default_factory=lambda: _no_files("articles"))
    annotations: ListedFiles = field(default_factory=lambda: _no_files("annotations"))
    reference: dict[str, CuratedFile] = field(default_factory=dict)
    errors: list[CurationError] = field(default_factory=list)
    headers_only: dict[str, CuratedFile] = field(default_factory=dict)
    """Optional reference files that hold only their header comment: read, recorded as inputs, but no rows."""
    listings: dict[str, FolderListing] = field(default_factory=dict)
    """Each of ARTICLE_FOLDERS that was listed, as its listing found it (its errors are also in `errors`): what a
    watch hands to the next `read_corpus(listed=...)` for the folders in which nothing changed."""

    def _reference_files(self) -> list[CuratedFile]:
        every = {**self.reference, **self.headers_only}
        return [every[name] for name in sorted(every)]

    def files(self) -> list[CuratedFile]:
        """Every input file in a stable order: the reference files by name, then the articles and the annotations by
        source id (a CuratedFile made for each)."""
        return (self._reference_files() + [self.articles[s] for s in self.articles]
                + [self.annotations[s] for s in self.annotations])

    def source_ids(self) -> pa.Array:
        """Articles that have both their text and their annotation, sorted."""
        ids = self.articles.ids()
        return ids.filter(pc.is_in(ids, value_set=self.annotations.ids()))

    def text_of(self, shown: str) -> str | None:
        """The text of a listed file by its shown name (for locating errors), or None."""
        found = next((file for file in self._reference_files() if file.shown == shown), None) \
            or self.articles.by_shown(shown) or self.annotations.by_shown(shown)
        if found is None:
            return None
        try:
            return found.data.decode("utf-8", errors="replace")
        except OSError:
            return None

    def shown_root(self) -> str:
        """How the curated folder begins the names that files are shown under ("" when shown relative to it)."""
        shown = display_path(self.root)
        return "" if shown == "." else f"{shown}/"

    def _columns(self) -> pa.Table:
        """Every input's path, fingerprint and SHA-256 (FINGERPRINT_COLUMNS), in a stable order: the reference
        files by name, then the articles and the annotations by source id."""
        reference = self._reference_files()
        pieces = [pa.table({**_file_columns(reference),
                            "sha256": pa.array([file.sha256 for file in reference], pa.string())})]
        for files in (self.articles, self.annotations):
            pieces.append(pa.table({"path": files.paths(), **files.fingerprint_columns(), "sha256": files.sha256s()}))
        return pa.concat_tables(pieces)

    def inputs(self) -> FileList:
        """The manifest's record of every input: path, SHA-256 and size."""
        columns = self._columns()
        return FileList(pa.table({"path": columns.column("path"), "sha256": columns.column("sha256"),
                                  "bytes": columns.column("size")}))

    def fingerprints(self) -> pa.Table:
        """Every input's path, fingerprint (size, mtime_ns, ctime_ns, inode) and SHA-256, ordered by path: what the
        validation cache keeps so that the next run hashes only files whose fingerprint changed."""
        columns = self._columns()
        return columns.take(pc.sort_indices(columns.column("path"))).combine_chunks()


def _file_columns(files: Sequence[CuratedFile]) -> dict[str, pa.Array]:
    """The path under the curated folder and the fingerprint's fields (FINGERPRINT_FIELDS) of some files, as columns
    in their order (for the reference files, which are listed one by one, not as a folder's columns)."""
    return {"path": pa.array([file.relative for file in files], pa.string()),
            **{name: pa.array([file.fingerprint[i] for file in files], pa.int64())
               for i, name in enumerate(FINGERPRINT_FIELDS)}}


def _shown(root_shown: str, relative: str) -> str:
    return relative if root_shown == "." else f"{root_shown}/{relative}"


_KIND = {stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
         stat.S_IFDIR: "a folder"}


def _fingerprint(root: Path, shown: str, path: str, info: os.stat_result | None,
                 errors: list[CurationError]) -> Fingerprint | None:
    """The fingerprint of the curated file at `path` (shown to the curator as `shown`; `info` its lstat, if known)
    after checking what it is: a regular file, or a link to one inside the curated folder, within the size limit;
    None (and an error) when it cannot be read as one. Whether it may be read is asked later, of the files not
    hashed before (`_readable`)."""
    try:
        info = info if info is not None else os.lstat(path)
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
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def _readable(path: str, shown: str, errors: list[CurationError]) -> bool:
    """Whether the build may read the file; else an error. Asked only of files that no earlier run hashed with
    their present fingerprint: a change of a file's permissions changes its ctime."""
    if os.access(path, os.R_OK):
        return True
    errors.append(CurationError(shown, 1, "cannot be read (permission denied).", "make it readable (chmod a+r)."))
    return False


def _entries(directory: Path, shown: str, errors: list[CurationError]) -> list[os.DirEntry]:
    """The folder's entries but hidden ones, unordered (each knows its type and keeps its lstat once asked)."""
    try:
        with os.scandir(directory) as listing:
            return [entry for entry in listing if not entry.name.startswith(".")]
    except OSError as exc:
        errors.append(CurationError(shown, 1, f"folder cannot be read ({exc.strerror}).", "make it a readable folder."))
        return []


@dataclass(frozen=True)
class _NamedEntry:
    """A file asked for by name (`read_corpus(only=...)`), answering as the entry of a folder's listing would."""

    name: str
    path: str

    def is_dir(self, follow_symlinks: bool = False) -> bool:
        return os.path.isdir(self.path) and (follow_symlinks or not os.path.islink(self.path))

    def stat(self, follow_symlinks: bool = False) -> os.stat_result:
        return os.stat(self.path) if follow_symlinks else os.lstat(self.path)


class FolderListing(NamedTuple):
    """One of ARTICLE_FOLDERS as listing it found it: its files, and an error for each entry that is no such file
    (or could not be read)."""

    files: ListedFiles
    errors: list[CurationError]


class _Listing(NamedTuple):
    """What listing a folder found: each file's source id and fingerprint (FINGERPRINT_FIELDS, as columns), and an
    error for each entry that is no such file."""

    ids: list[str]
    fields: dict[str, array.array]
    errors: list[CurationError]


def _list_folder(root: Path, root_shown: str, folder: str, suffix: str, only: str | None) -> _Listing:
    """The files of `folder` (articles/ or annotations/, whose files end in `suffix`; with `only`, that source id's
    file alone), and an error for each entry that is no such file."""
    errors: list[CurationError] = []
    directory = root / folder
    prefix, shown_prefix = f"{folder}/", _shown(root_shown, f"{folder}/")
    entries: contextlib.AbstractContextManager
    if only is None:  # entries read one at a time: a listing of 100,000 files holds none longer than it takes
        entries = _scanned(directory)
    elif os.path.lexists(directory / f"{only}{suffix}"):
        entries = contextlib.nullcontext([_NamedEntry(f"{only}{suffix}", str(directory / f"{only}{suffix}"))])
    else:
        entries = contextlib.nullcontext([])
        errors.append(CurationError(_shown(root_shown, f"{folder}/{only}{suffix}"), 1, "file is missing.",
                                    "check the source id and the --curated folder."))
    named = re.compile(rf"(?:{SLUG.pattern}){re.escape(suffix)}").fullmatch
    ids: list[str] = []
    columns = {name: array.array("q") for name in FINGERPRINT_FIELDS}
    appends = [columns[name].append for name in FINGERPRINT_FIELDS]
    sizes, mtimes, ctimes, inodes = (columns[name].append for name in ("size", "mtime_ns", "ctime_ns", "inode"))
    cut = -len(suffix)
    regular = stat.S_ISREG
    try:
        with entries as listing:
            for entry in listing:
                name = entry.name
                if name.startswith("."):  # hidden: an editor's or the system's, not the curator's
                    continue
                if entry.is_dir(follow_symlinks=False):
                    errors.append(CurationError(_shown(root_shown, prefix + name), 1, f"folder inside {folder}/: its "
                                                "files would not be read.", f"move its files up into {folder}/ (one "
                                                "flat folder), or out of dataset/curated."))
                elif named(name):  # a source id and the folder's suffix
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        info = None  # gone since it was listed: _fingerprint reports why it cannot be read
                    if info is not None and regular(info.st_mode) and info.st_size <= MAX_FILE_BYTES:
                        # an ordinary file, taken as _fingerprint would take it without its names and checks (a
                        # folder of 100,000 files: 0.33 s against 0.40 s)
                        ids.append(name[:cut])
                        sizes(info.st_size)
                        mtimes(info.st_mtime_ns)
                        ctimes(info.st_ctime_ns)
                        inodes(info.st_ino)
                        continue
                    fingerprint = _fingerprint(root, shown_prefix + name, f"{directory}/{name}", info, errors)
                    if fingerprint is not None:
                        ids.append(name[:cut])
                        for append, value in zip(appends, fingerprint):
                            append(value)
                elif not name.endswith(suffix):
                    errors.append(CurationError(_shown(root_shown, (prefix + name)[:200]), 1, "unexpected file in "
                                                f"{folder}/.", f"{folder}/ holds only <source_id>{suffix} files: "
                                                "rename or move it."))
                else:
                    printable = name[:120] if name.isprintable() else repr(name[:120])
                    errors.append(CurationError(_shown(root_shown, f"{folder}/{printable}"), 1,
                                                f"file name {printable!r} is not a valid source id.",
                                                "rename it to lower-case letters, digits and single hyphens, e.g. "
                                                f"publisher-short-title{suffix}."))
    except OSError as exc:
        errors.append(CurationError(_shown(root_shown, folder), 1, f"folder cannot be read ({exc.strerror}).",
                                    "make it a readable folder."))
    return _Listing(ids, columns, errors)


@contextlib.contextmanager
def _scanned(directory: Path) -> Iterator[Iterator[os.DirEntry]]:
    """The entries of `directory`, read one at a time through a descriptor of the folder: each entry's lstat then
    looks up its name in the folder, not its whole path from the root (0.17 s against 0.21 s for 100,000 files)."""
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with os.scandir(descriptor) as entries:
            yield entries
    finally:
        os.close(descriptor)


def _listed_files(root: Path, root_shown: str, folder: str, suffix: str, only: str | None,
                  known: pa.Table | None) -> FolderListing:
    """The files of `folder` (_list_folder) as ListedFiles, each given the hash `known` holds for it if it is unchanged
    (ListedFiles.take_known); files not hashed before that the build may not read are left out, with an error."""
    listing = _list_folder(root, root_shown, folder, suffix, only)
    errors = listing.errors
    files = ListedFiles(str(root / folder), f"{folder}/", _shown(root_shown, f"{folder}/"), suffix, listing.ids,
                        listing.fields)
    files.take_known(known)
    files.dropped({source_id for source_id in files.unhashed()
                   if not _readable(f"{files.directory}/{source_id}{suffix}", f"{files.shown_prefix}{source_id}{suffix}",
                                    errors)})
    return FolderListing(files, errors)


def listed_again(root: Path, folder: str, listing: FolderListing, changed: set[str]) -> FolderListing | None:
    """The listing of `folder` (one of ARTICLE_FOLDERS) once the files of `changed` (source ids), and no other entry,
    were changed in place: those files are looked at again, each as `read_corpus(only=...)` lists one file, and
    the others keep their fingerprints and hashes. None when that cannot give what listing the whole folder would:
    the folder's last listing found an entry wrong, or a changed file is no longer an ordinary listed file (its
    error, or its absence, is then found by listing the folder again)."""
    if listing.errors:
        return None
    suffix = ARTICLE_FOLDERS[folder]
    root_shown = display_path(root)
    fingerprints: dict[str, Fingerprint] = {}
    for source_id in sorted(changed):
        if source_id not in listing.files:
            return None
        one = _list_folder(root, root_shown, folder, suffix, source_id)
        if one.errors or one.ids != [source_id]:
            return None
        fingerprint = tuple(one.fields[name][0] for name in FINGERPRINT_FIELDS)
        if not _readable(f"{listing.files.directory}/{source_id}{suffix}",
                         f"{listing.files.shown_prefix}{source_id}{suffix}", []):
            return None
        fingerprints[source_id] = fingerprint  # type: ignore[assignment]
    return FolderListing(listing.files.changed(fingerprints), [])


LARGE_FOLDER_BYTES = 256 * 1024
"""A folder whose directory file is at least this large (some 5,000 entries on ext4) is listed in a second process
while the other folder is listed in this one: listing is mostly waiting for the kernel to look up each file."""


def _large(directory: Path) -> bool:
    """Whether the folder is large enough to be listed in a process of its own (LARGE_FOLDER_BYTES)."""
    try:
        return os.stat(directory).st_size >= LARGE_FOLDER_BYTES
    except OSError:
        return False


def side_by_side(here: Callable[[], T], aside: Callable[[], T]) -> tuple[T, T]:
    """`here()` and `aside()`, the second run at the same time in a forked process whose result is handed back
    pickled. If the fork or the child fails, `aside()` is run here afterwards: the same function either way.

    The child runs only `aside` and leaves (os._exit), never the caller's code after it; it holds nothing the
    caller has to release. If `here()` fails, the child is waited for (its pipe closed, so it cannot block)."""
    if not hasattr(os, "fork"):
        return here(), aside()
    reading, writing = os.pipe()
    try:
        child = os.fork()
    except OSError:
        os.close(reading)
        os.close(writing)
        return here(), aside()
    if child == 0:  # the child: hand the result over and leave
        status = 1
        try:
            os.close(reading)
            with open(writing, "wb") as handing:
                pickle.dump(aside(), handing, protocol=pickle.HIGHEST_PROTOCOL)
            status = 0
        finally:
            os._exit(status)
    os.close(writing)
    handed = open(reading, "rb")
    try:
        first = here()
        data = handed.read()
    finally:
        handed.close()  # a child still writing gets a broken pipe and leaves
        _, status = os.waitpid(child, 0)
    if status != 0:
        return first, aside()
    return first, pickle.loads(data)


def _take_known_reference(reference: Mapping[str, CuratedFile], known: pa.Table | None) -> None:
    """Give each reference file the hash `known` holds for its path and fingerprint, if any (as ListedFiles.take_known
    does for the folders' files)."""
    if known is None or not known.num_rows or not reference:
        return
    files = list(reference.values())
    known = known.filter(pc.starts_with(known.column("path"), "reference/"))  # not 200,000 paths to look among
    columns = _file_columns(files)
    hashes = unchanged_hashes(known, columns.pop("path"), columns)
    for file, sha256 in zip(files, hashes.to_pylist()):
        file._sha256 = sha256


def unexpected_reference_files(root: Path) -> list[CurationError]:
    """An error for each file in reference/ that the build does not read (its entries would be lost)."""
    known = {f"{name}.yaml" for name in REFERENCE_FILES}
    root_shown = display_path(root)
    folder = root / "reference"
    names = sorted(entry.name for entry in _entries(folder, _shown(root_shown, "reference"), [])) if folder.is_dir() else []
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


def read_corpus(root: Path, only: str | None = None, known: pa.Table | None = None,
                listed: Mapping[str, FolderListing] | None = None) -> Corpus:
    """List every curated file under `root` (dataset/curated). Problems are collected in `corpus.errors`, not raised.

    With `only` (a source id), list the reference files and that one article and its annotation. With `known`
    (the validation cache's fingerprints: a table of FINGERPRINT_COLUMNS), a file whose size, times and inode are
    those it had when an earlier run hashed it takes its SHA-256 from there, unread, and is not asked about read
    access again: a change of its permissions would have changed its ctime. At 100,000 articles that is 200,000
    access checks fewer. The folders' files are held as columns (ListedFiles), compared with `known` at once.

    With `listed` (what a watch knows of some of ARTICLE_FOLDERS: their last listings, `Corpus.listings`, brought
    up to date with `listed_again`), those folders are not listed again; everything else is read as without it.
    """
    with cycle_collector_paused():
        return _read_corpus(root, only, known, listed or {})


@contextlib.contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for a step that makes objects per file and no reference cycles (listing
    the corpus): the collector would walk the growing collection again and again for nothing. It runs again
    afterwards if it ran before.

    When the step is done, every object then alive is frozen (gc.freeze) before the collector runs again: its
    next collection would otherwise walk the objects a listing of 100,000 articles made once more, and every
    full collection after it again. Frozen
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


def _read_corpus(root: Path, only: str | None, known: pa.Table | None, listed: Mapping[str, FolderListing]) -> Corpus:
    """read_corpus, with the cycle collector paused."""
    corpus = Corpus(root)
    root_shown = display_path(root)
    if not root.is_dir():
        corpus.errors.append(CurationError(root_shown, 1, "the curated folder does not exist.",
                                           "point --curated at dataset/curated."))
        return corpus
    reference: dict[str, CuratedFile] = {}
    for name in REFERENCE_FILES if not _not_a_folder(root_shown, root / "reference", corpus.errors) else ():
        relative = f"reference/{name}.yaml"
        if not os.path.lexists(root / relative):
            if name not in OPTIONAL_REFERENCE_FILES:
                corpus.errors.append(CurationError(_shown(root_shown, relative), 1, "reference file is missing.",
                                                   f"create {relative} (see dataset/curated/README.md)."))
            continue
        shown = _shown(root_shown, relative)
        if (fingerprint := _fingerprint(root, shown, str(root / relative), None, corpus.errors)) is not None:
            reference[name] = CuratedFile(root / relative, shown, relative, fingerprint)
    _take_known_reference(reference, known)
    for name, file in reference.items():
        if file._sha256 is None and not _readable(str(file.path), file.shown, corpus.errors):
            continue
        if name in OPTIONAL_REFERENCE_FILES and _only_comments(file.data):
            corpus.headers_only[name] = file  # its header alone: no entries yet, but still an input
        else:
            corpus.reference[name] = file
    corpus.errors += unexpected_reference_files(root)
    unlisted = False
    folders = []
    for folder, suffix in ARTICLE_FOLDERS.items():
        directory = root / folder
        if _not_a_folder(root_shown, directory, corpus.errors):
            unlisted = True  # then no article or annotation is reported for lacking its other half
            continue
        if not directory.is_dir() or directory.is_symlink():
            if directory.is_symlink():
                corpus.errors.append(CurationError(_shown(root_shown, folder), 1, f"{folder}/ is a link.",
                                                   f"make {folder}/ a real folder inside dataset/curated."))
            continue
        folders.append((folder, suffix))
    jobs = {folder: functools.partial(_listed_files, root, root_shown, folder, suffix, only, known)
            for folder, suffix in folders if only is not None or folder not in listed}
    if len(jobs) == 2 and only is None and _large(root / folders[1][0]):
        made = dict(zip(jobs, side_by_side(*jobs.values())))
    else:
        made = {folder: job() for folder, job in jobs.items()}
    for folder, _ in folders:
        listing = made[folder] if folder in made else listed[folder]
        corpus.errors += listing.errors
        setattr(corpus, folder, listing.files)  # corpus.articles, corpus.annotations
        if only is None:
            corpus.listings[folder] = listing
    refused = {Path(error.path).stem for error in corpus.errors}
    articles, annotations = corpus.articles.ids(), corpus.annotations.ids()  # sorted
    alone = {folder: [source_id for source_id in ids.filter(pc.invert(pc.is_in(ids, value_set=other))).to_pylist()
                      if source_id not in refused] if not unlisted else []
             for folder, ids, other in (("articles", articles, annotations), ("annotations", annotations, articles))}
    for source_id in alone["articles"]:
        corpus.errors.append(CurationError(corpus.articles[source_id].shown, 1, "article has no annotation.",
                                           f"create annotations/{source_id}.yaml with at least a source: block."))
    for source_id in alone["annotations"]:
        corpus.errors.append(CurationError(corpus.annotations[source_id].shown, 1, "annotation has no article.",
                                           f"save the article as articles/{source_id}.txt, or rename the annotation to "
                                           "match its article."))
    if not corpus.articles and not corpus.annotations and not corpus.errors:
        corpus.errors.append(CurationError(_shown(root_shown, "articles"), 1, "the corpus has no articles: a build would "
                                           "publish an empty dataset.", "add articles and their annotations, or point "
                                           "--curated at the right folder."))
    return corpus
