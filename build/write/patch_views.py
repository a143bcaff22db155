"""Patch the materialised views of a copied build whose tables were just patched: only the rows of the
units that the changed rows touch are computed again.

A view's *unit* is its first key column (`-- key:`), the primary key of one table: event_id of events,
statement_id of statements, source_id of sources, actor_id of actors. Every row of the view belongs to one
unit and is computed from rows within its *neighbourhood*: the unit's own row, the rows below it by
foreign keys (transitively), the rows above those, and the reference tables (every table that is not
`sources` or below it: arrow_tables.article_tables; a patched build never changes them). tests/test_patch_views.py checks this of
every view, on generated corpora, by computing each view over the neighbourhood of unit samples.

After the tables of rucas.duckdb are patched:

1. *Touched units*: every changed row (its previous and its new version) and every row above it by
   foreign keys; a view's touched units are those of its unit table.
2. The neighbourhood of the touched units is copied into the schema rucas_scope of the same database
   (reference tables as views of the whole table), the view files are created there and run: their rows
   for the touched units are the view's new rows for them. Equal to the old rows: the view is unchanged.
   Units of a reference table (actors) are the exception: one actor (a state) is named in most articles,
   so its neighbourhood is most of the corpus (65% of the articles at 100,000 generated ones, 4.9 s to
   copy) and the view's SQL runs over the whole tables instead (1.2 s for actor_activity), for those
   units only. Either way it is the view's own SQL over rows that hold everything its units depend on.
3. Where the new rows go: their places (1-based) in the view's declared order (`-- order:`) among the
   rows of the untouched units. When they take exactly the places the old rows held (a corrected summary,
   date or name that does not move the row), they replace them in place, in rucas.duckdb (whose view
   tables hold row k of the view at rowid k - 1) and in rucas.db (at the rowids the old rows had). Otherwise
   the view's table is written again in rucas.duckdb, in that order (write_moved, which rucas.db's patch does
   not wait for), and in rucas.db the old rows go and the new ones come between their new neighbours (each new
   row's `after`: the key of the staying row just before it), whose rowids have room between them
   (rucas.build.write.materialise.ROWID_STEP).

Every view must have a declared order (a patch refuses a view without one). A view whose first key column is
no such unit's (the panels country_month and dyad_year: their counts come from any article) is computed
again whole, over the whole tables, when the patch changed what it reads (rucas.build.write.reads: rows came or
went in a table it reads, or a column it reads has other values; a corrected summary or quote changes none of
the panels' columns). Where it has as many rows as before, the rows that differ are replaced in place;
otherwise its table is written again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from rucas.build.arrow_tables import article_tables
from rucas.build.write.materialise import live_name
from rucas.build.write.reads import Reads, affected
from rucas.build.write.sqlite_values import sqlite_values
from rucas.build.write.table_change import Changed, TableChange, changed_between, table_changed
from rucas.build.write.views import create_views
from rucas.queries import SqlFile
from rucas.schema import TableSpec, table_specs

SCOPE = "rucas_scope"
"""The schema of the database in which a neighbourhood is copied and the views run over it (dropped after)."""


IN_PLACE, MOVED, REWRITTEN = "in place", "moved", "rewritten"
"""How a view's table is patched (ViewPatch.how)."""


@dataclass
class ViewPatch:
    """How one view's materialised rows change, for rucas.db (whose table holds the view's rows in rowid order,
    rows found there by the view's key).

    In place: `old_rows` are replaced by `rows`, which take their places: in rucas.db each takes the rowid of the
    row it replaces.
    Moved (a view with units whose new rows take other places): `old_rows` go, `rows` come, and every other row
    keeps its order; in rucas.db each new row goes after the row whose key `after` gives
    (rucas.build.write.incremental.place_rows).
    Written again (a view without a unit, computed whole): `rows` is None and the table is written again from the
    patched DuckDB file's table, batch by batch, as a cold build writes it (view_batches). `how` says which
    (IN_PLACE, MOVED, REWRITTEN: what BuildReport.views_patched reports)."""

    view: SqlFile
    how: str
    rows: pa.Table | None
    old_rows: pa.Table | None = None
    """In place or moved: the rows replaced, in their places' order."""
    after: list[tuple | None] = field(default_factory=list)
    """Moved: for each of `rows`, the key (the view's key columns' values) of the nearest row before it in the view's
    new order that is not one of `rows`; None when there is none (it comes first, or after new rows only)."""

    def changed(self) -> Changed:
        """What the patch changed in the view's table, as a query reading it can tell: in place, the columns
        whose values differ between a replaced row and its replacement; moved or written again, everything (rows
        took other rowids)."""
        if self.how == IN_PLACE and self.old_rows is not None and self.rows is not None:
            return changed_between(self.old_rows, self.rows, None)
        return Changed(True, frozenset())


