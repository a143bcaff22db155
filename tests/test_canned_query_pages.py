"""A canned query's page shows one page of rows (default_page_size) and, when the query has more, says so
and where they all are; its JSON and CSV still return up to max_returned_rows, with Datasette's
truncation flag. The site's SQL of a canned query is its file's with `LIMIT :_rows_shown`
(build/publish/metadata.py canned_query_sql), which datasette_plugins/rucas_rows_shown.py answers."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import sqlite3
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from test_datasette import fetch
from test_escaping import IMG, SCRIPT, hostile_corpus
from test_views import load_generator

from rucas.build.pipeline import build
from rucas.build.publish.metadata import canned_query_sql, has_own_limit, metadata
from rucas.build.publish.serve import datasette_app
from rucas.build.publish.settings import DATABASE_NAME, SETTINGS
from rucas.queries import SqlFile, canned_queries

PAGE = SETTINGS["default_page_size"]
MOST = SETTINGS["max_returned_rows"]
QUERIES = {query.name: query for query in canned_queries()}
NOTICE = 'class="rucas-more-rows"'


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of 150 generated articles (seed 1): actor_record has over max_returned_rows rows unfiltered,
    events_during several pages."""
    tmp = tmp_path_factory.mktemp("canned_pages")
    curated = load_generator().generate_corpus(tmp / "curated", 150, 1)
    return build(curated, tmp / "out", cache=False).output_dir


def sqlite_rows(output: Path, query: SqlFile, parameters: dict[str, str]) -> list[dict]:
    """The query's rows as SQLite answers its file's SQL, each a dict of its columns."""
    with sqlite3.connect(output / "rucas.db") as db:
        db.row_factory = sqlite3.Row
        found = db.execute(query.sql, {name: parameters.get(name, "") for name in query.parameters}).fetchall()
        return [dict(row) for row in found]


def shown_rows(html: str) -> int:
    body = html.split('<table class="rows-and-columns">', 1)[1].split("</table>", 1)[0]
    return body.count("<tr>") - 1  # the header's row


def test_the_site_runs_each_canned_query_with_its_files_sql_and_one_limit() -> None:
    queries = metadata()["databases"][DATABASE_NAME]["queries"]
    for name, query in QUERIES.items():
        assert queries[name]["sql"] == query.sql.rstrip().rstrip(";").rstrip() + "\nLIMIT :_rows_shown"
        assert not has_own_limit(query.sql), name


def test_a_limit_of_the_query_itself_is_told_apart_from_a_subquerys_comments_and_strings() -> None:
    assert has_own_limit("SELECT 1 LIMIT 5;")
    assert has_own_limit("select * from t order by x\nlimit :n offset 2")
    assert not has_own_limit("SELECT (SELECT x FROM t LIMIT 1) FROM u")
    assert not has_own_limit("SELECT 'limit 3', \"limit\", [limit] FROM t -- limit 4\n/* limit 5 */")
    own = dataclasses.replace(QUERIES["events_during"], sql=QUERIES["events_during"].sql + "\nLIMIT 10;")
    with pytest.raises(ValueError, match=r"queries/canned/events_during\.sql ends with a LIMIT of its own"):
        canned_query_sql(own)


def test_an_unparameterised_canned_query_page_shows_one_page_and_says_where_the_rest_is(generated: Path) -> None:
    expected = sqlite_rows(generated, QUERIES["events_during"], {})
    assert len(expected) > PAGE
    (page,) = fetch(datasette_app(generated), f"/{DATABASE_NAME}/events_during")
    assert page.status_code == 200
    assert shown_rows(page.text) == PAGE
    assert NOTICE in page.text
    notice = page.text.split(NOTICE, 1)[1].split("</p>", 1)[0]
    assert f"first {PAGE} rows" in notice and f"up to\n{MOST:,} rows" in notice
    assert f'href="/{DATABASE_NAME}/events_during.csv?_size=max"' in notice
    assert f'href="/{DATABASE_NAME}/events_during.json"' in notice
    assert f'href="/{DATABASE_NAME}.db"' in notice and "queries/canned/events_during.sql" in notice
    shown = re.findall(r'<td class="col-event_id">(.*?)</td>', page.text, re.DOTALL)
    assert [row["event_id"] in cell for row, cell in zip(expected, shown)] == [True] * PAGE


def test_its_json_and_csv_still_return_max_returned_rows_with_the_truncation_flag(generated: Path) -> None:
    expected = sqlite_rows(generated, QUERIES["actor_record"], {})
    assert len(expected) > MOST
    json_page, csv_page = fetch(datasette_app(generated), f"/{DATABASE_NAME}/actor_record.json",
                                f"/{DATABASE_NAME}/actor_record.csv")
    data = json_page.json()
    assert data["truncated"] is True
    assert [dict(zip(data["columns"], row)) for row in data["rows"]] == expected[:MOST]
    assert len(list(csv.reader(io.StringIO(csv_page.text)))) == MOST + 1  # and its header


def test_a_parameterised_query_with_fewer_rows_than_a_page_shows_them_all_without_the_notice(
        generated: Path) -> None:
    query = QUERIES["actor_record"]
    per_actor = Counter(row["actor_id"] for row in sqlite_rows(generated, query, {}))
    actor_id = min((rows, actor) for actor, rows in per_actor.items() if 1 < rows < PAGE)[1]
    expected = sqlite_rows(generated, query, {"actor_id": actor_id})
    (page,) = fetch(datasette_app(generated), f"/{DATABASE_NAME}/actor_record?actor_id={quote(actor_id)}")
    assert page.status_code == 200
    assert shown_rows(page.text) == len(expected) == per_actor[actor_id]
    assert NOTICE not in page.text


def test_a_hostile_parameter_stays_escaped_in_the_notices_links(generated: Path) -> None:
    (page,) = fetch(datasette_app(generated), f"/{DATABASE_NAME}/actor_record?from_date=" + quote(SCRIPT))
    assert page.status_code == 200 and NOTICE in page.text
    assert SCRIPT not in page.text
    assert "&#34;&gt;&lt;script&gt;" in page.text or "%22%3E%3Cscript%3E" in page.text


def test_curated_values_stay_escaped_on_a_canned_query_page(tmp_path: Path) -> None:
    output = build(hostile_corpus(tmp_path / "curated"), tmp_path / "out", cache=False).output_dir
    (page,) = fetch(datasette_app(output), f"/{DATABASE_NAME}/events_during")
    assert page.status_code == 200
    assert IMG not in page.text and SCRIPT not in page.text
    assert "Otunbayeva appeals &lt;img src=x onerror=window.__xss=1&gt;" in page.text
