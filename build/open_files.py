"""Whether other processes on this machine use files: from /proc (any file under a folder, best effort), and
from the kernel itself (a given file, proof).

Shared by the writers (rucas.build.write.incremental, which may bring a superseded build's databases
forward) and publishing (rucas.build.publish.atomic, which removes superseded builds), so that both ask
the same way.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import threading
from pathlib import Path


def _process_paths(process: Path) -> list[str]:
    """The paths `process` holds: its open descriptors and its memory-mapped files. Raises OSError when they
    cannot be read (another user's process, or one that ended)."""
    paths = []
    for descriptor in (process / "fd").iterdir():
        with contextlib.suppress(FileNotFoundError):  # closed while being read
            paths.append(os.readlink(descriptor))
    with open(process / "maps", encoding="utf-8", errors="replace") as maps:
        for line in maps:  # address, permissions, offset, device, inode, path (if a file)
            fields = line.rstrip("\n").split(maxsplit=5)
            if len(fields) == 6:
                paths.append(fields[5])
    return paths


def held_open(folder: Path) -> bool:
    """Whether another process holds a file under `folder` open or memory-mapped, as far as /proc shows
    (False without it). Processes whose files cannot be read (another user's) and this one are left out:
    an answer for a caller that only removes names (open files stay readable), not proof that no one
    uses a file (unused_elsewhere is)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return False
    prefix = str(folder.resolve()) + os.sep
    own = str(os.getpid())
    for process in proc.iterdir():
        if not process.name.isdigit() or process.name == own:
            continue
        with contextlib.suppress(OSError):  # the process ended, or is not ours to look at
            if any(path.startswith(prefix) for path in _process_paths(process)):
                return True
    return False


def unused_elsewhere(paths: list[Path]) -> bool:
    """Whether no process (this one included, and whatever its user) has any of `paths` open or mapped,
    proven by the kernel: it grants a write lease (fcntl F_SETLEASE) on a file only while the descriptor
    asking is the file's only open one. The lease is given back at once. False when that cannot be
    proven: a file in use, one this user does not own, a file system without leases, or a call from a
    thread other than the main one (which alone may ignore the SIGIO a lease break sends meanwhile)."""
    if threading.current_thread() is not threading.main_thread():
        return False
    previous = signal.signal(signal.SIGIO, signal.SIG_IGN)  # an open racing the lease is only delayed
    try:
        for path in paths:
            try:
                descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            except OSError:
                return False
            try:
                fcntl.fcntl(descriptor, fcntl.F_SETLEASE, fcntl.F_WRLCK)
                fcntl.fcntl(descriptor, fcntl.F_SETLEASE, fcntl.F_UNLCK)
            except OSError:
                return False
            finally:
                os.close(descriptor)
        return True
    finally:
        signal.signal(signal.SIGIO, previous)
