"""The folder a release is written into before it is renamed into place, and the removal of those left behind.

A release is written into <releases>/.staging-<id>/ and renamed to <releases>/<version>/ when whole. Beside
the folder lies its marker, .staging-<id>.rucas: a small JSON file naming RUCAS, the process id and the
host, which the writing process holds locked (flock) for as long as it runs. A `rucas release` killed
midway leaves both; the next release removes a staging folder only when its marker is there and can be
locked, which proves the process that wrote it has ended. A folder without a marker (not made by RUCAS,
or by a version before markers) is never removed.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

STAGING_PREFIX = ".staging-"
MARKER_SUFFIX = ".rucas"
"""The marker of .staging-<id>/ is .staging-<id>.rucas beside it (outside it: it is no file of the release)."""


def _marker_of(staging: Path) -> Path:
    return staging.with_name(staging.name + MARKER_SUFFIX)


@contextlib.contextmanager
def release_staging(releases_dir: Path) -> Iterator[Path]:
    """A new staging folder in releases_dir with its locked marker, for the duration of the block. The block
    renames the folder into place when the release is whole; whatever is left of it is removed on the way
    out (an error, Ctrl-C), and the marker with it."""
    staging = releases_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex[:12]}"
    marker = _marker_of(staging)
    descriptor = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        record = {"made_by": "rucas release", "pid": os.getpid(), "host": socket.gethostname(),
                  "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                  "folder": staging.name}
        os.write(descriptor, (json.dumps(record) + "\n").encode())
        staging.mkdir()
        yield staging
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        marker.unlink(missing_ok=True)
        os.close(descriptor)


def remove_stale_staging(releases_dir: Path) -> list[Path]:
    """Remove the staging folders of releases_dir whose writer has ended (their marker can be locked); return
    them. Folders without a marker, and those of a release still running, are left alone."""
    removed = []
    for marker in sorted(releases_dir.glob(f"{STAGING_PREFIX}*{MARKER_SUFFIX}")):
        try:
            descriptor = os.open(marker, os.O_RDONLY)
        except OSError:  # removed meanwhile by the process that made it
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # its release is still being written
            os.close(descriptor)
            continue
        try:
            staging = marker.with_name(marker.name[: -len(MARKER_SUFFIX)])
            if staging.is_dir() and not staging.is_symlink():
                shutil.rmtree(staging)
                removed.append(staging)
            marker.unlink(missing_ok=True)
        finally:
            os.close(descriptor)
    return removed
