"""Watch the curated folder for changes, so that a curator's edits are validated as they are saved.

A watch asks the kernel (Linux's inotify) to report what happens in each folder of the curated tree. What it
reports decides how much of the corpus is listed again for the next validation:

- a file of articles/ or annotations/ changed in place (written, or its permissions changed): that file alone is
  looked at again (`rucas.build.read.corpus.listed_again`), as `read_corpus(only=...)` lists one file;
- an entry of those folders made, removed or renamed, or anything the watch cannot account for (the kernel's
  queue overflowed, a watched folder moved): the folder, or both, are listed again as a whole;
- anything elsewhere (reference files, stored codings, adjudications): nothing is listed again; they are read anew
  by every validation anyway.

Hidden entries (names starting with a dot: an editor's swap and backup files) are ignored, as listing ignores
them. The one path stays `read_corpus` then `validate_corpus`: a watch only saves listing the folders whose files
it knows to be unchanged.
"""

from __future__ import annotations

import ctypes
import errno
import os
import select
import struct
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rucas.build.read.corpus import ARTICLE_FOLDERS, SLUG, Corpus, FolderListing, listed_again, read_corpus

if TYPE_CHECKING:
    import pyarrow as pa

# inotify's event bits (linux/inotify.h)
IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF, IN_UNMOUNT, IN_Q_OVERFLOW, IN_IGNORED = 0x400, 0x800, 0x2000, 0x4000, 0x8000
IN_ONLYDIR, IN_DONT_FOLLOW, IN_ISDIR = 0x01000000, 0x02000000, 0x40000000

IN_PLACE = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE
"""What happens to a file changed where it is: its bytes written, or its permissions or times changed."""
WATCHED = IN_PLACE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF
"""Everything a watch asks to hear of, for every folder of the curated tree."""
WATCH_LOST = IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_IGNORED | IN_Q_OVERFLOW
"""Events after which the watch no longer knows what it watches: every folder is listed and watched again."""

_EVENT = struct.Struct("iIII")
"""An inotify event's head: the watch descriptor, the mask, the cookie and the length of the name that follows."""

QUIET_SECONDS = 0.05
"""A change is validated once the folder has been quiet this long: a save is several events (truncated, written,
closed), and the validation should read the file once it is written."""
GATHER_SECONDS = 1.0
"""The longest a change waits for the folder to be quiet: a stream of writes is validated at least this often."""
READ_BYTES = 64 * 1024
"""The most bytes of events read at once."""
MAX_FOLDERS = 10_000
"""The most folders a watch asks the kernel to watch: the curated tree has a few dozen; more means it holds
something it should not, and the watch is refused."""


class WatchUnavailable(RuntimeError):
    """The system cannot watch the curated folder (not Linux, or the kernel refused): run `rucas validate` after
    each save instead."""


@dataclass
class Changes:
    """What happened in the curated folder since the last validation."""

    in_place: dict[str, set[str]] = field(default_factory=lambda: {folder: set() for folder in ARTICLE_FOLDERS})
    """For each of ARTICLE_FOLDERS, the source ids of its files changed in place."""
    relist: set[str] = field(default_factory=set)
    """The article folders to list again as a whole."""
    rewatch: bool = False
    """Whether the folders to watch are to be found again (a folder was made, moved or removed)."""
    paths: set[str] = field(default_factory=set)
    """The changed entries, under the curated folder (to tell the curator what was validated)."""

    def __bool__(self) -> bool:
        return bool(self.paths or self.relist or self.rewatch)


def _libc() -> ctypes.CDLL:
    if not sys.platform.startswith("linux"):
        raise WatchUnavailable("watching needs Linux's inotify")
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.inotify_init1.argtypes = [ctypes.c_int]
        libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        return libc
    except (OSError, AttributeError) as exc:
        raise WatchUnavailable(f"inotify cannot be used here ({exc})") from exc


def watched_folders(root: Path) -> list[Path]:
    """The folders of the curated tree a watch listens to: the curated folder and every folder under it, except
    the insides of ARTICLE_FOLDERS (flat folders: a folder made in one is reported by listing it again). Links
    are not followed."""
    folders, todo = [], [root]
    while todo:
        folder = todo.pop()
        folders.append(folder)
        if len(folders) > MAX_FOLDERS:
            raise WatchUnavailable(f"{root} holds more than {MAX_FOLDERS:,} folders")
        if folder != root and folder.parent == root and folder.name in ARTICLE_FOLDERS:
            continue
        try:
            with os.scandir(folder) as entries:
                todo += [Path(entry.path) for entry in entries
                         if not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False)]
        except OSError:
            continue  # a folder that cannot be read is reported by validation, when it reads the files
    return sorted(folders)