@dataclass
class MovedView:
    """A view whose new rows take other places: its DuckDB table is still to be written again in the view's order
    (write_moved), from its rows but those of `units` (values of its first key column) and `rows`, their new rows."""

    view: SqlFile
    units: pa.Table
    rows: pa.Table


@dataclass
class ViewsPatched:
    """What patching the views did: how each view that changed changes, which views without a unit were
    computed again whole (the others read nothing the patch changed), and the moved views whose DuckDB tables are
    still to be written again (everything rucas.db's patch needs is known before: write_moved can run beside it)."""

    patches: list[ViewPatch] = field(default_factory=list)
    recomputed: list[str] = field(default_factory=list)
    moved: list[MovedView] = field(default_factory=list)


def unit_table(view: SqlFile) -> TableSpec | None:
    """The table whose one-column primary key is the view's first key column, if any, and whose rows a change
    can touch (an article table, or a table a foreign key points at). None: the view is computed again whole."""
    if not view.key:
        return None
    referenced = {column.references[0] for spec in table_specs() for column in spec.columns if column.references}
    return next((spec for spec in table_specs() if spec.primary_key == [view.key[0]]
                 and (spec.name in referenced or spec.name in article_tables())), None)


WHOLE = "rucas_whole"
"""The temporary table a view without a unit is computed again into, in its order, while it is compared with the
view's table."""


def _patch_whole(con: duckdb.DuckDBPyConnection, view: SqlFile) -> ViewPatch | None:
    """Compute a view without a unit (a panel or episode view: its rows may come from any article) again whole;
    None when its rows are unchanged. When it has as many rows as before and at most a quarter differ, those are
    replaced where they are (an event's type changes counts of country_month in rows that keep their places); else
    its table is written again.

    The rows are computed once, into a temporary table of DuckDB's (within its memory limit, spilling beyond it),
    and compared with the view's table there: only the rows that differ come out of DuckDB."""
    con.execute(f"CREATE TEMP TABLE {WHOLE} AS SELECT * FROM main.{live_name(view)} ORDER BY {view.order}")
    try:
        places = differing_places(con, f"main.{view.name}", f"temp.{WHOLE}")
        if places == []:
            return None
        if places is not None and len(places) <= _rows(con, f"temp.{WHOLE}") // 4:  # else writing it again costs less
            chosen = f"WHERE rowid IN ({', '.join(str(place) for place in places)}) ORDER BY rowid"
            rows = con.sql(f"SELECT * FROM temp.{WHOLE} {chosen}").to_arrow_table()
            old = con.sql(f"SELECT * FROM main.{view.name} {chosen}").to_arrow_table()
            positions = [place + 1 for place in places]
            _replace_in_place(con, view, rows, positions)
            return ViewPatch(view, IN_PLACE, rows, old)
        _rewrite(con, view, f"SELECT * FROM temp.{WHOLE}")
        return ViewPatch(view, REWRITTEN, None)
    finally:
        con.execute(f"DROP TABLE temp.{WHOLE}")


def differing_places(con: duckdb.DuckDBPyConnection, old: str, new: str) -> list[int] | None:
    """The rowids (0-based places) at which table `new`'s row differs from table `old`'s in any column (a null equals
    a null only), in order; None when the two differ in their number of rows or their columns' names and types."""
    columns = con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {old})").fetchall()
    if columns != con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {new})").fetchall():
        return None
    if _rows(con, old) != _rows(con, new):
        return None
    differ = " OR ".join(f"o.{name} IS DISTINCT FROM n.{name}" for name, _ in columns)
    return [place for (place,) in con.execute(f"SELECT o.rowid FROM {old} AS o JOIN {new} AS n ON n.rowid = o.rowid "
                                              f"WHERE {differ} ORDER BY o.rowid").fetchall()]


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    ((count,),) = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    return count


