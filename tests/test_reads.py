"""A patched build computes a whole-corpus query again only when the patch changed something it reads: what a
query reads is what SQLite's authorizer reports while preparing it, and a change is the rows that came or went
and the columns whose values differ (rucas.build.write.reads, rucas.build.write.table_change)."""

from __future__ import annotations

import sqlite3

import pyarrow as pa
import pytest
from rucas.build.write.page_tables import precomputed_queries, stored_charts, unfiltered
from rucas.build.write.reads import UNKNOWN, affected, columns_read
from rucas.build.write.table_change import Changed, TableChange, changed_between
from rucas.schema import table_specs
from rucas.schema.derive import sqlite_ddl


@pytest.fixture()
def con() -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    con.executescript("""
        CREATE TABLE events (event_id TEXT PRIMARY KEY, event_type TEXT, summary TEXT, date_earliest TEXT);
        CREATE TABLE event_actors (event_id TEXT, actor_id TEXT, role TEXT);
        CREATE VIEW requests AS SELECT e.event_id, a.actor_id FROM events e JOIN event_actors a
            ON a.event_id = e.event_id WHERE e.event_type = 'REQUEST';
    """)
    return con


def test_a_count_reads_its_table_for_its_rows_alone(con: sqlite3.Connection) -> None:
    assert columns_read(con, "select count(*) from events") == {"events": frozenset({""})}


def test_a_view_is_read_through_to_the_columns_of_its_tables(con: sqlite3.Connection) -> None:
    assert columns_read(con, "SELECT count(*) FROM requests") == {
        "events": frozenset({"event_id", "event_type"}), "event_actors": frozenset({"event_id", "actor_id"})}


def test_reading_prepares_the_statement_and_never_runs_it(con: sqlite3.Connection) -> None:
    columns_read(con, "SELECT event_id FROM events")
    con.execute("INSERT INTO events VALUES ('e1', 'REQUEST', 's', '2020-01-01')")
    assert columns_read(con, "SELECT summary FROM events;") == {"events": frozenset({"summary"})}
    assert con.execute("SELECT count(*) FROM events").fetchone() == (1,)


def test_a_query_is_affected_by_a_changed_column_it_reads_or_by_rows_that_came_or_went() -> None:
    reads = {"events": frozenset({"event_id", "event_type"}), "event_actors": frozenset({""})}
    described = ["events", "event_actors"]
    assert not affected(reads, {"events": Changed(False, frozenset({"summary"}))}, described)
    assert affected(reads, {"events": Changed(False, frozenset({"event_type"}))}, described)
    assert affected(reads, {"event_actors": Changed(True, frozenset({"role"}))}, described)
    assert not affected(reads, {"event_actors": Changed(False, frozenset({"role"}))}, described)
    assert affected(reads, {}, ["events"]), "a table the patch does not describe may have changed"


def table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=pa.schema([("event_id", pa.string()), ("event_type", pa.string()),
                                                        ("summary", pa.string())]))


def test_a_change_is_the_columns_whose_values_differ_between_rows_of_one_key() -> None:
    before = table([{"event_id": "a", "event_type": "REQUEST", "summary": "x"},
                    {"event_id": "b", "event_type": "AGREE", "summary": "y"}])
    after = table([{"event_id": "b", "event_type": "AGREE", "summary": "y"},
                   {"event_id": "a", "event_type": "REQUEST", "summary": "corrected"}])
    assert changed_between(before, after, ["event_id"]) == Changed(False, frozenset({"summary"}))
    assert changed_between(before, before, ["event_id"]) == Changed(False, frozenset())


def test_rows_that_came_or_went_change_the_rows_of_the_table() -> None:
    one = table([{"event_id": "a", "event_type": "REQUEST", "summary": "x"}])
    other = table([{"event_id": "c", "event_type": "REQUEST", "summary": "x"}])
    assert changed_between(one, other, ["event_id"]).rows
    assert changed_between(one, one.slice(0, 0), ["event_id"]).rows
    assert changed_between(one, pa.concat_tables([one, other]), None).rows, "paired by place: one more row"


