"""The prepared views and canned queries answer the same in DuckDB and SQLite, and say what they should.

Parity: every view and every portable canned query is run in rucas.duckdb and in rucas.db and the
complete results are compared row by row, in order (every view orders totally), after normalising
what the engines legitimately return differently (DATE objects vs ISO text). This runs on the real
curated corpus (`duck`, `lite`) and on a synthetic corpus of GENERATED_ARTICLES articles written by
benchmarks/generate.py. Facts: a few things the views must show, on the minimal corpus and on a copy
of it edited to exercise the membership and contradiction rules.
"""

from __future__ import annotations

import datetime
import decimal
import importlib.util
import re
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from conftest import MINIMAL_CORPUS, REPO_DIR
from rucas.build.pipeline import build
from rucas.build.write.materialise import order_terms, view_indexes
from rucas.queries import SqlFile, _read, canned_queries, view_files

GENERATOR = REPO_DIR / "benchmarks" / "generate.py"
GENERATED_ARTICLES = 300
GENERATED_SEED = 4

VIEWS = view_files()
CANNED = canned_queries()
FULL_TEXT_TABLE = re.compile(r"\b[a-z_]+_fts\b")


def is_portable(query: SqlFile) -> bool:
    """A canned query that reads a full-text index (an SQLite FTS5 table) exists only in rucas.db."""
    return not FULL_TEXT_TABLE.search(query.sql)


PORTABLE_CANNED = [query for query in CANNED if is_portable(query)]


def duckdb_sql(sql: str) -> str:
    """The same query with DuckDB's parameter syntax: `:name` (SQLite, Datasette) becomes `$name`."""
    return SqlFile("query", "", sql, Path("query.sql")).duckdb_sql


def normalise(value: object) -> object:
    """One value as both engines should agree on it: dates as ISO text, decimals and bools as numbers."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float):
        return round(value, 9)
    return value


@dataclass
class Result:
    """The column names and every row of one query, normalised."""

    columns: list[str]
    rows: list[tuple[object, ...]]


@dataclass
class Engines:
    """Connections to the DuckDB and the SQLite file of one build, and a name for messages."""

    corpus: str
    duck: duckdb.DuckDBPyConnection
    lite: sqlite3.Connection

    def in_duckdb(self, sql: str, parameters: dict[str, str] | None = None) -> Result:
        cursor = self.duck.execute(duckdb_sql(sql), parameters or {})
        columns = [d[0] for d in cursor.description]
        return Result(columns, [tuple(map(normalise, row)) for row in cursor.fetchall()])

    def in_sqlite(self, sql: str, parameters: dict[str, str] | None = None) -> Result:
        cursor = self.lite.execute(sql, parameters or {})
        columns = [d[0] for d in cursor.description]
        return Result(columns, [tuple(map(normalise, row)) for row in cursor.fetchall()])


def assert_same_answer(engines: Engines, name: str, sql: str, parameters: dict[str, str] | None = None) -> Result:
    """Run `sql` in both engines and fail with the first differing row if their answers differ."""
    duck, lite = engines.in_duckdb(sql, parameters), engines.in_sqlite(sql, parameters)
    where = f"{name} on the {engines.corpus} corpus" + (f" with {parameters}" if parameters else "")
    assert duck.columns == lite.columns, f"{where}: columns differ\nDuckDB: {duck.columns}\nSQLite: {lite.columns}"
    for index, (d, s) in enumerate(zip(duck.rows, lite.rows)):
        assert d == s, (f"{where}: row {index} differs\n"
                        + "\n".join(f"  {c}: DuckDB {a!r} / SQLite {b!r}" for c, a, b in zip(duck.columns, d, s) if a != b))
    assert len(duck.rows) == len(lite.rows), f"{where}: DuckDB gives {len(duck.rows)} rows, SQLite {len(lite.rows)}"
    return lite


# --- the corpora ---------------------------------------------------------------------------------------


def load_generator():
    """benchmarks/generate.py as a module (benchmarks/ is a folder of scripts, not a package)."""
    if not GENERATOR.exists():
        pytest.skip(f"{GENERATOR.relative_to(REPO_DIR)} is missing: the parity test on a generated corpus needs it")
    spec = importlib.util.spec_from_file_location("rucas_benchmarks_generate", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic corpus of GENERATED_ARTICLES articles, built once for this module."""
    generator = load_generator()
    root = tmp_path_factory.mktemp("generated")
    curated = generator.generate_corpus(root / "curated", GENERATED_ARTICLES, seed=GENERATED_SEED)
    return build(curated, root / "output").output_dir


def connect(output: Path, corpus: str) -> Engines:
    return Engines(corpus, duckdb.connect(str(output / "rucas.duckdb"), read_only=True),
                   sqlite3.connect(f"file:{output / 'rucas.db'}?mode=ro", uri=True))


