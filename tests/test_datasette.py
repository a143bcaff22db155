"""Datasette publishes the build read-only, fully described, searchable and charted (checked with its own client)."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINIMAL_CORPUS
from datasette.app import Datasette
from rucas.build.publish.dashboards import DASHBOARD_SLUG, dashboards
from rucas.build.publish.inspection import view_columns
from rucas.build.publish.metadata import FACET_ROWS_PER_PAGE, metadata, view_column_descriptions
from rucas.build.publish.settings import DATABASE_NAME, SETTINGS
from rucas.build.pipeline import build
from rucas.build.publish.serve import config_dir, datasette_app, datasette_command
from rucas.build.write.materialise import LIVE_SUFFIX, live_name
from rucas.build.write.sqlite_db import FULL_TEXT
from rucas.queries import SqlFile, canned_queries, view_files
from rucas.schema import table_spec, table_specs

OSH = "location: {name: Osh, country_iso3: KGZ, precision: settlement}"
OSH_WITH_COORDINATES = "location: {name: Osh, country_iso3: KGZ, latitude: 40.53, longitude: 72.8, precision: settlement}"
"""The minimal corpus's request event took place in Osh (40.53 N, 72.80 E); the fixture adds those
coordinates so that the map and the cluster map have a marker to draw."""

READ_ONLY_PLUGINS = {"datasette-dashboards", "datasette-cluster-map", "datasette-leaflet",
                     "datasette-render-markdown", "rucas_site.py", "rucas_limits.py", "rucas_reading.py",
                     "rucas_escaping.py", "rucas_redirects.py", "rucas_facet_counts.py", "rucas_rows_shown.py",
                     "rucas_permission_rules.py"}
"""Every plugin the published instance may load: none of them writes (rucas_limits.py is RUCAS's own:
it bounds query costs and refuses every method but GET, HEAD and OPTIONS; rucas_redirects.py only reads
the redirects table; rucas_facet_counts.py only reads the facet counts; rucas_rows_shown.py only answers the number of rows a
canned query reads; rucas_permission_rules.py only keeps the permission rules Datasette reads from the metadata)."""


def build_published(tmp: Path) -> Path:
    """Build the minimal corpus, with coordinates for Osh, into tmp/output; return the output folder."""
    curated = tmp / "curated"
    shutil.copytree(MINIMAL_CORPUS, curated)
    (annotation,) = (curated / "annotations").glob("*.yaml")
    text = annotation.read_text(encoding="utf-8")
    assert OSH in text, "tests/fixtures/minimal changed: update OSH in tests/test_datasette.py"
    annotation.write_text(text.replace(OSH, OSH_WITH_COORDINATES), encoding="utf-8")
    return build(curated, tmp / "output").output_dir


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder built from the minimal corpus (with coordinates), as `rucas serve` would serve it."""
    return build_published(tmp_path_factory.mktemp("datasette"))


@pytest.fixture()
def db(published: Path):
    """A read-only sqlite3 connection to the published database, to compare Datasette's answers with."""
    con = sqlite3.connect(f"file:{published / 'rucas.db'}?mode=ro", uri=True)
    yield con
    con.close()


def fetch(app: Datasette, *paths: str) -> list:
    """GET each path through Datasette's own ASGI client."""

    async def _get_all():
        await app.invoke_startup()
        return [await app.client.get(path) for path in paths]

    return asyncio.run(_get_all())


def fetch_json(app: Datasette, path: str) -> dict:
    (response,) = fetch(app, path)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:500]}"
    return response.json()


def all_rows(app: Datasette, path: str) -> list[dict]:
    """Every row of a table, view or query page, following Datasette's pagination."""
    rows: list[dict] = []
    separator = "&" if "?" in path else "?"
    page = fetch_json(app, f"{path}{separator}_shape=objects&_size=max")
    rows += page["rows"]
    while page.get("next_url"):
        next_path = re.sub(r"^https?://[^/]+", "", page["next_url"])
        page = fetch_json(app, next_path)
        rows += page["rows"]
    return rows


