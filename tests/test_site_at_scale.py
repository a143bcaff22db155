"""The site's summary pages hold at any size: the reliability page and the dashboard's charts.

The reliability page says what the data shows, and stays one page's work at any size.

Its first sentence counts the articles coded twice (no claim the stored records do not back); it gives how many
articles have each review status, and lists one by one only the first RELIABILITY_LISTED articles (statuses,
agreement per article, disagreements), saying where every other one is. At 10,000 generated articles the old
page listed every article: 1.8 MB of HTML in 0.7 s (about 7 s at 100,000).

Every chart of the dashboard aggregates, so that its rows stay within max_returned_rows whatever the corpus
(the timeline grouped by each event's exact dates: 41,491 rows at 10,000 articles, cut to 2,000 unsaid), and
with no filter set it reads the rows the build stored from its own SQL (at 100,000 articles the requests chart
took over Datasette's 2 s limit, the timeline 1.6 s, the map 0.7 s), the same rows the SQL gives."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from datasette.app import Datasette
from rucas.build.pipeline import build
from rucas.build.publish.serve import datasette_app
from rucas.build.publish.site_plugin import RELIABILITY_LISTED
from test_datasette import fetch
from test_views import load_generator, virtual_machine_steps

ARTICLES = RELIABILITY_LISTED + 20


def page(app: Datasette, path: str) -> str:
    (response,) = fetch(app, path)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:500]}"
    return response.text


def one(output: Path, sql: str) -> object:
    with sqlite3.connect(output / "rucas.db") as db:
        return db.execute(sql).fetchone()[0]


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of more generated articles than the page lists one by one."""
    tmp = tmp_path_factory.mktemp("reliability")
    curated = load_generator().generate_corpus(tmp / "curated", ARTICLES, 3)
    return build(curated, tmp / "out", cache=False).output_dir


def test_a_corpus_larger_than_the_list_gets_counts_the_first_articles_and_a_link_to_the_rest(many: Path) -> None:
    html = page(datasette_app(many), "/reliability")
    assert html.count('<li id="status-') == RELIABILITY_LISTED
    assert f"The first {RELIABILITY_LISTED} of the {ARTICLES:,} articles, by date" in html
    assert 'href="/rucas/sources?_facet=review_status"' in html
    counted = re.findall(r'<tr><td><a href="/rucas/sources\?review_status=[^"]+">[^<]+</a></td><td>([\d,]+)</td>', html)
    assert sum(int(n.replace(",", "")) for n in counted) == ARTICLES
    second = one(many, "SELECT count(second_coder) FROM sources")
    assert f"{second:,} of the {ARTICLES:,} articles were coded twice" in html


def test_the_curated_corpus_page_counts_its_articles_coded_twice_and_lists_every_one(output_dir: Path) -> None:
    html = page(datasette_app(output_dir), "/reliability")
    articles = one(output_dir, "SELECT count(*) FROM sources")
    second = one(output_dir, "SELECT count(second_coder) FROM sources")
    assert articles <= RELIABILITY_LISTED
    assert html.count('<li id="status-') == articles
    if second == articles:
        assert f"Every article ({articles:,}) was coded" in html
    else:
        assert f"{second:,} of the {articles:,} articles were coded twice" in html
    assert "articles, by date; every article" not in html


def test_every_chart_of_a_larger_corpus_stays_within_the_row_limit_and_the_timeline_has_a_row_per_group(
        many: Path) -> None:
    from urllib.parse import quote

    from rucas.build.publish.dashboards import DASHBOARD_SLUG, dashboards
    from rucas.build.publish.settings import DATABASE_NAME
    from test_datasette import fetch_json

    app = datasette_app(many)
    for slug, chart in dashboards(DATABASE_NAME)[DASHBOARD_SLUG]["charts"].items():
        sql = re.sub(r"\[\[.*?\]\]", "", chart["query"], flags=re.DOTALL)
        data = fetch_json(app, f"/{DATABASE_NAME}.json?sql={quote(sql)}&_shape=objects")
        assert not data["truncated"], slug
        if slug == "timeline":
            groups = [(row["period"], row["event_type"], row["modality"]) for row in data["rows"]]
            assert len(groups) == len(set(groups)), "one row per period, type and modality"
            assert sum(row["events"] for row in data["rows"]) == one(many, "SELECT count(*) FROM events")


def test_a_chart_with_no_filter_reads_its_stored_rows_and_with_filters_runs_its_own_sql(many: Path) -> None:
    from datasette_dashboards import replace_opts_in_query
    from rucas.build.publish.dashboards import DASHBOARD_SLUG, dashboards
    from rucas.build.write.page_tables import stored_charts

    own = {query.name: query.sql for query in stored_charts()}
    names = {"sources": "count_articles", "events": "count_events", "statements": "count_statements",
             "actors": "count_actors"}
    lite = sqlite3.connect(many / "rucas.db")
    try:
        country = lite.execute("SELECT country_iso3 FROM event_countries GROUP BY 1 ORDER BY count(*) DESC, 1").fetchone()[0]
        event_type = lite.execute("SELECT event_type FROM events GROUP BY 1 ORDER BY count(*) DESC, 1").fetchone()[0]
        for slug, chart in dashboards("rucas")[DASHBOARD_SLUG]["charts"].items():
            sql = own[names.get(slug, slug)]
            for filters in ({}, {"country": country}, {"event_type": event_type},
                            {"country": country, "event_type": event_type}):
                served = replace_opts_in_query(chart["query"], filters)
                expected = lite.execute(replace_opts_in_query(sql, filters), filters).fetchall()
                assert lite.execute(served, filters).fetchall() == expected, (slug, filters)
            if slug in ("timeline", "requests", "map"):
                _, stored = virtual_machine_steps(lite, replace_opts_in_query(chart["query"], {}), {})
                _, computed = virtual_machine_steps(lite, replace_opts_in_query(sql, {}), {})
                assert stored * 10 < computed, f"{slug}: with no filter it costs {stored:,} steps, its SQL {computed:,}"
    finally:
        lite.close()