@pytest.fixture(params=["curated", "generated"])
def engines(request: pytest.FixtureRequest) -> Iterator[Engines]:
    """Both engines on the real curated corpus, then on the generated one."""
    if request.param == "curated":
        yield Engines("curated", request.getfixturevalue("duck"), request.getfixturevalue("lite"))
        return
    pair = connect(request.getfixturevalue("generated_output"), "generated")
    yield pair
    pair.duck.close()
    pair.lite.close()


# --- parameters for canned queries ---------------------------------------------------------------------

SAMPLE_VALUES: dict[str, str] = {
    "alliance_id": "select alliance_id from alliance_members group by 1 order by count(*) desc, 1 limit 1",
    "on_date": "select joined_date from alliance_members order by joined_date desc, alliance_id, actor_id limit 1",
    "actor_id": "select actor_id from event_actors group by 1 order by count(*) desc, 1 limit 1",
    "from_date": "select date_earliest from events where date_earliest is not null "
                 "order by date_earliest, event_id limit 1 offset (select count(*) / 3 from events)",
    "until_date": "select date_latest from events where date_latest is not null "
                  "order by date_latest, event_id limit 1 offset (select 2 * count(*) / 3 from events)",
    "event_type": "select event_type from events where location_country_iso3 is not null "
                  "group by event_type, location_country_iso3 order by count(*) desc, 1, location_country_iso3 limit 1",
    "country_iso3": "select location_country_iso3 from events where location_country_iso3 is not null "
                    "group by event_type, location_country_iso3 order by count(*) desc, event_type, 1 limit 1",
    "q": "select evidence from statements order by statement_id limit 1",
    "how": "select 'within'",
}
"""For each parameter of the canned queries, SQL (run in SQLite) picking a value that matches rows
(event_type and country_iso3 from the same, most common, pair; q a word of a statement's evidence)."""

WORD = re.compile(r"[^\W\d_]{4,}")
"""A search term: the first word of four or more letters (no FTS5 syntax characters)."""


def sample_parameters(lite: sqlite3.Connection, query: SqlFile) -> dict[str, str]:
    missing = [name for name in query.parameters if name not in SAMPLE_VALUES]
    assert not missing, f"{query.path.name}: add sample values for {missing} to SAMPLE_VALUES in tests/test_views.py"
    values = {name: str(lite.execute(SAMPLE_VALUES[name]).fetchone()[0]) for name in query.parameters}
    if "q" in values:
        values["q"] = WORD.search(values["q"]).group()
    return values


def parameter_sets(lite: sqlite3.Connection, query: SqlFile) -> list[dict[str, str]]:
    """Every parameter empty, every parameter set, and each one set alone."""
    empty = {name: "" for name in query.parameters}
    sampled = sample_parameters(lite, query)
    alone = [{**empty, name: sampled[name]} for name in query.parameters] if len(query.parameters) > 1 else []
    return [empty, sampled, *alone]


# --- parity --------------------------------------------------------------------------------------------


def test_there_are_the_thirteen_prepared_views() -> None:
    assert [v.name for v in VIEWS] == sorted(["assistance_timeline", "statement_details", "contested_claims",
                                              "alliance_context", "actor_activity", "source_overview",
                                              "event_countries", "refusals", "event_dates",
                                              "condition_details", "country_month", "dyad_year",
                                              "request_episodes"])


def test_every_view_orders_its_rows() -> None:
    unordered = [v.name for v in VIEWS if not re.search(r"\border\s+by\b[^()]*$", v.sql, re.IGNORECASE)]
    assert not unordered, f"views without a final ORDER BY (both engines must return one order): {unordered}"


def test_every_canned_query_but_full_text_search_is_portable() -> None:
    assert [q.name for q in CANNED if not is_portable(q)] == ["search", "search_statement_evidence"]


def test_duckdb_parameters_are_written_with_a_dollar_and_string_literals_are_left_alone() -> None:
    query = SqlFile("q", "A test query.", "select ':x' as y where a = :actor_id and b::text = 'it''s :x' or c = :on_date",
                    Path("q.sql"))
    assert query.duckdb_sql == "select ':x' as y where a = $actor_id and b::text = 'it''s :x' or c = $on_date"
    assert query.parameters == ["actor_id", "on_date"]