def _replace_in_place(con: duckdb.DuckDBPyConnection, view: SqlFile, rows: pa.Table, positions: list[int]) -> None:
    """Put `rows` at the 1-based `positions` of the view's table (rowid k - 1 holds row k), replacing what was there."""
    con.register("placed", rows.append_column("rucas_place", pa.array(positions, pa.int64())))
    try:
        assignments = ", ".join(f"{name} = placed.{name}" for name in rows.column_names)
        con.execute(f"UPDATE main.{view.name} SET {assignments} FROM placed "
                    f"WHERE main.{view.name}.rowid = placed.rucas_place - 1")
    finally:
        con.unregister("placed")


def _rows_at(con: duckdb.DuckDBPyConnection, view: SqlFile, positions: list[int]) -> pa.Table:
    """The rows at the 1-based `positions` (ascending) of the view's table, fetched by row id: filtering the view by
    its units' column decodes every column of every row group holding one of them (alliance_context at 100,000
    articles: 34 ms, against 18 ms for finding the places and fetching by them)."""
    if not positions:
        return con.sql(f"SELECT * FROM main.{view.name} LIMIT 0").to_arrow_table()
    return con.sql(f"SELECT * FROM main.{view.name} WHERE rowid IN (SELECT unnest($rows)) ORDER BY rowid",
                   params={"rows": [position - 1 for position in positions]}).to_arrow_table()


def _kept_before(con: duckdb.DuckDBPyConnection, view: SqlFile, old_positions: list[int],
                 new_positions: list[int]) -> list[tuple | None]:
    """For each new row of a view (at the 1-based `new_positions`, ascending, of its new order), the key of the nearest
    row before it that stays (every row of the view's table as it is but those at `old_positions`, which go); None
    when none does. Read from the table before it is written again: the i-th new row (from 0) has
    new_positions[i] - 1 - i staying rows before it, and the q-th staying row is the q-th row of the table that is not
    at an old position."""
    gone = sorted(old_positions)
    places: list[int | None] = []
    for i, position in enumerate(new_positions):
        place = position - 1 - i
        for old in gone:
            if old > place:
                break
            place += 1
        places.append(place if position - 1 - i > 0 else None)
    wanted = sorted({place for place in places if place is not None})
    found = con.sql(f"SELECT * FROM main.{view.name} WHERE rowid IN (SELECT unnest($rows)) ORDER BY rowid",
                    params={"rows": [place - 1 for place in wanted]}).to_arrow_table()
    assert found.num_rows == len(wanted), f"{view.name}: {len(wanted)} places asked for, {found.num_rows} found"
    keys = dict(zip(wanted, key_values(found, view)))
    return [keys[place] if place is not None else None for place in places]


def key_values(rows: pa.Table, view: SqlFile) -> list[tuple]:
    """The view's key (its key columns' values, as rucas.db holds them: rucas.build.write.sqlite_values) of each of
    `rows`, in order: what finds a row in rucas.db's table of the view."""
    return list(zip(*(sqlite_values(rows.column(name)) for name in view.key)))


def _keeps_places(con: duckdb.DuckDBPyConnection, view: SqlFile, new: pa.Table, old_positions: list[int]) -> bool:
    """Whether `new` (a view's new rows of the touched units, in its order) put at `old_positions` (the 1-based
    places of the rows they replace, ascending) leave the view in its order. It is enough to look at each place and
    its two neighbours, as the view would then hold them: ordered by the view's order, they keep their order of
    places if and only if every pair of neighbouring rows that the replacement touches is in order (the others
    were before). The view's order includes its key, so no two rows tie. A view of 1.7 million rows is not ranked
    whole to see that a corrected summary moves no row."""
    if len(new) != len(old_positions):
        return False
    if not old_positions:
        return True
    places = pa.array(old_positions, pa.int64())
    neighbours = sorted({place + step for place in old_positions for step in (-1, 1)} - set(old_positions))
    con.register("rucas_placed", new.append_column("rucas_place", places))
    try:
        order = [row[0] for row in con.execute(
            f"SELECT rucas_place FROM (SELECT *, rowid + 1 AS rucas_place FROM main.{view.name} "
            f"WHERE rowid + 1 IN (SELECT unnest($neighbours)) UNION ALL SELECT * FROM rucas_placed) "
            f"ORDER BY {view.order}", {"neighbours": neighbours}).fetchall()]
    finally:
        con.unregister("rucas_placed")
    return order == sorted(order)


def _foreign_keys(spec: TableSpec) -> list[tuple[str, str, str]]:
    """(column, parent table, parent column) of every foreign key of a table."""
    return [(column.name, *column.references) for column in spec.columns if column.references]


