"""A patched build computes a view again only for the units the changed rows touch, over their neighbourhood.

That is right only if every view's rows for a unit depend on nothing outside the unit's neighbourhood
(rucas.build.write.patch_views), and if each view's declared order (`-- order:`) is the order of its SQL.
Both are checked here on generated corpora, for every view and every unit.
"""

from __future__ import annotations

import datetime
import random
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from rucas.build.pipeline import build
from rucas.build.arrow_tables import article_tables
from rucas.build.write.patch_views import SCOPE, _keeps_places, _neighbourhood, differing_places, unit_table
from rucas.queries import SqlFile, view_files
from test_views import load_generator, normalise

pytestmark = pytest.mark.slow

VIEWS = view_files()
ARTICLES = 80
SEEDS = (3, 17)


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed {seed}")
def generated_duckdb(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp(f"patch-views-{request.param}")
    curated = load_generator().generate_corpus(root / "curated", ARTICLES, request.param)
    output = build(curated, root / "output").output_dir
    return Path(shutil.copyfile(output / "rucas.duckdb", root / "scratch.duckdb"))


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return [tuple(map(normalise, row)) for row in con.execute(sql).fetchall()]


WHOLE_VIEWS = {"country_month", "dyad_year"}
"""Views whose rows may count any article: a patched build computes them again whole."""


def test_every_view_has_a_unit_table_or_is_computed_whole_and_a_declared_order_ending_in_its_key() -> None:
    for view in VIEWS:
        assert (unit_table(view) is None) == (view.name in WHOLE_VIEWS), \
            f"{view.path.name}: its first key column names no table's key"
        assert view.order, f"{view.path.name}: add an `-- order:` line"
        named = set(re.findall(r"[a-z_][a-z0-9_]*", view.order))
        assert set(view.key) <= named, f"{view.path.name}: the order must include the key, or ties fall either way"


def test_the_tables_of_articles_are_sources_and_those_below_it() -> None:
    """An article's rows: its source, what was coded from it, and the adjudication of its two codings (keyed by
    source_id; a change of a coding or a log makes the next build cold, so a patch never has to redo them)."""
    assert article_tables() == {"sources", "statements", "statement_actors", "claims", "events", "event_actors",
                                "event_conditions", "adjudications"}


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.name)
def test_every_views_declared_order_is_the_order_of_its_sql(generated_duckdb: Path, view: SqlFile) -> None:
    con = duckdb.connect(str(generated_duckdb), read_only=True)
    try:
        computed = rows(con, f"SELECT * FROM {view.name}_live")
        assert len(computed) > 1
        assert rows(con, f"SELECT * FROM {view.name}_live ORDER BY {view.order}") == computed
    finally:
        con.close()


UNITS = sorted({unit_table(view).name for view in VIEWS if unit_table(view) is not None})
SINGLE_UNITS = 30
"""Units checked one by one (a sample, to keep the test short), besides samples of several together."""


@pytest.mark.parametrize("unit_name", UNITS)
def test_every_views_rows_for_some_units_come_from_their_neighbourhood_alone(
        generated_duckdb: Path, unit_name: str) -> None:
    views = [view for view in VIEWS if unit_table(view) is not None and unit_table(view).name == unit_name]
    unit = unit_table(views[0])
    column = unit.primary_key[0]
    con = duckdb.connect(str(generated_duckdb))
    try:
        units = [row[0] for row in con.execute(f"SELECT {column} FROM {unit.name} ORDER BY 1").fetchall()]
        rng = random.Random(len(units))
        samples = [[value] for value in rng.sample(units, min(len(units), SINGLE_UNITS))]
        samples += [rng.sample(units, min(len(units), size)) for size in (2, 5, 20)]
        for sample in samples:
            con.execute(f"CREATE OR REPLACE TEMP TABLE touched_{unit.name} AS SELECT unnest($units) AS {column}",
                        {"units": sample})
            _neighbourhood(con, unit, VIEWS)
            chosen = f"{column} IN (SELECT {column} FROM touched_{unit.name})"
            for view in views:
                expected = rows(con, f"SELECT * FROM main.{view.name} WHERE {chosen} ORDER BY rowid")
                assert rows(con, f"SELECT * FROM {SCOPE}.{view.name} WHERE {chosen} ORDER BY {view.order}") \
                    == expected, f"{view.name} for {sample[:5]}: its rows depend on more than the units' neighbourhood"
        con.execute(f"DROP SCHEMA {SCOPE} CASCADE")
    finally:
        con.close()