def sqlite_rows(con: sqlite3.Connection, sql: str, params: dict[str, str] | None = None) -> list[dict]:
    cursor = con.execute(sql, params or {})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def sample_parameters(con: sqlite3.Connection, query: SqlFile) -> dict[str, str]:
    """Values for a canned query's parameters, taken from the data so that each should match rows."""
    one = lambda sql: con.execute(sql).fetchone()
    event_type, country = one("select event_type, location_country_iso3 from events "
                              "where location_country_iso3 is not null order by date_earliest, event_id limit 1")
    values = {
        "actor": one("select actor_id from event_actors group by 1 order by count(*) desc, 1 limit 1")[0],
        "alliance": one("select alliance_id from alliance_members order by 1 limit 1")[0],
        "type": event_type,
        "country": country,
        "start": "1900-01-01",
        "end": "2100-12-31",
        "date": one("select max(joined_date) from alliance_members")[0],
        "search": "Russia",
        "how": "overlaps",
    }
    kinds = [("actor", "actor"), ("alliance", "alliance"), ("type", "type"), ("country", "country"),
             ("start", "start|from|since|begin"), ("end", "end|until|to$|_to|upto"),
             ("date", "date|day|on$|when"), ("search", "search|^q$|query|text|term|word|match|phrase"),
             ("how", "^how$")]
    chosen = {}
    for parameter in query.parameters:
        kind = next((k for k, pattern in kinds if re.search(pattern, parameter)), None)
        assert kind, (f"{query.path.name}: no sample value for parameter :{parameter}; "
                      "add its name to sample_parameters in tests/test_datasette.py")
        chosen[parameter] = str(values[kind])
    return chosen


# --- configuration -------------------------------------------------------------------------------------


def test_metadata_describes_every_table_view_and_column(published: Path, db: sqlite3.Connection) -> None:
    metadata = json.loads((config_dir(published) / "metadata.json").read_text(encoding="utf-8"))
    described = metadata["databases"][DATABASE_NAME]["tables"]
    missing = []
    for name, kind in db.execute("select name, type from sqlite_master where type in ('table', 'view')"):
        entry = described.get(name, {})
        if entry.get("hidden") or name.startswith("sqlite_"):
            continue
        if not entry.get("description"):
            missing.append(f"{kind} {name}: no description")
        for (column,) in db.execute(f'select name from pragma_table_info("{name}")'):
            if not entry.get("columns", {}).get(column):
                fix = (f" (add `-- column: {column}: ...` to queries/views/{name}.sql)" if kind == "view" else "")
                missing.append(f"{kind} {name}.{column}: no description{fix}")
    assert not missing, "\n".join(missing)


def test_full_text_indexes_and_their_shadow_tables_are_hidden(published: Path, db: sqlite3.Connection) -> None:
    app = datasette_app(published)
    tables = {t["name"]: t for t in fetch_json(app, f"/{DATABASE_NAME}.json")["tables"]}
    fts = [name for (name,) in db.execute("select name from sqlite_master where type = 'table' and name like '%_fts%'")]
    assert fts, "the build made no FTS tables"
    assert all(tables[name]["hidden"] for name in fts)
    assert not any(tables[spec.name]["hidden"] for spec in table_specs())