def _keys(spec: TableSpec) -> str:
    return ", ".join(spec.primary_key)


def _semi_join(spec: TableSpec, keys: str) -> str:
    """The rows of the table `spec` whose primary key is among the rows of the relation `keys`."""
    match = " AND ".join(f"t.{name} = k.{name}" for name in spec.primary_key)
    return f"SELECT t.* FROM main.{spec.name} t SEMI JOIN (SELECT DISTINCT {_keys(spec)} FROM {keys}) k ON {match}"


def _walk_up(con: duckdb.DuckDBPyConnection, prefix: str) -> None:
    """Add to every temp table <prefix>_<table> the keys of the rows above its rows, children first."""
    for spec in reversed(table_specs()):
        rows = _semi_join(spec, f"{prefix}_{spec.name}")
        for column, parent, parent_column in _foreign_keys(spec):
            con.execute(f"INSERT INTO {prefix}_{parent} ({parent_column}) SELECT DISTINCT {column} FROM ({rows}) "
                        f"WHERE {column} IS NOT NULL")


def _key_tables(con: duckdb.DuckDBPyConnection, prefix: str) -> None:
    """An empty temp table <prefix>_<table> of primary keys for every table."""
    for spec in table_specs():
        con.execute(f"CREATE OR REPLACE TEMP TABLE {prefix}_{spec.name} AS "
                    f"SELECT {_keys(spec)} FROM main.{spec.name} LIMIT 0")


def touched(con: duckdb.DuckDBPyConnection, changes: list["TableChange"]) -> None:
    """Fill temp tables touched_<table> with the keys of every changed row (previous and new versions, all
    columns) and of every row above one."""
    _key_tables(con, "touched")
    for change in changes:
        for rows in (change.deleted, change.inserted):
            con.register("changed_rows", rows)
            con.execute(f"INSERT INTO touched_{change.spec.name} SELECT {_keys(change.spec)} FROM changed_rows")
            for column, parent, parent_column in _foreign_keys(change.spec):  # a deleted row's parents too
                con.execute(f"INSERT INTO touched_{parent} ({parent_column}) SELECT DISTINCT {column} "
                            f"FROM changed_rows WHERE {column} IS NOT NULL")
            con.unregister("changed_rows")
    _walk_up(con, "touched")


def _neighbourhood(con: duckdb.DuckDBPyConnection, unit: TableSpec, views: list[SqlFile]) -> None:
    """Copy the neighbourhood of the units in touched_<unit> into SCOPE and create `views` there."""
    _key_tables(con, "near")
    con.execute(f"INSERT INTO near_{unit.name} SELECT DISTINCT * FROM touched_{unit.name}")
    below = {unit.name}
    for spec in table_specs():  # parents first: every row below a unit, transitively
        for column, parent, parent_column in _foreign_keys(spec):
            if parent in below and spec.name != unit.name:
                con.execute(f"INSERT INTO near_{spec.name} SELECT {_keys(spec)} FROM main.{spec.name} "
                            f"WHERE {column} IN (SELECT {parent_column} FROM near_{parent})")
                below.add(spec.name)
    _walk_up(con, "near")
    con.execute(f"DROP SCHEMA IF EXISTS {SCOPE} CASCADE")
    con.execute(f"CREATE SCHEMA {SCOPE}")
    restricted = article_tables()
    for spec in table_specs():
        if spec.name in restricted:
            con.execute(f"CREATE TABLE {SCOPE}.{spec.name} AS {_semi_join(spec, f'near_{spec.name}')}")
        else:
            con.execute(f"CREATE VIEW {SCOPE}.{spec.name} AS SELECT * FROM main.{spec.name}")
    create_views(con.execute, views, (duckdb.Error,), name=lambda view: f"{SCOPE}.{view.name}")


def _positions(con: duckdb.DuckDBPyConnection, view: SqlFile, unit_name: str) -> list[int]:
    """1-based places, in the view's table, of the rows of the touched units of table `unit_name`."""
    column = view.key[0]
    return [row[0] + 1 for row in con.execute(
        f"SELECT rowid FROM main.{view.name} WHERE {column} IN (SELECT {column} FROM touched_{unit_name}) "
        "ORDER BY rowid").fetchall()]