def test_the_places_whose_rows_differ_are_found_in_any_column_a_null_equal_only_to_a_null() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE old AS SELECT * FROM (VALUES ('a', 1, 'x'), ('b', 2, NULL), ('c', NULL, 'z'), "
                "('d', 4, 'w'), ('e', NULL, NULL)) AS t(key, count, note)")
    con.execute("CREATE TABLE new AS SELECT * FROM (VALUES ('a', 1, 'x'), ('b', 3, NULL), ('c', NULL, 'y'), "
                "('d', NULL, 'w'), ('e', NULL, NULL)) AS t(key, count, note)")
    assert differing_places(con, "old", "new") == [1, 2, 3]
    assert differing_places(con, "old", "old") == []
    con.execute("CREATE TABLE longer AS SELECT * FROM old UNION ALL SELECT 'f', 6, 'v'")
    con.execute("CREATE TABLE retyped AS SELECT key, CAST(count AS DOUBLE) AS count, note FROM old")
    assert differing_places(con, "old", "longer") is None and differing_places(con, "old", "retyped") is None


def test_new_rows_keep_their_places_exactly_when_the_view_stays_in_its_order_around_them(
        generated_duckdb: Path) -> None:
    """Whether a view's new rows replace the old ones in place is seen from their neighbours, not by ranking the
    whole view: a corrected summary keeps the place, a date moved past a neighbour does not."""
    view = next(view for view in VIEWS if view.name == "event_dates")
    con = duckdb.connect(str(generated_duckdb), read_only=True)
    try:
        count = con.execute("SELECT count(*) FROM event_dates").fetchall()[0][0]
        places = [1, 2, count // 2, count]  # the first, its neighbour, one inside, the last

        def at(positions: list[int]) -> pa.Table:
            return con.sql("SELECT * FROM event_dates WHERE rowid + 1 IN (SELECT unnest($p)) ORDER BY rowid",
                           params={"p": positions}).to_arrow_table()

        rows = at(places)
        summaries = rows.set_column(rows.schema.get_field_index("summary"), "summary",
                                    pa.array(["Corrected"] * len(places), rows.schema.field("summary").type))
        assert _keeps_places(con, view, summaries, places)
        assert _keeps_places(con, view, rows, places), "the same rows"
        assert not _keeps_places(con, view, rows.slice(1), places), "a row fewer"
        date = rows.schema.get_field_index("best_date")
        dates = rows.column(date).to_pylist()
        inner = at([count // 2 - 1, count // 2, count // 2 + 1]).column(date).to_pylist()
        assert inner[2] is not None, "the row after the middle one has a date"
        late = rows.set_column(date, "best_date", pa.array(
            dates[:2] + [inner[2] + datetime.timedelta(days=400)] + dates[3:], rows.schema.field(date).type))
        assert not _keeps_places(con, view, late, places), "moved past its next neighbour"
        unknown = rows.set_column(date, "best_date",
                                  pa.array(dates[:2] + [None] + dates[3:], rows.schema.field(date).type))
        assert not _keeps_places(con, view, unknown, places), "an unknown date goes last"
    finally:
        con.close()


def test_each_moved_rows_neighbour_is_the_nearest_staying_row_before_it_in_the_new_order() -> None:
    """For rows gone from some places of a view's table and new rows at other places of its new order, the key read
    for each new row (what rucas.db puts it after) is that of the nearest row before it that stays; None when no row
    that stays comes before it. Checked against the new order written out, for many random patches of a 30-row table."""
    from rucas.build.write.patch_views import _kept_before

    view = next(view for view in VIEWS if unit_table(view) is not None and len(view.key) == 1)
    con = duckdb.connect()
    con.execute(f"CREATE TABLE {view.name} AS SELECT 'r' || lpad(i::VARCHAR, 2, '0') AS {view.key[0]} "
                "FROM range(1, 31) t(i) ORDER BY i")
    table = [f"r{i:02d}" for i in range(1, 31)]
    chance = random.Random(20)
    for _ in range(300):
        gone = sorted(chance.sample(range(1, 31), chance.randint(0, 6)))
        staying = [key for place, key in enumerate(table, 1) if place not in gone]
        new_order: list[str | None] = list(staying)
        for i in range(chance.randint(1, 6)):
            new_order.insert(chance.randint(0, len(new_order)), None)  # a new row
        new_positions = [place for place, key in enumerate(new_order, 1) if key is None]
        expected = []
        for position in new_positions:
            before = [key for key in new_order[:position - 1] if key is not None]
            expected.append((before[-1],) if before else None)
        assert _kept_before(con, view, gone, new_positions) == expected, (gone, new_positions)
