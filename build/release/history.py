"""Row history: trace every row with a curator-written id through the releases, from the first to a new one.

The tables traced are those carrying ROW_HISTORY_COLUMNS (rucas.schema.tables.RowHistory): actors, sources,
actor_roles, statements, events, event_conditions and alliances, each keyed by one id a curator wrote.
Releases are read oldest first (rucas.build.release.releases.list_releases); a row's values are compared
with its values in the release before, on the columns both releases have, the history columns aside (so a
column added to the schema changes no row). A row renamed by a redirect (reference/id_renames.yaml,
published as the redirects table) keeps the first_release of its old id. A row whose id comes back after
it was deleted keeps its first_release if its values are those it had when deleted (the promise allows no
other return: rucas.build.release.identity refuses it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
from rucas.schema import TableSpec, table_specs
from rucas.schema.tables import ROW_HISTORY_COLUMNS

REDIRECTS_TABLE = "redirects"


def history_tables() -> list[TableSpec]:
    """The tables whose rows carry their history (and whose ids may be renamed): those with ROW_HISTORY_COLUMNS."""
    return [spec for spec in table_specs() if set(ROW_HISTORY_COLUMNS) <= set(spec.column_names)]


@dataclass
class RowRecord:
    """One id's history so far: its first release, the release it last changed in, and its latest values."""

    first_release: str
    last_changed_release: str
    values: dict[str, object]
    """The row's values (history columns aside) in the last release that held it."""


@dataclass
class Ledger:
    """What the releases read so far say about every id of every traced table."""

    rows: dict[str, dict[str, RowRecord]] = field(default_factory=dict)
    """Per table, every id any release held, with its record."""
    present: dict[str, set[str]] = field(default_factory=dict)
    """Per table, the ids of the newest release read."""
    renamed_away: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per table, every id a redirect of a release read has taken away, with the release that did it."""
    versions: list[str] = field(default_factory=list)
    """The releases read, oldest first."""

    def ever_held(self, table: str, row_id: str) -> bool:
        return row_id in self.rows.get(table, {})


def read_rows(folder: Path, spec: TableSpec) -> dict[str, dict[str, object]] | None:
    """The rows of a traced table in a build or release folder, by id, without the history columns; None
    when the folder has no such table."""
    path = folder / "parquet" / f"{spec.name}.parquet"
    if not path.is_file():
        return None
    table = pq.read_table(path)
    columns = [name for name in table.column_names if name not in ROW_HISTORY_COLUMNS]
    (key,) = spec.primary_key
    return {row[key]: row for row in table.select(columns).to_pylist()}


def read_redirects(folder: Path) -> list[dict[str, object]]:
    """The redirects table of a build or release folder (none before releases had it)."""
    path = folder / "parquet" / f"{REDIRECTS_TABLE}.parquet"
    return pq.read_table(path).to_pylist() if path.is_file() else []


def same_values(old: dict[str, object], new: dict[str, object]) -> bool:
    """Whether a row's values are equal on the columns both sides have."""
    return all(old[name] == new[name] for name in old.keys() & new.keys())


def renames_applied(ledger: Ledger, table: str, rows: dict[str, dict[str, object]],
                    redirects: list[dict[str, object]]) -> dict[str, str]:
    """new id -> old id of the redirects that take effect in the release whose `rows` follow the ledger: the old
    id was in the release before and is gone, the new id is there."""
    present = ledger.present.get(table, set())
    return {str(r["new_id"]): str(r["old_id"]) for r in redirects
            if r["table_name"] == table and r["old_id"] in present and r["old_id"] not in rows and r["new_id"] in rows}


def add_release(ledger: Ledger, version: str, folder: Path) -> None:
    """Read one more release (or the build about to be released) into the ledger, as version `version`."""
    redirects = read_redirects(folder)
    for spec in history_tables():
        rows = read_rows(folder, spec)
        if rows is None:
            continue
        table = spec.name
        records = ledger.rows.setdefault(table, {})
        present = ledger.present.get(table, set())
        renamed = renames_applied(ledger, table, rows, redirects)
        for row_id, values in rows.items():
            record = records.get(row_id)
            if row_id in present and record is not None:
                if not same_values(record.values, values):
                    record.last_changed_release = version
                record.values = values
            elif row_id in renamed:
                records[row_id] = RowRecord(records[renamed[row_id]].first_release, version, values)
            elif record is not None and same_values(record.values, values):  # deleted, then restored as it was
                record.last_changed_release, record.values = version, values
            else:
                records[row_id] = RowRecord(version, version, values)
        for new_id, old_id in renamed.items():
            ledger.renamed_away.setdefault(table, {})[old_id] = version
        ledger.present[table] = set(rows)
    ledger.versions.append(version)


def trace_releases(releases: list[tuple[str, Path]]) -> Ledger:
    """The ledger of the releases given as (version, folder), oldest first."""
    ledger = Ledger()
    for version, folder in releases:
        add_release(ledger, version, folder)
    return ledger