def assert_materialised_as_computed_live(engines: Engines, view: SqlFile) -> None:
    """The table <name> holds, in rowid order (Datasette's order), the rows the view's SQL gives live in
    each engine, and the live view <name>_live is that SQL."""
    where = f"{view.name} on the {engines.corpus} corpus"
    live = engines.in_sqlite(view.sql)
    assert engines.in_sqlite(f"SELECT * FROM {view.name} ORDER BY rowid") == live, f"{where}: SQLite's table"
    assert engines.in_sqlite(f"SELECT * FROM {view.name}_live") == live, f"{where}: SQLite's live view"
    duck_live = engines.in_duckdb(view.sql)
    assert engines.in_duckdb(f"SELECT * FROM {view.name}") == duck_live, f"{where}: DuckDB's table"
    assert engines.in_duckdb(f"SELECT * FROM {view.name}_live") == duck_live, f"{where}: DuckDB's live view"


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.name)
def test_every_view_gives_the_same_rows_in_the_same_order_in_both_engines(engines: Engines, view: SqlFile) -> None:
    assert_same_answer(engines, view.name, view.sql)


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.name)
def test_every_materialised_view_holds_the_rows_its_sql_gives_live_in_both_engines(
        engines: Engines, view: SqlFile) -> None:
    assert_materialised_as_computed_live(engines, view)


