"""Find releases: which versions a releases folder holds, and the folder of one version."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rucas.build.paths import default_releases_dir

RELEASE_RECORD = "release.json"
"""The file that marks a folder as a finished release: version, date and the previous release."""


@dataclass(frozen=True)
class Release:
    """One finished release: its version, release date (ISO), previous version and folder."""

    version: str
    date: str
    previous: str | None
    folder: Path


class ReleaseRecordError(ValueError):
    """A release folder's release.json cannot be read; the message names it and the fix."""


def read_release(folder: Path) -> Release:
    """The release in `folder` (which must hold a release.json). Raises ReleaseRecordError when the record
    is unreadable, not JSON or lacks its version and date."""
    path = folder / RELEASE_RECORD
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        release = Release(record["version"], record["date"], record.get("previous"), folder)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ReleaseRecordError(f"{path}: cannot be read as a release record ({type(exc).__name__}: {exc}). Fix: "
                                 "restore the release folder from its archive (rucas-<version>.tar.gz), or move the "
                                 f"folder out of {folder.parent}.") from exc
    if not all(isinstance(value, str) for value in (release.version, release.date)):
        raise ReleaseRecordError(f"{path}: version and date must be text. Fix: restore the release folder from its "
                                 f"archive, or move the folder out of {folder.parent}.")
    return release


def _order(release: Release) -> tuple[object, ...]:
    from rucas.build.release.version_scheme import version_numbers

    return release.date, version_numbers(release.version), release.version


def list_releases(releases_dir: Path | None = None) -> list[Release]:
    """Every finished release in releases_dir (default: default_releases_dir()), oldest first:
    by release date, then version number, then the full version."""
    root = releases_dir or default_releases_dir()
    if not root.is_dir():
        return []
    found = [read_release(folder) for folder in root.iterdir()
             if not folder.name.startswith(".") and (folder / RELEASE_RECORD).is_file()]  # .staging-*: unfinished
    return sorted(found, key=_order)


def find_release(version: str, releases_dir: Path | None = None) -> Release:
    """The release of `version`: an exact dataset version (0.1.0+8ab8a272c719), or MAJOR.MINOR.PATCH
    (0.1.0) when exactly one release has those numbers. Raises LookupError naming what is there."""
    releases = list_releases(releases_dir)
    exact = [release for release in releases if release.version == version]
    matches = exact or [release for release in releases if release.version.split("+")[0] == version]
    if len(matches) == 1:
        return matches[0]
    root = releases_dir or default_releases_dir()
    present = ", ".join(release.version for release in releases) or "none"
    if not matches:
        raise LookupError(f"no release {version!r} in {root} (releases there: {present}); make one with "
                          "`rucas release`, or point RUCAS_RELEASES_DIR at the folder that holds it")
    raise LookupError(f"{version!r} matches several releases in {root} ({', '.join(r.version for r in matches)}): "
                      "give the full version")