class CuratedWatch:
    """The kernel's reports of changes in the curated folder, read as Changes. Close it when done (or use `with`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._libc = _libc()
        descriptor = self._libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if descriptor < 0:
            raise WatchUnavailable(f"inotify refused: {os.strerror(ctypes.get_errno())}")
        self.descriptor = descriptor
        self._folders: dict[int, Path] = {}
        try:
            self.watch()
        except BaseException:
            self.close()
            raise

    def watch(self) -> None:
        """Watch every folder of the curated tree (watched_folders), forgetting the folders watched before."""
        for descriptor in list(self._folders):
            self._libc.inotify_rm_watch(self.descriptor, descriptor)  # an error: the folder is gone already
        self._folders = {}
        for folder in watched_folders(self.root):
            descriptor = self._libc.inotify_add_watch(self.descriptor, os.fsencode(folder),
                                                      WATCHED | IN_ONLYDIR | IN_DONT_FOLLOW)
            if descriptor >= 0:
                self._folders[descriptor] = folder
            elif ctypes.get_errno() == errno.ENOSPC:
                raise WatchUnavailable("the system's limit of inotify watches is reached (fs.inotify.max_user_watches)")
            elif folder == self.root:
                raise WatchUnavailable(f"{folder} cannot be watched: {os.strerror(ctypes.get_errno())}")

    def close(self) -> None:
        if self.descriptor >= 0:
            os.close(self.descriptor)
            self.descriptor = -1

    def __enter__(self) -> CuratedWatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def wait(self, timeout: float | None = None) -> Changes:
        """The changes reported from now: waits (at most `timeout` seconds; None: as long as it takes) for the first,
        then until the folder has been quiet for QUIET_SECONDS (at most GATHER_SECONDS). Empty if none came."""
        changes = Changes()
        if not self._readable(timeout):
            return changes
        started = time.monotonic()
        self._read(changes)
        while time.monotonic() - started < GATHER_SECONDS and self._readable(QUIET_SECONDS):
            self._read(changes)
        if changes.rewatch:
            self.watch()
        return changes

    def _readable(self, timeout: float | None) -> bool:
        """Whether events wait to be read, within `timeout` seconds (None: waits for them). poll, not select: the
        descriptor may be numbered above select's limit (1,024) in a process with many files open."""
        waiting = select.poll()
        waiting.register(self.descriptor, select.POLLIN)
        return bool(waiting.poll(None if timeout is None else max(0, int(timeout * 1000))))

    def _read(self, changes: Changes) -> None:
        try:
            data = os.read(self.descriptor, READ_BYTES)
        except BlockingIOError:
            return
        offset = 0
        while offset + _EVENT.size <= len(data):
            descriptor, mask, _, length = _EVENT.unpack_from(data, offset)
            name = data[offset + _EVENT.size:offset + _EVENT.size + length].split(b"\0", 1)[0]
            offset += _EVENT.size + length
            self._note(changes, self._folders.get(descriptor), mask, os.fsdecode(name))

    def _note(self, changes: Changes, folder: Path | None, mask: int, name: str) -> None:
        """Record one event of `folder` (None: of no folder watched now) on its entry `name` ("" for itself)."""
        if mask & WATCH_LOST or folder is None:
            if mask & IN_IGNORED and folder is None:
                return  # the end of a watch this one removed itself (watch())
            changes.relist.update(ARTICLE_FOLDERS)
            changes.rewatch = True
            changes.paths.add(str(folder.relative_to(self.root)) if folder is not None else ".")
            return
        if name.startswith("."):
            return  # hidden: not listed, not read
        relative = folder.relative_to(self.root)
        changes.paths.add(str(relative / name) if name else str(relative))
        if mask & IN_ISDIR and mask & (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO):
            changes.rewatch = True  # a folder made, removed or renamed: watch the tree as it is now
        if folder == self.root:
            if name in ARTICLE_FOLDERS:
                changes.relist.add(name)  # the folder itself made, removed, renamed, or its permissions changed
            return
        if folder.parent != self.root or folder.name not in ARTICLE_FOLDERS:
            return  # reference files, codings, adjudications: read again by every validation
        suffix = ARTICLE_FOLDERS[folder.name]
        source_id = name[:-len(suffix)] if name.endswith(suffix) else ""
        if mask & IN_PLACE and not mask & IN_ISDIR and SLUG.fullmatch(source_id):
            changes.in_place[folder.name].add(source_id)
        else:
            changes.relist.add(folder.name)


@dataclass
class WatchedCorpus:
    """The listing of the curated folder kept up to date by what a CuratedWatch reports, so that a validation
    after an edit lists only what changed."""

    root: Path
    listings: dict[str, FolderListing] = field(default_factory=dict)
    """The last listing of each article folder (Corpus.listings), if still true."""
    pending: Changes = field(default_factory=Changes)
    """What changed since the listings were made."""

    def changed(self, changes: Changes) -> None:
        """Record what a watch reported."""
        for folder, ids in changes.in_place.items():
            self.pending.in_place[folder] |= ids
        self.pending.relist |= changes.relist

    def read(self, known: pa.Table | None = None) -> Corpus:
        """The corpus as it is now (read_corpus, with the folders whose listings are still true not listed again;
        `known` as read_corpus takes it)."""
        listed = {}
        for folder, listing in self.listings.items():
            if folder in self.pending.relist:
                continue
            changed = self.pending.in_place[folder]
            again = listed_again(self.root, folder, listing, changed) if changed else listing
            if again is not None:
                listed[folder] = again
        corpus = read_corpus(self.root, known=known, listed=listed)
        self.listings = dict(corpus.listings)
        self.pending = Changes()
        return corpus