def test_materialised_views_are_indexed_for_sorting_and_facets(lite: sqlite3.Connection) -> None:
    indexed = {row[0] for row in lite.execute("SELECT name FROM pragma_index_list('statement_details')")}
    for column in ("date_earliest", "speaker_id", "quote_kind", "source_id"):
        assert f"statement_details_{column}_idx" in indexed
    assert "statement_details_evidence_idx" not in indexed, "free text is not worth an index"
    plan = " ".join(str(row) for row in lite.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM statement_details ORDER BY date_earliest DESC LIMIT 51"))
    assert "statement_details_date_earliest_idx" in plan


def test_events_during_reads_event_dates_through_the_index_of_its_order_which_holds_the_dates_it_filters_by(
        lite: sqlite3.Connection) -> None:
    held = [row[2] for row in lite.execute("SELECT * FROM pragma_index_info('event_dates_best_date_idx')")]
    assert held == ["best_date", "event_id", "date_earliest", "date_latest"]
    (events_during,) = [query for query in CANNED if query.name == "events_during"]
    plan = " ".join(str(row) for row in lite.execute(
        f"EXPLAIN QUERY PLAN {events_during.sql}", {"from_date": "2010-01-01", "until_date": "2014-12-31",
                                                     "how": "overlaps"}))
    assert "event_dates_best_date_idx" in plan
    assert "TEMP B-TREE" not in plan, "the index holds the whole order: nothing is sorted"


def test_a_view_without_covered_columns_keeps_one_column_indexes(lite: sqlite3.Connection) -> None:
    for view in VIEWS:
        if view.covers:
            continue
        for (index,) in lite.execute(f"SELECT name FROM pragma_index_list('{view.name}')"):
            assert len(lite.execute(f"SELECT * FROM pragma_index_info('{index}')").fetchall()) == 1, index


def covering_view(tmp_path: Path, header: str) -> SqlFile:
    path = tmp_path / "covering.sql"
    path.write_text(f"-- A view.\n{header}SELECT 1 AS a, 2 AS b, 3 AS c\n", encoding="utf-8")
    return _read(path)


SCHEMA_ABC = pa.schema([("a", pa.int64()), ("b", pa.int64()), ("c", pa.int64())])


def test_the_index_of_a_views_order_holds_its_order_then_the_covered_columns(tmp_path: Path) -> None:
    view = covering_view(tmp_path, "-- order: b DESC, a NULLS LAST, CASE WHEN c = 1 THEN 0 END\n-- covers: c, a\n")
    assert order_terms(view) == [("b", True), ("a", False)]
    assert view_indexes(view, SCHEMA_ABC, []) == [["b DESC", "a", "c"]]


def test_covered_columns_must_be_columns_of_the_view_and_need_an_order(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="names d, which the view has no column of"):
        view_indexes(covering_view(tmp_path, "-- order: a\n-- covers: b, d\n"), SCHEMA_ABC, [])
    with pytest.raises(ValueError, match="needs an order that begins with a column"):
        view_indexes(covering_view(tmp_path, "-- order: CASE WHEN a = 1 THEN 0 END, b\n-- covers: c\n"),
                     SCHEMA_ABC, [])
    with pytest.raises(ValueError, match="needs an `-- order:` line"):
        covering_view(tmp_path, "-- covers: c\n")
    with pytest.raises(ValueError, match="write the covered columns"):
        covering_view(tmp_path, "-- order: a\n-- covers: ,\n")


@pytest.mark.parametrize("query", PORTABLE_CANNED, ids=lambda q: q.name)
def test_every_canned_query_gives_the_same_rows_in_both_engines(engines: Engines, query: SqlFile) -> None:
    for parameters in parameter_sets(engines.lite, query):
        assert_same_answer(engines, query.name, query.sql, parameters)


@pytest.mark.parametrize("query", CANNED, ids=lambda q: q.name)
def test_every_canned_query_finds_rows_for_values_from_the_data_and_more_without_filters(
        engines: Engines, query: SqlFile) -> None:
    sampled = sample_parameters(engines.lite, query)
    filtered = engines.in_sqlite(query.sql, sampled).rows
    everything = engines.in_sqlite(query.sql, {name: "" for name in query.parameters}).rows
    assert filtered, f"{query.name} with {sampled} found nothing in the {engines.corpus} corpus"
    assert set(filtered) <= set(everything)


SEARCH_IN_ONE_ORDER = """
SELECT found_in, date_earliest, date_latest, headline, words, event_id, statement_id, source_id FROM (
  SELECT 'event' AS found_in, 1 AS found_order, f.rank AS score, e.date_earliest, e.date_latest,
         e.summary AS headline, e.evidence AS words, e.event_id, NULL AS statement_id, e.source_id
  FROM events e
  LEFT JOIN (SELECT rowid, bm25(events_fts) AS rank FROM events_fts
             WHERE events_fts MATCH (CASE :q WHEN '' THEN '""' ELSE :q END)) AS f ON f.rowid = e.rowid
  WHERE :q = '' OR f.rowid IS NOT NULL
  UNION ALL
  SELECT 'statement', 2, f.rank, st.date_earliest, st.date_latest,
         speaker.name || coalesce(' (' || st.speaker_title || ')', ''), st.evidence, NULL, st.statement_id,
         st.source_id
  FROM statements st JOIN actors speaker ON speaker.actor_id = st.speaker_id
  LEFT JOIN (SELECT rowid, bm25(statements_fts) AS rank FROM statements_fts
             WHERE statements_fts MATCH (CASE :q WHEN '' THEN '""' ELSE :q END)) AS f ON f.rowid = st.rowid
  WHERE :q = '' OR f.rowid IS NOT NULL
  UNION ALL
  SELECT 'article', 3, f.rank, s.date_earliest, s.date_latest, s.title || ' (' || s.publisher || ')',
         substr(s.text, s.body_start + 1, 240) || ' …', NULL, NULL, s.source_id
  FROM sources s
  LEFT JOIN (SELECT rowid, bm25(sources_fts) AS rank FROM sources_fts
             WHERE sources_fts MATCH (CASE :q WHEN '' THEN '""' ELSE :q END)) AS f ON f.rowid = s.rowid
  WHERE :q = '' OR f.rowid IS NOT NULL
)
ORDER BY found_order, score, coalesce(event_id, statement_id, source_id)
"""
"""The search's documented order written as one ORDER BY over the whole union (the query's form until it
was written so that SQLite need not sort the corpus for a page): the reference its rows are held to."""


def test_the_search_lists_what_one_order_by_over_the_whole_union_lists(engines: Engines) -> None:
    search = {q.name: q for q in CANNED}["search"]
    lite = engines.lite
    words = [WORD.search(text).group() for (text,) in lite.execute(
        "SELECT evidence FROM statements ORDER BY statement_id LIMIT 3")]
    for q in ["", *words, f"{words[0]} OR {words[-1]}", "nothingmatchesthis"]:
        found = lite.execute(search.sql, {"q": q}).fetchall()
        assert found == lite.execute(SEARCH_IN_ONE_ORDER, {"q": q}).fetchall(), f"q={q!r} on the {engines.corpus} corpus"
        assert found or q == "nothingmatchesthis"


def test_an_actors_record_comes_in_date_order_unknown_dates_last_then_kind_id_actor_and_part(
        engines: Engines) -> None:
    query = {q.name: q for q in CANNED}["actor_record"]
    for parameters in parameter_sets(engines.lite, query):
        rows = records(engines, query.sql, parameters)
        documented = sorted(rows, key=lambda r: (r["date_earliest"] is None, r["date_earliest"] or "",
                                                 r["date_latest"] is None, r["date_latest"] or "",
                                                 r["kind"], r["id"], r["actor_id"], r["part"]))
        assert rows == documented, f"{parameters} on the {engines.corpus} corpus"


def virtual_machine_steps(lite: sqlite3.Connection, sql: str, parameters: dict[str, object]) -> tuple[int, int]:
    """(rows, SQLite virtual machine instructions) of running `sql`: a measure of the work done that does not
    depend on the machine's speed or load."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    lite.set_progress_handler(count, 1)
    try:
        rows = len(lite.execute(sql, parameters).fetchall())
    finally:
        lite.set_progress_handler(None, 1)
    return rows, steps


def test_a_page_of_a_canned_querys_empty_form_is_read_without_reading_all_its_rows(
        generated_output: Path) -> None:
    """The database page links each canned query with an empty form; its page (51 rows) must cost a small
    part of the whole answer, or at 100,000 articles it sorts the corpus (actor_record took 2 s, search 0.9 s)."""
    from rucas.build.publish.metadata import ROWS_SHOWN, canned_query_sql

    lite = sqlite3.connect(f"file:{generated_output / 'rucas.db'}?mode=ro", uri=True)
    try:
        for query in CANNED:
            empty = {name: "" for name in query.parameters}
            rows, everything = virtual_machine_steps(lite, query.sql, empty)
            if rows <= 1000:
                continue  # too few rows for a page to be told apart from the whole
            shown, page = virtual_machine_steps(lite, canned_query_sql(query), {**empty, ROWS_SHOWN: 51})
            assert shown == 51
            assert page * 10 < everything, \
                f"{query.name}: a page of its empty form costs {page:,} steps, the whole answer ({rows:,} rows) {everything:,}"
    finally:
        lite.close()


def test_the_generated_corpus_exercises_every_view(generated_output: Path) -> None:
    pair = connect(generated_output, "generated")
    try:
        for view in VIEWS:
            (count,) = pair.lite.execute(f"SELECT count(*) FROM {view.name}").fetchone()
            assert count > 10, f"{view.name} has only {count} rows in the generated corpus: parity proves little"
        memberships = {m for (m,) in pair.lite.execute("SELECT DISTINCT membership FROM alliance_context")}
        assert memberships == {"both", "initiator_only", "target_only"}
    finally:
        pair.duck.close()
        pair.lite.close()


# --- facts on the minimal corpus -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def minimal_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal corpus (Eurasianet, 12 June 2010: Kyrgyzstan's plea and Russia's refusal), built."""
    return build(MINIMAL_CORPUS, tmp_path_factory.mktemp("minimal-views")).output_dir


@pytest.fixture(scope="module")
def minimal(minimal_output: Path) -> Iterator[Engines]:
    """Both engines on the minimal corpus."""
    pair = connect(minimal_output, "minimal")
    yield pair
    pair.duck.close()
    pair.lite.close()


def records(engines: Engines, sql: str, parameters: dict[str, str] | None = None) -> list[dict[str, object]]:
    result = assert_same_answer(engines, sql, sql, parameters)
    return [dict(zip(result.columns, row)) for row in result.rows]


def test_every_view_loads_into_pandas_through_rucas_load(minimal_output: Path, minimal: Engines) -> None:
    import rucas

    for view in VIEWS:
        frame = rucas.load(view.name, minimal_output)
        expected = minimal.in_sqlite(f"SELECT * FROM {view.name}")
        assert list(frame.columns) == expected.columns and len(frame) == len(expected.rows)


def test_kyrgyz_request_of_2010_comes_before_russias_refusal_in_the_assistance_timeline(minimal: Engines) -> None:
    rows = records(minimal, "SELECT * FROM assistance_timeline")
    assert [(r["event_type"], r["initiators"], r["targets"], r["date_earliest"]) for r in rows] == [
        ("REQUEST", "Interim government of Kyrgyzstan", "Russia", "2010-06-12"),
        ("REJECT", "Russia", "Kyrgyzstan", "2010-06-12"),
    ]
    refusal = rows[1]
    assert refusal["conditions"] == "alliance_consultation; legal_mandate"
    assert refusal["publisher"] == "Eurasianet"
    assert refusal["initiator_countries"] == "RUS" and refusal["target_countries"] == "KGZ"


def test_timakova_spoke_as_the_presidents_press_secretary(minimal: Engines) -> None:
    (row,) = records(minimal, "SELECT * FROM statement_details")
    assert row["speaker"] == "Natalya Timakova"
    assert row["speaker_office"] == "Press Secretary of the President of Russia"
    assert row["about"] == "Kyrgyzstan" and row["addressees"] is None


def test_the_kyrgyz_interim_government_counts_as_kyrgyzstan_in_the_csto(minimal: Engines) -> None:
    rows = records(minimal, "SELECT event_id, initiator_id, initiator_member_id, target_id, alliance_id, membership "
                            "FROM alliance_context WHERE event_type = 'REQUEST'")
    assert rows == [{"event_id": "kyrgyzstan-asks-russia-for-troops-2010-06-12",
                     "initiator_id": "kyrgyzstan-interim-government", "initiator_member_id": "kyrgyzstan",
                     "target_id": "russia", "alliance_id": "csto", "membership": "both"}]


def test_actor_activity_and_source_overview_count_the_minimal_corpus(minimal: Engines) -> None:
    russia = records(minimal, "SELECT * FROM actor_activity WHERE actor_id = 'russia'")[0]
    assert (russia["events_initiated"], russia["events_targeted"], russia["statements_made"]) == (1, 1, 0)
    (source,) = records(minimal, "SELECT * FROM source_overview")
    assert (source["statements"], source["events"], source["conditions"], source["claims"]) == (1, 2, 2, 1)
    assert source["actors"] == 4  # Timakova, Kyrgyzstan, the interim government, Russia


def test_canned_queries_answer_for_the_minimal_corpus(minimal: Engines) -> None:
    members = records(minimal, canned_sql(CANNED, "alliance_members_on_date"),
                      {"alliance_id": "csto", "on_date": "2010-06-12"})
    assert [m["actor_id"] for m in members] == ["kyrgyzstan", "russia"]
    assert records(minimal, canned_sql(CANNED, "alliance_members_on_date"),
                   {"alliance_id": "csto", "on_date": "2002-10-06"}) == []
    said_or_did = records(minimal, canned_sql(CANNED, "actor_record"),
                          {"actor_id": "russia", "from_date": "2010-06-12", "until_date": "2010-06-12"})
    assert [(r["id"], r["part"]) for r in said_or_did] == [
        ("kyrgyzstan-asks-russia-for-troops-2010-06-12", "target"),
        ("russia-refuses-kyrgyz-request-2010-06-12", "initiator"),
    ]
    assert records(minimal, canned_sql(CANNED, "actor_record"),
                   {"actor_id": "russia", "from_date": "2010-06-13", "until_date": ""}) == []
    in_kyrgyzstan = records(minimal, canned_sql(CANNED, "events_by_type_located_in_country"),
                            {"event_type": "request", "country_iso3": "kgz"})
    assert [r["event_id"] for r in in_kyrgyzstan] == ["kyrgyzstan-asks-russia-for-troops-2010-06-12"]
    involving_kyrgyzstan = records(minimal, canned_sql(CANNED, "events_by_type_involving_country"),
                                   {"event_type": "", "country_iso3": "kgz"})
    assert [r["event_id"] for r in involving_kyrgyzstan] == [
        "kyrgyzstan-asks-russia-for-troops-2010-06-12", "russia-refuses-kyrgyz-request-2010-06-12"]
    search = next(q for q in CANNED if q.name == "search_statement_evidence")
    found = minimal.lite.execute(search.sql, {"q": "internal conflict"}).fetchall()
    assert [row[0] for row in found] == ["timakova-kyrgyz-conflict-is-internal"]
    assert minimal.lite.execute(search.sql, {"q": "Uzbekistan"}).fetchall() == []


def canned_sql(queries: list[SqlFile], name: str) -> str:
    """The SQL of the portable canned query `name` (so that `records` can run it in both engines)."""
    (query,) = [q for q in queries if q.name == name]
    assert is_portable(query)
    return query.sql


# --- the membership and contradiction rules, on an edited copy of the minimal corpus -------------------

EDITED_ALLIANCES = """
- alliance_id: test-pact
  name: Test Pact
  alliance_type: collective_defence
  actor_id: null
  founded: 2000-01-01
  obligations: "Test fixture, an alliance in which Kyrgyzstan is suspended."
- alliance_id: test-accord
  name: Test Accord
  alliance_type: security_cooperation
  actor_id: null
  founded: 2000-01-01
  obligations: "Test fixture, an alliance Kyrgyzstan joins in the middle of June 2010."
"""

EDITED_MEMBERSHIPS = """
- {alliance_id: test-pact, actor_id: russia, joined_date: 2000-01-01, status: member, basis: reference, note: Test fixture.}
- {alliance_id: test-pact, actor_id: kyrgyzstan, joined_date: 2000-01-01, status: suspended, basis: reference, note: Test fixture.}
- {alliance_id: test-accord, actor_id: russia, joined_date: 2000-01-01, status: member, basis: reference, note: Test fixture.}
- {alliance_id: test-accord, actor_id: kyrgyzstan, joined_date: 2010-06-15, status: member, basis: reference, note: Test fixture.}
"""

DENIAL = """
  - statement_id: otunbayeva-test-denial
    speaker_id: roza-otunbayeva
    speaker_title: the head of the Kyrgyz interim government
    quote_kind: reported
    date: {earliest: 2010-06-12, latest: 2010-06-12, precision: day, basis: stated, note: "Test fixture."}
    evidence: "described the situation in Osh as"
    about: [russia]
"""
"""A statement added for the test only: the words occur in the article, the denial is the fixture's."""

REQUEST_DATE = "date: {earliest: 2010-06-12, latest: 2010-06-12, precision: day, basis: stated, note: \"On June 12\"}"
REQUEST_MONTH = "date: {earliest: 2010-06-01, latest: 2010-06-30, precision: month, basis: inferred, note: \"Test fixture.\"}"


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engines]:
    """The minimal corpus plus two test alliances, a denial of Russia's refusal, and the Kyrgyz request
    dated to June 2010 as a whole (month precision) instead of 12 June."""
    root = tmp_path_factory.mktemp("edited-views")
    curated = root / "curated"
    shutil.copytree(MINIMAL_CORPUS, curated)
    for name, extra in (("alliances.yaml", EDITED_ALLIANCES), ("memberships.yaml", EDITED_MEMBERSHIPS)):
        path = curated / "reference" / name
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + extra.lstrip("\n"), encoding="utf-8")
    (annotation,) = (curated / "annotations").glob("*.yaml")
    text = annotation.read_text(encoding="utf-8")
    first_request_date = text.index(REQUEST_DATE, text.index("kyrgyzstan-asks-russia-for-troops"))
    text = text[:first_request_date] + REQUEST_MONTH + text[first_request_date + len(REQUEST_DATE):]
    text = text.replace("\nevents:\n", DENIAL + "\nevents:\n", 1)
    text = text.rstrip("\n") + ("\n  - {statement_id: otunbayeva-test-denial, "
                                "event_id: russia-refuses-kyrgyz-request-2010-06-12, relation: denies}\n")
    annotation.write_text(text, encoding="utf-8")
    pair = connect(build(curated, root / "output").output_dir, "edited minimal")
    yield pair
    pair.duck.close()
    pair.lite.close()