def test_metadata_names_the_curation_licence_and_the_publishers_rights(published: Path) -> None:
    metadata = fetch_json(datasette_app(published), "/-/metadata.json")
    assert metadata["license"] == "CC-BY-4.0"
    assert metadata["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "publishers" in metadata["description"] and "rights" in metadata["description"]
    assert metadata["source"]
    home = fetch(datasette_app(published), "/")[0].text
    assert "CC-BY-4.0" in home


def test_view_columns_take_their_description_from_the_file_or_the_table_they_come_from() -> None:
    view = SqlFile("v", "A test view.", "select e.event_id, e.note, s.title, 1 as n from events e "
                   "join sources s using (source_id)", Path("v.sql"), (("n", "A constant."),))
    described = view_column_descriptions(view, ["event_id", "note", "title", "n", "mystery"], table_specs())
    events, sources = (next(s for s in table_specs() if s.name == name) for name in ("events", "sources"))
    assert described == {"event_id": events.column("event_id").description,
                         "note": events.column("note").description,
                         "title": sources.column("title").description, "n": "A constant."}


def test_settings_are_the_chosen_ones(published: Path) -> None:
    settings = fetch_json(datasette_app(published), "/-/settings.json")
    assert {name: settings[name] for name in SETTINGS} == SETTINGS


def test_inspect_file_holds_the_row_count_of_every_table(published: Path, db: sqlite3.Connection) -> None:
    inspect = json.loads((config_dir(published) / "inspect-data.json").read_text(encoding="utf-8"))
    counts = {name: entry["count"] for name, entry in inspect[DATABASE_NAME]["tables"].items()}
    for spec in table_specs():
        assert counts[spec.name] == db.execute(f"select count(*) from {spec.name}").fetchone()[0]
    page = fetch_json(datasette_app(published), f"/{DATABASE_NAME}.json")
    assert {t["name"]: t["count"] for t in page["tables"]}["events"] == counts["events"]


# --- read-only -----------------------------------------------------------------------------------------


def test_database_is_served_immutable_and_refuses_writes(published: Path) -> None:
    app = datasette_app(published)
    assert app.get_database(DATABASE_NAME).is_mutable is False
    responses = fetch(app, "/rucas.json?sql=insert+into+codebook+values('x','y','z',null)",
                      "/rucas.json?sql=delete+from+actors",
                      "/rucas.json?sql=attach+database+'/tmp/x.db'+as+x")
    assert [r.status_code for r in responses] == [400, 400, 400]
    assert fetch_json(app, "/rucas.json?sql=select+count(*)+as+n+from+actors&_shape=array")[0]["n"] > 0


def test_only_read_only_plugins_are_loaded(published: Path) -> None:
    plugins = {plugin["name"] for plugin in fetch_json(datasette_app(published), "/-/plugins.json")}
    assert {"datasette-dashboards", "datasette-cluster-map"} <= plugins
    assert plugins <= READ_ONLY_PLUGINS, f"unexpected plugins: {plugins - READ_ONLY_PLUGINS}"


def test_no_canned_query_writes(published: Path) -> None:
    metadata = json.loads((config_dir(published) / "metadata.json").read_text(encoding="utf-8"))
    assert not any(q.get("write") for q in metadata["databases"][DATABASE_NAME]["queries"].values())


def test_config_directory_alone_serves_the_database_immutable_with_the_settings(published: Path) -> None:
    app = Datasette(config_dir=config_dir(published))
    assert app.get_database(DATABASE_NAME).is_mutable is False
    assert "rucas_limits.py" in {plugin["name"] for plugin in fetch_json(app, "/-/plugins.json")}
    settings = fetch_json(app, "/-/settings.json")
    assert {name: settings[name] for name in SETTINGS} == SETTINGS
    assert fetch_json(app, "/-/metadata.json")["title"].startswith("RUCAS")


def test_serve_command_binds_localhost_and_datasette_accepts_its_settings(published: Path) -> None:
    command = datasette_command(published)
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert "-i" in command and "--inspect-file" in command
    result = subprocess.run(command + ["--get", "/-/settings.json"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert {name: json.loads(result.stdout)[name] for name in SETTINGS} == SETTINGS


def test_plain_datasette_serves_the_config_directory(published: Path) -> None:
    command = [sys.executable, "-m", "datasette", str(published / "datasette"), "--get", "/-/databases.json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    (database,) = json.loads(result.stdout)
    assert database["name"] == DATABASE_NAME and database["is_mutable"] is False


# --- every table, view and canned query ----------------------------------------------------------------


@pytest.mark.parametrize("table", [spec.name for spec in table_specs()])
def test_every_table_page_lists_every_row(published: Path, db: sqlite3.Connection, table: str) -> None:
    rows = all_rows(datasette_app(published), f"/{DATABASE_NAME}/{table}.json")
    expected = sqlite_rows(db, f"select * from {table}")
    key = lambda row: json.dumps(row, sort_keys=True, default=str)
    assert sorted(map(key, rows)) == sorted(map(key, expected))


@pytest.mark.parametrize("view", view_files(), ids=lambda v: v.name)
def test_every_view_page_lists_the_rows_of_its_sql_in_its_order(published: Path, db: sqlite3.Connection,
                                                                view: SqlFile) -> None:
    rows = all_rows(datasette_app(published), f"/{DATABASE_NAME}/{view.name}.json")
    assert [{k: v for k, v in row.items() if k != "rowid"} for row in rows] == sqlite_rows(db, view.sql)


@pytest.mark.parametrize("view", view_files(), ids=lambda v: v.name)
def test_every_view_is_served_as_a_table_sortable_facetable_and_counted_by_the_inspect_file(
        published: Path, db: sqlite3.Connection, view: SqlFile) -> None:
    app = datasette_app(published)
    columns = [row[1] for row in db.execute(f"pragma table_info({view.name})")]
    facets = metadata(view_columns(published / "rucas.db"))["databases"][DATABASE_NAME]["tables"][view.name]
    page = fetch_json(app, f"/{DATABASE_NAME}/{view.name}.json?_sort_desc={columns[1]}&_size=5&_shape=objects")
    inspected = json.loads((published / "datasette" / "inspect-data.json").read_text())
    (count,) = db.execute(f"select count(*) from {view.name}").fetchone()
    assert inspected[DATABASE_NAME]["tables"][view.name]["count"] == count
    assert page["filtered_table_rows_count"] == count
    newest = [row for (row,) in db.execute(f"select {columns[1]} from {view.name} order by {columns[1]} desc limit 5")]
    assert [row[columns[1]] for row in page["rows"]] == newest
    for facet in facets.get("facets", []):
        results = fetch_json(app, f"/{DATABASE_NAME}/{view.name}.json?_facet={facet}&_size=0")["facet_results"]
        (valued,) = db.execute(f"select count({facet}) from {view.name}").fetchone()
        assert sum(value["count"] for value in results[facet]["results"]) == valued, f"{view.name}: facet {facet}"


def test_the_database_page_lists_no_live_view_and_every_page_it_lists_answers(published: Path,
                                                                              db: sqlite3.Connection) -> None:
    """A live view computes its prepared view again on every read: on a large corpus its page takes seconds
    and ends at the SQL time limit (400 "SQL Interrupted"). The database page lists the materialised table
    of each view instead; the live view stays reachable by SQL and on `?_show_hidden=1`."""
    app = datasette_app(published)
    page, every = fetch(app, f"/{DATABASE_NAME}", f"/{DATABASE_NAME}?_show_hidden=1")
    listed = list(dict.fromkeys(re.findall(rf'href="/{DATABASE_NAME}/([A-Za-z0-9_]+)"', page.text)))
    assert not [name for name in listed if name.endswith(LIVE_SUFFIX)]
    assert {view.name for view in view_files()} | {spec.name for spec in table_specs()} <= set(listed)
    answers = fetch(app, *(f"/{DATABASE_NAME}/{name}" for name in listed))
    assert {name: answer.status_code for name, answer in zip(listed, answers)} == dict.fromkeys(listed, 200)
    assert all(f'href="/{DATABASE_NAME}/{live_name(view)}"' in every.text for view in view_files())
    view = view_files()[0]
    live = fetch_json(app, f"/{DATABASE_NAME}.json?sql=select+count(*)+from+{live_name(view)}")
    assert live["rows"] == [list(db.execute(f"select count(*) from {view.name}").fetchone())]


@pytest.mark.parametrize("query", canned_queries(), ids=lambda q: q.name)
def test_every_canned_query_runs_with_empty_parameters(published: Path, query: SqlFile) -> None:
    app = datasette_app(published)
    (page,) = fetch(app, f"/{DATABASE_NAME}/{query.name}")
    assert page.status_code == 200, page.text[:500]
    assert "message-error" not in page.text, page.text[:2000]
    data = fetch_json(app, f"/{DATABASE_NAME}/{query.name}.json")
    assert data["ok"] is True and data.get("error") is None


@pytest.mark.parametrize("query", canned_queries(), ids=lambda q: q.name)
def test_every_canned_query_answers_its_parameters_as_sqlite_does(published: Path, db: sqlite3.Connection,
                                                                  query: SqlFile) -> None:
    parameters = sample_parameters(db, query)
    from urllib.parse import urlencode

    rows = all_rows(datasette_app(published), f"/{DATABASE_NAME}/{query.name}.json?{urlencode(parameters)}")
    assert rows == sqlite_rows(db, query.sql, parameters)
    assert rows, f"{query.name} with {parameters} found nothing in the minimal corpus"


def test_a_canned_query_searches_statement_evidence() -> None:
    assert any("statements_fts" in query.sql for query in canned_queries()), \
        "queries/canned needs a full-text search over statement evidence (statements_fts MATCH :q)"


# --- search, labels, sorts, facets ---------------------------------------------------------------------


def test_search_on_the_sources_page_finds_words_of_the_article_body(published: Path) -> None:
    rows = fetch_json(datasette_app(published), "/rucas/sources.json?_search=Osh&_shape=objects")["rows"]
    assert [row["source_id"] for row in rows] == ["eurasianet-russia-turns-down-kyrgyzstans-plea"]


def test_search_on_the_statements_page_finds_evidence_words(published: Path) -> None:
    rows = fetch_json(datasette_app(published), "/rucas/statements.json?_search=internal+conflict&_shape=objects")
    assert [row["statement_id"] for row in rows["rows"]] == ["timakova-kyrgyz-conflict-is-internal"]


def test_search_for_a_word_not_in_the_corpus_finds_nothing(published: Path) -> None:
    for table in FULL_TEXT:
        assert fetch_json(datasette_app(published), f"/rucas/{table}.json?_search=zyzzyva")["rows"] == []


def test_search_box_is_offered_on_every_full_text_table(published: Path) -> None:
    pages = fetch(datasette_app(published), *(f"/rucas/{table}" for table in FULL_TEXT))
    assert all('name="_search"' in page.text for page in pages)


def test_foreign_keys_are_shown_with_names(published: Path) -> None:
    rows = fetch_json(datasette_app(published), "/rucas/statements.json?_labels=on&_shape=objects")["rows"]
    assert rows[0]["speaker_id"] == {"value": "natalya-timakova", "label": "Natalya Timakova"}


@pytest.mark.parametrize("table", ["events", "statements", "sources"])
def test_dated_tables_are_listed_newest_first(published: Path, table: str) -> None:
    page = fetch_json(datasette_app(published), f"/rucas/{table}.json")
    assert page["human_description_en"] == "sorted by date_earliest descending"
    assert page["query"]["sql"].endswith("order by date_earliest desc limit 51")


@pytest.mark.parametrize("table", ["events", "actors", "sources"])
def test_table_pages_offer_their_facets(published: Path, table: str) -> None:
    facets = fetch_json(datasette_app(published), f"/rucas/{table}.json")["facet_results"]
    assert set(table_spec(table).display.facets) <= set(facets)


def test_event_type_facet_counts_events_by_type(published: Path) -> None:
    facet = fetch_json(datasette_app(published), "/rucas/events.json")["facet_results"]["event_type"]
    assert {item["value"]: item["count"] for item in facet["results"]} == {"REQUEST": 1, "REJECT": 1}


def facet_sql(table: str, column: str) -> str:
    """The query Datasette 0.65 runs for a column facet of an unfiltered table page."""
    return (f"select {column} as value, count(*) as count from (select * from {table}) "
            f"where {column} is not null group by {column} order by count desc, value limit 31")


@pytest.mark.parametrize("spec", [spec for spec in table_specs() if spec.display.facets], ids=lambda spec: spec.name)
def test_every_table_facet_is_counted_from_an_index_without_reading_the_table(db: sqlite3.Connection,
                                                                                spec) -> None:
    for column in spec.display.facets:
        plan = " ".join(row[3] for row in db.execute(f"explain query plan {facet_sql(spec.name, column)}"))
        assert "COVERING INDEX" in plan, f"{spec.name}.{column}: {plan}"


def test_a_large_table_shows_unasked_only_the_facets_a_page_can_count() -> None:
    events = list(table_spec("events").display.facets)
    tables = metadata(counts={"events": FACET_ROWS_PER_PAGE // 2, "statements": FACET_ROWS_PER_PAGE * 2,
                              "sources": 10})["databases"][DATABASE_NAME]["tables"]
    assert tables["events"]["facets"] == events[:2]
    assert "facets" not in tables["statements"]
    assert tables["sources"]["facets"] == list(table_spec("sources").display.facets)
    assert metadata()["databases"][DATABASE_NAME]["tables"]["events"]["facets"] == events


def test_a_facet_the_table_shows_is_counted_once_when_a_request_asks_for_it_again(published: Path) -> None:
    page = fetch_json(datasette_app(published), "/rucas/events.json?_facet=event_type&_facet=cameo_code&_size=0")
    facets = page["facet_results"]
    assert set(table_spec("events").display.facets) | {"cameo_code"} == set(facets)
    assert {item["value"]: item["count"] for item in facets["event_type"]["results"]} == {"REQUEST": 1, "REJECT": 1}


def test_a_search_shows_its_matches_and_count_and_only_the_facets_it_asks_for(published: Path) -> None:
    app = datasette_app(published)
    searched = fetch_json(app, "/rucas/events.json?_search=refused")
    assert searched["rows"] and searched["filtered_table_rows_count"] == len(searched["rows"])
    assert searched["facet_results"] == {}, "a search counts no facet unasked"
    asked = fetch_json(app, "/rucas/events.json?_search=refused&_facet=event_type")["facet_results"]
    assert "event_type" in asked
    column = searched["columns"].index("event_type")
    assert {item["value"] for item in asked["event_type"]["results"]} == {row[column] for row in searched["rows"]}
    assert fetch_json(app, "/rucas/events.json")["facet_results"], "a table page without a search keeps its facets"


def test_every_connection_reads_the_database_through_a_memory_map(published: Path) -> None:
    app = datasette_app(published)

    async def mmap_size() -> int:
        await app.invoke_startup()
        return await app.get_database(DATABASE_NAME).execute_fn(
            lambda conn: conn.execute("pragma mmap_size").fetchone()[0])

    assert asyncio.run(mmap_size()) > 0


def test_tables_with_coordinates_load_the_cluster_map(published: Path) -> None:
    (page,) = fetch(datasette_app(published), "/rucas/events")
    assert "datasette-cluster-map.js" in page.text


# --- dashboards ----------------------------------------------------------------------------------------


def test_dashboard_list_and_page_show_every_chart(published: Path) -> None:
    app = datasette_app(published)
    listing, page = fetch(app, "/-/dashboards", f"/-/dashboards/{DASHBOARD_SLUG}")
    assert listing.status_code == page.status_code == 200
    charts = dashboards(DATABASE_NAME)[DASHBOARD_SLUG]["charts"]
    for slug, chart in charts.items():
        assert f'id="chart-{slug}"' in page.text
        assert chart["title"] in page.text


@pytest.mark.parametrize("chart", list(dashboards(DATABASE_NAME)[DASHBOARD_SLUG]["charts"]))
def test_every_chart_page_renders_and_its_query_returns_rows(published: Path, chart: str) -> None:
    from urllib.parse import quote

    app = datasette_app(published)
    (page,) = fetch(app, f"/-/dashboards/{DASHBOARD_SLUG}/{chart}")
    assert page.status_code == 200
    sql = re.sub(r"\[\[.*?\]\]", "", dashboards(DATABASE_NAME)[DASHBOARD_SLUG]["charts"][chart]["query"], flags=re.DOTALL)
    data = fetch_json(app, f"/{DATABASE_NAME}.json?sql={quote(sql)}&_shape=objects")
    assert data["rows"] and not data["truncated"]


def test_requests_chart_pairs_the_kyrgyz_request_with_russias_refusal(published: Path) -> None:
    rows = _chart_rows(datasette_app(published), "requests")
    assert rows == [{"request": "Interim government of Kyrgyzstan asks Russia", "outcome": "refused",
                     "requests": 1}]


def test_dashboard_filters_narrow_the_charts(published: Path) -> None:
    app = datasette_app(published)
    (page,) = fetch(app, f"/-/dashboards/{DASHBOARD_SLUG}?country=KGZ&event_type=REQUEST")
    assert page.status_code == 200
    assert '<option value="KGZ" selected>' in page.text
    assert "event_countries where country_iso3 = :country" in page.text
    assert "[[" not in page.text.split("renderChart")[1]


# --- the real corpus -----------------------------------------------------------------------------------


def test_every_page_of_the_real_corpus_answers(output_dir: Path) -> None:
    app = datasette_app(output_dir)
    paths = ["/", f"/{DATABASE_NAME}", "/-/dashboards", f"/-/dashboards/{DASHBOARD_SLUG}"]
    paths += [f"/{DATABASE_NAME}/{spec.name}" for spec in table_specs()]
    paths += [f"/{DATABASE_NAME}/{view.name}" for view in view_files()]
    paths += [f"/{DATABASE_NAME}/{query.name}" for query in canned_queries()]
    paths += [f"/-/dashboards/{DASHBOARD_SLUG}/{chart}" for chart in dashboards(DATABASE_NAME)[DASHBOARD_SLUG]["charts"]]
    failing = [(path, r.status_code) for path, r in zip(paths, fetch(app, *paths))
               if r.status_code != 200 or "message-error" in r.text]
    assert not failing


def test_every_chart_query_runs_on_the_real_corpus_within_the_row_limit(output_dir: Path) -> None:
    from urllib.parse import quote

    app = datasette_app(output_dir)
    for slug, chart in dashboards(DATABASE_NAME)[DASHBOARD_SLUG]["charts"].items():
        sql = re.sub(r"\[\[.*?\]\]", "", chart["query"], flags=re.DOTALL)
        data = fetch_json(app, f"/{DATABASE_NAME}.json?sql={quote(sql)}&_shape=objects")
        assert not data["truncated"], slug


def test_requests_chart_of_the_real_corpus_shows_russia_refusing_kyrgyzstans_2010_request(output_dir: Path) -> None:
    rows = _chart_rows(datasette_app(output_dir), "requests")
    assert [(row["outcome"], row["requests"]) for row in rows
            if row["request"].startswith("Interim government of Kyrgyzstan")] == [("refused", 1)]


def _chart_rows(app: Datasette, chart: str, **filters: str) -> list[dict]:
    """A chart's rows as the dashboard computes them, with the given filters (the others empty)."""
    from urllib.parse import urlencode

    sql = dashboards(DATABASE_NAME)[DASHBOARD_SLUG]["charts"][chart]["query"]
    for name in re.findall(r"\[\[.*?:(\w+).*?\]\]", sql, flags=re.DOTALL):
        sql = re.sub(r"\[\[([^\]]*?:" + name + r"\b[^\]]*?)\]\]", r"\1" if filters.get(name) else "", sql,
                     flags=re.DOTALL)
    query = urlencode({"sql": sql, "_shape": "array", **{k: v for k, v in filters.items() if v}})
    return fetch_json(app, f"/{DATABASE_NAME}.json?{query}")


def test_timeline_counts_every_event_of_the_real_corpus_intervals_and_unknown_dates_included(
        output_dir: Path, lite) -> None:
    rows = _chart_rows(datasette_app(output_dir), "timeline")
    assert sum(row["events"] for row in rows) == lite.execute("select count(*) from events").fetchone()[0]
    periods = {row["period"] for row in rows}
    assert "1998-2003" in periods, "IRIN's undated article is bounded to 1998-2003: drawn as that span"
    assert "2010" in periods


def test_timeline_filtered_by_kyrgyzstan_counts_russias_refusal_located_in_moscow(output_dir: Path) -> None:
    rows = _chart_rows(datasette_app(output_dir), "timeline", country="KGZ", event_type="REJECT")
    assert rows == [{"period": "2010", "period_sort": "2010-06-122010-06-12", "event_type": "REJECT",
                     "modality": "occurred", "events": 1}]


def test_requests_chart_counts_each_request_once(output_dir: Path, lite) -> None:
    rows = _chart_rows(datasette_app(output_dir), "requests")
    requests = lite.execute("select count(*) from assistance_timeline where event_type = 'REQUEST'").fetchone()[0]
    assert sum(row["requests"] for row in rows) == requests


def test_chart_colours_keep_their_meaning_in_every_view() -> None:
    from rucas.build.publish.dashboards import MODALITY_COLOURS, OUTCOME_COLOURS
    from rucas.schema.codes import Modality

    charts = dashboards(DATABASE_NAME)[DASHBOARD_SLUG]["charts"]
    timeline = charts["timeline"]["display"]["encoding"]["color"]["scale"]
    assert timeline["domain"] == Modality.values() and len(set(timeline["range"])) == len(Modality.values())
    outcome = charts["requests"]["display"]["encoding"]["color"]["scale"]
    assert outcome["domain"] == list(OUTCOME_COLOURS) and outcome["range"] == list(OUTCOME_COLOURS.values())
    for name in OUTCOME_COLOURS:
        assert f"'{name}'" in charts["requests"]["query"], f"requests.sql no longer names the outcome {name!r}"
    assert set(MODALITY_COLOURS) == set(Modality.values())


def test_arbitrary_sql_waits_its_turn_but_the_dashboards_queries_do_not(published: Path, monkeypatch) -> None:
    from urllib.parse import quote

    from datasette.plugins import pm

    app = datasette_app(published)
    limits = pm.get_plugin("rucas_limits.py")
    monkeypatch.setattr(limits, "ARBITRARY_SQL_WAIT_SECONDS", 0.2)
    runaway = "with recursive forever(n) as (select 1 union all select n + 1 from forever) select count(*) from forever"
    map_sql = dashboards(DATABASE_NAME)[DASHBOARD_SLUG]["charts"]["map"]["query"]
    unfiltered = re.sub(r"\[\[.*?\]\]", "", map_sql, flags=re.DOTALL)  # what the dashboard sends with no filter set

    async def three_at_once():
        await app.invoke_startup()
        return await asyncio.gather(app.client.get(f"/{DATABASE_NAME}.json?sql={quote(runaway)}"),
                                    app.client.get(f"/{DATABASE_NAME}.json?sql={quote(runaway)}"),
                                    app.client.get(f"/{DATABASE_NAME}.json?sql={quote(unfiltered)}"))

    first, second, dashboard = asyncio.run(three_at_once())
    assert sorted([first.status_code, second.status_code]) == [400, 429], "one runs to the time limit, one is turned away"
    assert dashboard.status_code == 200
