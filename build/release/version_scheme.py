"""The semantic version scheme of data releases: which part of MAJOR.MINOR.PATCH a set of changes requires.

A dataset version is `MAJOR.MINOR.PATCH+INPUTS` (e.g. `0.1.0+8ab8a272c719`): the numbers are
`rucas.__version__`, set by the maintainers; the part after `+` is the first 12 hex digits of the
hash of the curated input and so names the exact corpus. Between two releases:

- MAJOR when something a user may rely on disappears: a table, view or column removed, or a row
  of a table removed (an id withdrawn or renamed: a renamed id is a removal plus an addition);
- MINOR when only things are added: rows, columns, tables or views, with no removal;
- PATCH when only values of existing rows change (corrections), with no row added or removed.

Views are derived from the tables, so their rows follow the tables' changes and do not count here;
only a view or a view column that disappears does. While MAJOR is 0 (as now), the scheme is kept all
the same.
"""

from __future__ import annotations

import re

from rucas.build.release.diff import DatasetDiff

BUMPS = ("none", "patch", "minor", "major")
"""Kinds of change, from least to most."""

NUMBERS = re.compile(r"^(\d+)\.(\d+)\.(\d+)")

DATASET_VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.]{0,20}\+[0-9a-f]{12}")
"""A whole dataset version (it names a release's folder and archive, so it must hold no '/')."""


def is_dataset_version(text: str) -> bool:
    """Whether `text` is a dataset version, MAJOR.MINOR.PATCH[pre-release]+INPUTS, as a whole."""
    return DATASET_VERSION.fullmatch(text) is not None


def required_bump(diff: DatasetDiff) -> tuple[str, str]:
    """The part of the version the changes require (one of BUMPS), and why, in a few words."""
    gone = [r.name for r in diff.relations if r.rows_new is None]
    gone_columns = [f"{r.name}.{c}" for r in diff.relations for c in r.columns_removed]
    removed_rows = sum(len(r.removed) for r in diff.tables)
    if gone or gone_columns or removed_rows:
        reasons = ([f"removed: {', '.join(gone)}"] if gone else []) + \
                  ([f"columns removed: {', '.join(gone_columns)}"] if gone_columns else []) + \
                  ([f"{removed_rows} table row(s) removed"] if removed_rows else [])
        return "major", "; ".join(reasons)
    added_rows = sum(len(r.added) for r in diff.tables)
    new_things = [r.name for r in diff.relations if r.rows_old is None]
    new_columns = sum(len(r.columns_added) for r in diff.relations)
    if added_rows or new_things or new_columns:
        return "minor", (f"{added_rows} table row(s), {len(new_things)} table(s) or view(s) and {new_columns} "
                         "column(s) added; nothing removed")
    changed = sum(len(r.changed) for r in diff.tables)
    if changed:
        return "patch", f"values of {changed} table row(s) changed; no row added or removed"
    return "none", "no table changed"


def version_numbers(version: str) -> tuple[int, int, int]:
    """MAJOR, MINOR and PATCH of a dataset version."""
    match = NUMBERS.match(version)
    if not match:
        raise ValueError(f"{version!r} is not a MAJOR.MINOR.PATCH version")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def bump_made(old_version: str, new_version: str) -> str:
    """Which part the new version number raised over the old one (one of BUMPS; "none" if none)."""
    old, new = version_numbers(old_version), version_numbers(new_version)
    if new <= old:
        return "none"
    return "major" if new[0] > old[0] else "minor" if new[1] > old[1] else "patch"


def version_warning(diff: DatasetDiff) -> str | None:
    """A sentence for the maintainer when the new version number is lower than the changes require."""
    needed, why = required_bump(diff)
    made = bump_made(diff.old_version, diff.new_version)
    if BUMPS.index(made) >= BUMPS.index(needed):
        return None
    return (f"the changes since {diff.old_version} require a {needed} release ({why}), but the version number "
            f"went from {diff.old_version.split('+')[0]} to {diff.new_version.split('+')[0]}: raise "
            "rucas.__version__ in dataset/_version.py (and CITATION.cff), rebuild, and release again")