def test_the_edited_corpus_answers_the_same_in_both_engines(edited: Engines) -> None:
    for view in VIEWS:
        assert_same_answer(edited, view.name, view.sql)
        assert_materialised_as_computed_live(edited, view)


def memberships(engines: Engines, event_id: str) -> dict[str, str]:
    rows = records(engines, "SELECT alliance_id, membership FROM alliance_context WHERE event_id = :event_id",
                   {"event_id": event_id})
    return {r["alliance_id"]: r["membership"] for r in rows}


def test_a_suspended_member_does_not_count_as_belonging(edited: Engines) -> None:
    assert memberships(edited, "russia-refuses-kyrgyz-request-2010-06-12")["test-pact"] == "initiator_only"


def test_a_member_from_the_15th_did_not_belong_on_the_12th(edited: Engines) -> None:
    assert memberships(edited, "russia-refuses-kyrgyz-request-2010-06-12")["test-accord"] == "initiator_only"


def test_membership_must_cover_the_whole_date_interval_of_an_event(edited: Engines) -> None:
    # The request is now dated June 2010; Kyrgyzstan joined the Test Accord on 15 June.
    assert memberships(edited, "kyrgyzstan-asks-russia-for-troops-2010-06-12") == {
        "csto": "both", "test-accord": "target_only", "test-pact": "target_only"}


