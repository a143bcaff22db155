"""RUCAS: an open relational dataset of Russia's security role in Central Asia.

    >>> import rucas
    >>> events = rucas.load("events")          # a typed pandas DataFrame
    >>> every_table = rucas.tables()           # {name: DataFrame} for every table and view
    >>> pinned = rucas.load("events", version="0.1.0+8ab8a272c719")   # one release (see release_versions())
    >>> pinned.attrs["rucas_version"]          # the version a frame was read from
    >>> known = rucas.load("events", as_of="2026-11-01")   # as the newest release on or before that day had it
    >>> rucas.during(events, "2010-01-01", "2013-12-31")   # dates as intervals (see rucas.dates)

The first call builds the dataset from the curated files shipped with the package if no
build exists yet (in a checkout: dataset/; installed: a cache folder, see
rucas.build.paths.default_output_dir).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from rucas._version import __version__

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["__version__", "load", "tables", "table_names", "view_names", "manifest", "output_dir",
           "release_versions", "release_as_of", "cite", "during"]


def during(frame: pd.DataFrame, start: object = None, end: object = None, how: str = "overlaps",
           earliest: str = "date_earliest", latest: str = "date_latest") -> pd.DataFrame:
    """The rows of `frame` whose date interval lies in [start, end]: how="overlaps" keeps a row that could
    (an unknown bound counts as open on its side), how="within" a row that certainly does (both bounds
    known and inside). See rucas.dates for the exact rule; the canned query events_during is the same in SQL."""
    from rucas.dates import during as select_during

    return select_during(frame, start, end, how, earliest, latest)  # type: ignore[arg-type]


def output_dir(path: Path | None = None) -> Path:
    """The folder holding the published build, building it first if there is none."""
    from rucas.build.paths import default_output_dir
    from rucas.build.pipeline import ensure_built

    directory = path or default_output_dir()
    ensure_built(directory)
    return directory


def manifest(path: Path | None = None) -> dict:
    """The manifest of the published build: version, row counts, input and output hashes."""
    return json.loads((output_dir(path) / "manifest.json").read_text(encoding="utf-8"))


def table_names() -> list[str]:
    """Names of the published tables, in dependency order."""
    from rucas.schema import table_specs

    return [spec.name for spec in table_specs()]


def view_names() -> list[str]:
    """Names of the prepared views."""
    from rucas.queries import view_files

    return [view.name for view in view_files()]


def release_versions() -> list[str]:
    """Versions of the releases that load(..., version=...) can read, oldest first (see `rucas release`;
    they live in $RUCAS_RELEASES_DIR, else dataset/releases in a checkout)."""
    from rucas.build.release.releases import list_releases

    return [release.version for release in list_releases()]


def _folder(path: Path | None, version: str | None) -> Path:
    if version is None:
        return output_dir(path)
    if path is not None:
        raise ValueError("give either path (a build or release folder) or version (a release), not both")
    from rucas.build.release.releases import find_release

    return find_release(version).folder


def release_as_of(as_of: str) -> Path:
    """The folder of the release `as_of` names: a dataset version (full, or MAJOR.MINOR.PATCH if only one release
    has it), or a day YYYY-MM-DD (the newest release made on or before it: the data as known on that day).
    Raises LookupError listing the releases there are."""
    import datetime

    from rucas.build.release.releases import find_release, list_releases

    try:
        day = datetime.date.fromisoformat(as_of)
    except ValueError:
        return find_release(as_of).folder
    releases = list_releases()
    known = [release for release in releases if release.date <= day.isoformat()]
    if not known:
        listed = ", ".join(f"{r.version} ({r.date})" for r in releases) or "none"
        raise LookupError(f"no release was made on or before {day} (releases: {listed}); give a later day or a "
                          "version, or point RUCAS_RELEASES_DIR at the folder that holds the releases")
    return known[-1].folder


def load(name: str, path: Path | None = None, version: str | None = None, url: str | None = None,
         as_of: str | None = None) -> pd.DataFrame:
    """One table (from Parquet) or view (computed by DuckDB) as a pandas DataFrame with nullable, typed columns.

    Text is `string`, whole numbers `Int64`, decimals `Float64`, dates `datetime64[ns]` (missing: NaT;
    compare with "2010-01-01", resample, plot), and coded columns are categoricals whose categories are
    the full vocabulary. A view's column has the dtype of the table column of the same name. Reads the
    last published build in `path` (default: see rucas.build.paths.default_output_dir), building it
    first if there is none (after editing the curated files, run `rucas build`); or the release
    `version` (a full dataset version, or MAJOR.MINOR.PATCH if only one release has it; see
    release_versions()); or the build or release published at `url` (http(s), the folder holding
    manifest.json; see rucas.remote); or the table as it stood in a release, `as_of` a version or a day
    (see release_as_of). `frame.attrs["rucas_version"]` is the dataset version the frame was read from.
    """
    from rucas.frames import load_table, load_view

    if as_of is not None:
        if path is not None or version is not None or url is not None:
            raise ValueError("give as_of alone (a release version or a day), not with path, version or url")
        directory = release_as_of(as_of)
    elif url is not None:
        return _load_url(name, url, path, version)
    else:
        directory = _folder(path, version)
    if name in table_names():
        frame = load_table(name, directory)
    elif name in view_names():
        frame = load_view(name, directory)
    else:
        raise KeyError(f"no table or view named {name!r}; tables: {table_names()}; views: {view_names()}")
    frame.attrs["rucas_version"] = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))["version"]
    return frame


def _load_url(name: str, url: str, path: Path | None, version: str | None) -> pd.DataFrame:
    from rucas.remote import load_remote_table, load_remote_view, remote_manifest

    if path is not None or version is not None:
        raise ValueError("give one of path, version or url, not several")
    manifest = remote_manifest(url)
    if name in table_names():
        frame = load_remote_table(name, url, manifest)
    elif name in view_names():
        frame = load_remote_view(name, url)
    else:
        raise KeyError(f"no table or view named {name!r}; tables: {table_names()}; views: {view_names()}")
    frame.attrs["rucas_version"] = manifest["version"]
    return frame


def tables(path: Path | None = None, version: str | None = None) -> dict[str, pd.DataFrame]:
    """Every table and view by name, as load() returns them."""
    directory = _folder(path, version)
    return {name: load(name, directory) for name in table_names() + view_names()}


def cite(table: str, row_id: str | tuple[str, ...], path: Path | None = None) -> str:
    """How to cite one row: dataset, version, table, row id and the article's URL (see rucas.citation).

    `row_id` is the row's primary key; a composite key as a tuple in key order (or joined by commas).

        >>> rucas.cite("events", "russia-refuses-kyrgyz-request-for-troops-2010-06-12")  # doctest: +SKIP
    """
    import sqlite3

    from rucas.citation import NO_ARTICLE, cite_row, source_sql
    from rucas.schema import table_spec

    values = tuple(row_id.split(",")) if isinstance(row_id, str) else tuple(row_id)
    key = table_spec(table).primary_key
    if len(values) != len(key):
        raise ValueError(f"table {table} has primary key {key}: give {len(key)} value(s), not {values!r}")
    directory = output_dir(path)
    source = NO_ARTICLE
    sql = source_sql(table)
    if sql:
        con = sqlite3.connect(f"file:{directory / 'rucas.db'}?mode=ro", uri=True)
        try:
            found = con.execute(sql, dict(zip(key, values))).fetchone()
        finally:
            con.close()
        if found is None:
            raise KeyError(f"table {table} has no row {values!r}")
        (source,) = found
    return cite_row(manifest(path)["version"], table, ",".join(values), source)