def test_rows_paired_by_place_compare_row_for_row() -> None:
    before = table([{"event_id": "a", "event_type": "REQUEST", "summary": "x"}])
    after = table([{"event_id": "a", "event_type": "AGREE", "summary": "x"}])
    assert changed_between(before, after, None) == Changed(False, frozenset({"event_type"}))


def test_rows_put_back_as_they_were_leave_the_table_as_it_was() -> None:
    """A replaced event takes its children out and puts them back: their table (and its Parquet file) is unchanged
    only if every value is the same, a float to its sign."""
    spec = next(spec for spec in table_specs() if spec.name == "events")
    rows = table([{"event_id": "a", "event_type": "REQUEST", "summary": "x"},
                  {"event_id": "b", "event_type": "AGREE", "summary": None}])
    assert TableChange(spec, rows, rows).rows_put_back
    assert TableChange(spec, rows, pa.Table.from_batches(rows.to_batches(max_chunksize=1))).rows_put_back, \
        "chunks do not matter"
    corrected = table([{"event_id": "a", "event_type": "REQUEST", "summary": "x"},
                       {"event_id": "b", "event_type": "AGREE", "summary": ""}])
    assert not TableChange(spec, rows, corrected).rows_put_back, "an empty text is not a missing one"
    assert not TableChange(spec, rows, rows.slice(0, 1)).rows_put_back
    assert TableChange(spec, rows.slice(0, 0), rows.slice(0, 0)).rows_put_back, "nothing out, nothing in"
    zero, negative = (pa.table({"event_id": ["a"], "latitude": pa.array([value], pa.float64())})
                      for value in (0.0, -0.0))
    assert TableChange(spec, zero, zero).rows_put_back
    assert not TableChange(spec, zero, negative).rows_put_back, "equal as numbers, other bytes in a Parquet file"


@pytest.mark.parametrize("query", [*precomputed_queries(), *stored_charts()], ids=lambda query: query.name)
def test_every_stored_page_figure_and_chart_reads_only_the_schemas_tables(query) -> None:
    """Each query the build stores is checked against the tables a patch describes: one that reads anything else
    (a full-text index) would be computed again after every patch, which is right but should be known."""
    con = sqlite3.connect(":memory:")
    for spec in table_specs():
        con.execute(sqlite_ddl(spec))
    from rucas.build.write.materialise import live_name
    from rucas.queries import view_files

    for view in view_files():  # the materialised views' tables, as their live views (same columns)
        con.execute(f"CREATE VIEW {live_name(view)} AS {view.sql.strip().rstrip(';')}")
        con.execute(f"CREATE TABLE {view.name} AS SELECT * FROM {live_name(view)} LIMIT 0")
    reads = columns_read(con, unfiltered(query.sql))
    assert reads, f"{query.name} reads nothing?"
    described = {spec.name for spec in table_specs()} | {view.name for view in view_files()}
    assert set(reads) <= described, f"{query.name} reads {set(reads) - described}"


def test_a_join_sqlite_does_not_report_reads_unknown_and_is_always_computed_again(con: sqlite3.Connection) -> None:
    """SQLite's authorizer reports nothing of `count(*) FROM a JOIN b USING (k)`; such a query must never be
    taken for one that reads nothing."""
    con.execute("CREATE VIEW actors_of AS SELECT * FROM events NATURAL JOIN event_actors")
    for sql in ("SELECT count(*) FROM events JOIN event_actors USING (event_id)",
                "select count(*) from events natural left join event_actors", "SELECT count(*) FROM actors_of"):
        reads = columns_read(con, sql)
        assert reads == UNKNOWN
        assert affected(reads, {}, ["events", "event_actors"])


def test_a_query_reading_rowids_is_affected_by_rows_replaced_as_they_were(con: sqlite3.Connection) -> None:
    reads = columns_read(con, "SELECT rowid, event_id FROM events")
    assert reads == {"events": frozenset({"ROWID", "event_id"})}
    assert affected(reads, {"events": Changed(False, frozenset())}, ["events"]), "replaced rows have new rowids"
    assert not affected(columns_read(con, "SELECT event_id FROM events"), {"events": Changed(False, frozenset())},
                        ["events"])