def test_a_statement_denying_an_asserted_event_makes_a_contested_claim(edited: Engines) -> None:
    (row,) = records(edited, "SELECT * FROM contested_claims")
    assert (row["event_id"], row["asserting_speaker"], row["denying_speaker"]) == (
        "russia-refuses-kyrgyz-request-2010-06-12", "Natalya Timakova", "Roza Otunbayeva")
    assert row["asserted_date_earliest"] == row["denied_date_earliest"] == "2010-06-12"


def test_a_speakers_office_is_the_term_that_covers_the_statement(edited: Engines) -> None:
    offices = {r["statement_id"]: r["speaker_office"] for r in records(edited, "SELECT * FROM statement_details")}
    assert offices == {"otunbayeva-test-denial": "Head of the interim government of Kyrgyzstan",
                       "timakova-kyrgyz-conflict-is-internal": "Press Secretary of the President of Russia"}


# --- facts on the real curated corpus ------------------------------------------------------------------

KYRGYZ_REQUEST = "kyrgyz-interim-government-asks-russia-for-troops-2010-06-12"
RUSSIAN_REFUSAL = "russia-refuses-kyrgyz-request-for-troops-2010-06-12"
UZBEK_REQUEST = "uzbekistan-asked-russia-for-individual-types-of-weapons"
KARIMOV_REQUEST = "karimov-asks-putin-for-help-against-extremism-2014-12"