def _rewrite(con: duckdb.DuckDBPyConnection, view: SqlFile, rows: str) -> None:
    """Write the view's table again from the relation `rows`, in the view's declared order."""
    con.execute(f"CREATE TABLE main.{view.name}__patched AS SELECT * FROM ({rows}) ORDER BY {view.order}")
    con.execute(f"DROP TABLE main.{view.name}")
    con.execute(f"ALTER TABLE main.{view.name}__patched RENAME TO {view.name}")


def write_moved(con: duckdb.DuckDBPyConnection, moved: list[MovedView]) -> None:
    """Write the DuckDB table of each moved view again, in the view's order: its rows but its moved units', and their
    new rows."""
    for moving in moved:
        column = moving.view.key[0]
        con.register("rucas_moved_units", moving.units)
        con.register("rucas_moved_rows", moving.rows)
        try:
            _rewrite(con, moving.view, f"SELECT * FROM main.{moving.view.name} WHERE {column} NOT IN "
                                       f"(SELECT {column} FROM rucas_moved_units) UNION ALL SELECT * FROM rucas_moved_rows")
        finally:
            con.unregister("rucas_moved_units")
            con.unregister("rucas_moved_rows")


def patch_views(con: duckdb.DuckDBPyConnection, changes: list["TableChange"], views: list[SqlFile],
                reads: Mapping[str, Reads] | None = None) -> ViewsPatched:
    """Bring the materialised views of `con` (whose tables are patched) up to date, but for the tables of the views
    whose rows move, which are left to write_moved; return how each view that changed changes, for the SQLite
    file, and those moved views. `reads` gives, by view name, what each view without a unit
    reads (rucas.build.write.reads.columns_read of its live SQL); such a view missing from it is computed
    again whenever anything changed."""
    touched(con, changes)
    done = ViewsPatched()
    patches = done.patches
    changed = {change.spec.name: table_changed(change) for change in changes if not change.empty}
    tables = [spec.name for spec in table_specs()]
    by_unit: dict[str, list[SqlFile]] = {}
    for view in views:
        unit = unit_table(view)
        if not view.order:
            raise ValueError(f"{view.path}: a patched build needs the view's order: add an `-- order:` line")
        if unit is None:  # no unit: computed again whole, if the patch changed what it reads
            if changed and (reads is None or view.name not in reads or affected(reads[view.name], changed, tables)):
                done.recomputed.append(view.name)
                if (patch := _patch_whole(con, view)) is not None:
                    patches.append(patch)
            continue
        by_unit.setdefault(unit.name, []).append(view)
    for unit_name, unit_views in by_unit.items():
        if not con.execute(f"SELECT count(*) FROM touched_{unit_name}").fetchall()[0][0]:
            continue
        scoped = unit_name in article_tables()  # else: a reference table's units, over the whole tables
        if scoped:
            _neighbourhood(con, next(spec for spec in table_specs() if spec.name == unit_name), views)
        for view in unit_views:
            column = view.key[0]
            units = f"(SELECT {column} FROM touched_{unit_name})"
            computed = f"{SCOPE}.{view.name}" if scoped else f"main.{live_name(view)}"
            old_positions = _positions(con, view, unit_name)
            old = _rows_at(con, view, old_positions)
            new = con.sql(f"SELECT * FROM {computed} WHERE {column} IN {units} ORDER BY {view.order}").to_arrow_table()
            if new.equals(old):
                continue
            con.register("new_rows", new)
            if _keeps_places(con, view, new, old_positions):
                new_positions = old_positions
            else:  # ranked among every other row of the view
                new_positions = [row[0] for row in con.execute(
                    f"SELECT place FROM (SELECT row_number() OVER (ORDER BY {view.order}) AS place, rucas_new FROM "
                    f"(SELECT *, false AS rucas_new FROM main.{view.name} WHERE {column} NOT IN {units} "
                    f"UNION ALL SELECT *, true FROM new_rows)) WHERE rucas_new ORDER BY place").fetchall()]
            if new_positions == old_positions:  # the same places: the rows are replaced where they are
                _replace_in_place(con, view, new, new_positions)
                patches.append(ViewPatch(view, IN_PLACE, new, old))
            else:  # its DuckDB table is written again later (write_moved)
                patches.append(ViewPatch(view, MOVED, new, old, _kept_before(con, view, old_positions, new_positions)))
                done.moved.append(MovedView(view, con.sql(f"SELECT DISTINCT {column} FROM {units}").to_arrow_table(),
                                            new))
            con.unregister("new_rows")
        if scoped:
            con.execute(f"DROP SCHEMA {SCOPE} CASCADE")
    return done