@pytest.fixture()
def curated(duck: duckdb.DuckDBPyConnection, lite: sqlite3.Connection) -> Engines:
    """Both engines on the build of the real curated corpus."""
    return Engines("curated", duck, lite)


def test_the_kyrgyz_request_of_2010_and_russias_refusal_are_in_the_timeline_in_date_order(curated: Engines) -> None:
    rows = records(curated, "SELECT event_id, date_earliest, event_type, conditions FROM assistance_timeline")
    order = [row["event_id"] for row in rows]
    assert order.index(KYRGYZ_REQUEST) < order.index(RUSSIAN_REFUSAL)
    request, refusal = rows[order.index(KYRGYZ_REQUEST)], rows[order.index(RUSSIAN_REFUSAL)]
    assert (request["event_type"], request["date_earliest"]) == ("REQUEST", "2010-06-12")
    assert (refusal["event_type"], refusal["date_earliest"]) == ("REJECT", "2010-06-12")
    assert "legal_mandate" in refusal["conditions"] and "alliance_consultation" in refusal["conditions"]
    dates = [row["date_earliest"] for row in rows if row["date_earliest"] is not None]
    assert dates == sorted(dates)


def test_ivanov_and_komilov_contradict_each_other_on_uzbekistans_request(curated: Engines) -> None:
    rows = records(curated, "SELECT * FROM contested_claims WHERE event_id = :event_id", {"event_id": UZBEK_REQUEST})
    assert rows, f"contested_claims has no pair for {UZBEK_REQUEST}"
    assert {(r["asserting_speaker"], r["denying_speaker"]) for r in rows} == {("Igor Ivanov", "Abdulaziz Komilov")}
    assert {r["asserting_source_id"] for r in rows} == {"irin-moscow-offers-help-to-defeat-extremists"}


def test_ivanov_spoke_as_russias_foreign_minister(curated: Engines) -> None:
    offices = {r["speaker_office"] for r in records(
        curated, "SELECT speaker_office FROM statement_details WHERE speaker_id = 'igor-ivanov'")}
    assert offices == {"Minister of Foreign Affairs of Russia"}


def alliances_of(engines: Engines, event_id: str) -> dict[str, set[str]]:
    rows = records(engines, "SELECT alliance_id, membership FROM alliance_context WHERE event_id = :event_id",
                   {"event_id": event_id})
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["alliance_id"], set()).add(row["membership"])
    return found


def test_uzbekistan_was_not_in_the_collective_security_treaty_when_russia_offered_it_help(curated: Engines) -> None:
    # The offer is dated 1998-2003; Uzbekistan's participation in the Tashkent Treaty lapsed in April 1999
    # and the CSTO was only founded in October 2002, so neither covers the whole interval for both.
    alliances = alliances_of(curated, "russia-offers-uzbekistan-all-necessary-assistance")
    assert alliances["cst"] == {"initiator_only"}
    assert "both" not in alliances.get("csto", set())


def test_an_event_whose_start_is_unknown_has_no_alliance_context(curated: Engines) -> None:
    # The Uzbek request is known only to precede Ivanov's remarks: with no earliest date, no membership
    # interval can be shown to cover it, so the view gives it no rows rather than a guess.
    assert alliances_of(curated, UZBEK_REQUEST) == {}


def test_uzbekistan_suspended_from_the_csto_is_not_russias_csto_ally_in_2014(curated: Engines) -> None:
    alliances = alliances_of(curated, KARIMOV_REQUEST)
    assert alliances["csto"] == {"target_only"}
    assert alliances["sco"] == {"both"}


def test_every_facet_a_view_names_is_one_of_its_columns_and_counted_from_an_index(lite: sqlite3.Connection) -> None:
    named = [(view, column) for view in VIEWS for column in view.facets]
    assert ("alliance_context", "membership") in {(view.name, column) for view, column in named}
    for view, column in named:
        assert column in {row[1] for row in lite.execute(f"PRAGMA table_info({view.name})")}, \
            f"{view.path.name} names the facet {column}, which it has no column of"
        plan = " ".join(str(row) for row in lite.execute(
            f"EXPLAIN QUERY PLAN SELECT {column}, count(*) FROM {view.name} GROUP BY {column}"))
        assert f"{view.name}_{column}_idx" in plan, plan


def test_russia_attached_the_proper_appeal_condition_to_its_offer_to_uzbekistan(curated: Engines) -> None:
    rows = records(curated, "SELECT condition_id, offered_by, offered_to, condition_type FROM condition_details "
                            "WHERE condition_id = 'rudenko-uzbek-offer-proper-appeal'")
    assert rows == [{"condition_id": "rudenko-uzbek-offer-proper-appeal", "offered_by": "Russia",
                     "offered_to": "Uzbekistan", "condition_type": "request_received"}]


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.name)
def test_no_list_in_a_view_names_a_value_twice(curated: Engines, view: SqlFile) -> None:
    result = curated.in_sqlite(f"SELECT * FROM {view.name}")
    for row in result.rows:
        for column, value in zip(result.columns, row):
            if isinstance(value, str) and "; " in value and column not in ("evidence", "summary", "text"):
                items = value.split("; ")
                assert len(items) == len(set(items)), f"{view.name}.{column} repeats a value: {value!r}"


def test_uzbekistans_csto_membership_in_2012_2013_ends_and_its_suspension_begins(curated: Engines) -> None:
    rows = records(curated, canned_sql(CANNED, "alliance_members_during"),
                   {"alliance_id": "csto", "from_date": "2012-01-01", "until_date": "2013-12-31"})
    uzbekistan = [(r["status"], r["joined_date"], r["left_date"], r["in_period"])
                  for r in rows if r["actor_id"] == "uzbekistan"]
    assert uzbekistan == [("member", "2006-08-16", "2012-12-19", "ended in period"),
                          ("suspended", "2012-12-19", None, "began in period")]
    assert ("russia", "throughout") in {(r["actor_id"], r["in_period"]) for r in rows}
