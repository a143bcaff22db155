"""The Datasette site answers a researcher's questions: front page, search, event and article pages,
readable tables, country involvement, versions and citations (in-process, through Datasette's client)."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import rucas
from rucas.build.cli import main as rucas_cli
from datasette.app import Datasette
from rucas.build.publish.site_config import front_page_questions
from rucas.build.publish.serve import config_dir, datasette_app, publish_config
from rucas.queries import view_files
from rucas.schema import table_spec
from test_datasette import build_published, fetch, fetch_json

REFUSAL = "russia-refuses-kyrgyz-request-for-troops-2010-06-12"
"""Russia's refusal of Kyrgyzstan's plea for troops, 12 June 2010 (Eurasianet)."""
EURASIANET = "eurasianet-russia-turns-down-kyrgyzstans-plea"


@pytest.fixture(scope="module")
def site(output_dir: Path) -> Datasette:
    """The site of the curated corpus, as `rucas serve` serves it."""
    return datasette_app(output_dir)


def page(app: Datasette, path: str) -> str:
    (response,) = fetch(app, path)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:500]}"
    assert "message-error" not in response.text, path
    return response.text


def test_front_page_starts_from_the_questions_with_views_and_dashboard_one_click_away(site: Datasette) -> None:
    html = page(site, "/")
    questions = front_page_questions()
    assert len(questions) >= 8
    for question in questions:
        assert f'href="{question["path"]}"' in html.replace("&amp;", "&"), question["name"]
    assert questions[0]["name"] == "assistance_timeline"
    assert {"refusals", "contested_claims", "events_during"} <= {q["name"] for q in questions[:7]}
    assert 'href="/-/dashboards/overview"' in html
    for view in view_files():
        assert f'href="/rucas/{view.name}"' in html
    assert 'action="/rucas/search"' in html


def test_every_question_on_the_front_page_opens_an_answer_with_rows(site: Datasette) -> None:
    for question in front_page_questions():
        path, _, query = question["path"].partition("?")
        rows = fetch_json(site, f"{path}.json?{query}&_shape=array")
        assert rows, f"{question['question']} ({question['path']}) answers nothing"


@pytest.mark.parametrize("path", ["/", "/rucas", "/rucas/events", f"/rucas/events/{REFUSAL}", "/rucas/refusals",
                                  "/rucas/search?q=troops", "/rucas/actors/russia"])
def test_every_page_names_the_version_build_date_licence_and_how_to_cite(site: Datasette, output_dir: Path,
                                                                          path: str) -> None:
    version = json.loads((output_dir / "manifest.json").read_text())["version"]
    footer = page(site, path).split('<footer class="ft">')[1]
    assert version in footer
    assert re.search(r"built \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", footer)
    assert "CC-BY-4.0" in footer and "How to cite" in footer and "CITATION.cff" in footer


@pytest.mark.parametrize("words", ["refused", "refusal", "refuse", "rejected", "declines"])
def test_one_search_for_a_word_of_refusal_finds_russias_refusal_of_kyrgyzstans_plea(site: Datasette,
                                                                                   words: str) -> None:
    rows = fetch_json(site, f"/rucas/search.json?q={words}&_shape=array")
    assert rows[0]["found_in"] == "event" and rows[0]["event_id"] == REFUSAL
    assert f'href="/rucas/events/{REFUSAL}"' in page(site, f"/rucas/search?q={words}")


def test_search_covers_statements_and_article_texts_by_word_forms(site: Datasette, output_dir: Path) -> None:
    found = {row["found_in"] for row in fetch_json(site, "/rucas/search.json?q=conflicts&_shape=array")}
    assert {"statement", "article"} <= found, "'conflicts' finds 'internal conflict' by its stem"
    everything = fetch_json(site, "/rucas/search.json?q=&_shape=array&_size=max")
    con = sqlite3.connect(f"file:{output_dir / 'rucas.db'}?mode=ro", uri=True)
    expected = sum(con.execute(f"select count(*) from {table}").fetchone()[0]
                   for table in ("events", "statements", "sources"))
    con.close()
    assert len(everything) == expected, "an empty search lists every event, statement and article"


def test_the_events_table_search_box_understands_word_forms(site: Datasette) -> None:
    rows = fetch_json(site, "/rucas/events.json?_search=refused&_shape=array")
    assert [row["event_id"] for row in rows] == [REFUSAL]


def test_the_refusal_page_shows_summary_evidence_actors_reasons_statements_and_its_article(
        site: Datasette, output_dir: Path) -> None:
    html = page(site, f"/rucas/events/{REFUSAL}")
    record = html.split('<article class="rucas-record">')[1].split("</article>")[0]
    for fact in ["Russia declines to send troops", "Russia is not prepared to offer immediate military assistance",
                 "2010-06-12", "REJECT", "Moscow", 'href="/rucas/actors/russia"',
                 'href="/rucas/actors/kyrgyzstan-interim-government"',
                 "legal_mandate", "in accordance with the UN Charter", "alliance_consultation",
                 "Natalya Timakova", "asserts", f'href="/rucas/sources/{EURASIANET}"',
                 "Russia Turns Down Kyrgyzstan&#39;s Plea for Military Support", "Cite this row"]:
        assert fact in record, fact
    assert rucas.cite("events", REFUSAL, output_dir) in html.replace("&#39;", "'")


def test_the_article_page_shows_the_body_apart_from_the_site_boilerplate(site: Datasette, lite) -> None:
    text, start, end = lite.execute("select text, body_start, body_end from sources where source_id = ?",
                                    (EURASIANET,)).fetchone()
    html = page(site, f"/rucas/sources/{EURASIANET}")
    body = re.sub(r"</?mark[^>]*>", "", html.split('<div class="rucas-body">')[1].split("</div>")[0])
    assert body.startswith("Russia Turns Down Kyrgyzstan&#39;s Plea") and body.rstrip().endswith("refuge in Uzbekistan.")
    assert text[start:end].count("\n") == body.count("\n")
    assert html.count('class="rucas-boilerplate"') == (start > 0) + (end < len(text))
    assert f'href="/rucas/events/{REFUSAL}"' in html


def test_table_pages_show_readable_columns_first_and_ids_last(site: Datasette) -> None:
    html = page(site, "/rucas/events?_wide=1")
    headers = re.findall(r'<th [^>]*data-column="([^"]+)"', html)
    assert headers == table_spec("events").display_columns
    assert headers[:3] == ["date_earliest", "date_latest", "date_precision"]
    assert headers[-2:] == ["event_id", "source_id"]
    assert 'class="col-summary type-str"><a href="/rucas/events/' in html, "the summary opens the event"


def test_table_pages_show_their_lead_columns_and_key_without_datasettes_link_or_rowid(site: Datasette) -> None:
    spec = table_spec("events")
    headers = re.findall(r'<th (?!hidden)[^>]*data-column="([^"]+)"', page(site, "/rucas/events"))
    assert headers == [c for c in spec.display_columns if c in spec.display.lead or c in spec.primary_key]
    for view in view_files():
        headers = re.findall(r'<th (?!hidden)[^>]*data-column="([^"]+)"', page(site, f"/rucas/{view.name}"))
        assert headers == list(dict.fromkeys(view.columns)), view.name


def test_view_pages_show_ids_last(site: Datasette) -> None:
    headers = re.findall(r'<th [^>]*data-column="([^"]+)"', page(site, "/rucas/statement_details"))
    headers = [name for name in headers if name not in ("Link", "rowid")]  # Datasette's own columns of a table
    ids = [name for name in headers if name.endswith("_id")]
    assert ids and headers[-len(ids):] == ids
    assert headers[0] == "date_earliest"


def test_long_texts_are_cut_with_a_link_to_the_rows_own_page(site: Datasette) -> None:
    html = page(site, "/rucas/sources?_wide=1")
    assert html.count("whole text</a>") >= 5, "every article text is cut"
    assert f'href="/rucas/sources/{EURASIANET}">whole text</a>' in html
    html = page(site, "/rucas/contested_claims").replace("&amp;", "&")
    assert ('href="/rucas/contested_claims?event_id=uzbekistan-asked-russia-for-individual-types-of-weapons'
            '&asserting_statement_id=') in html, "a view's row is linked by its key, never by rowid"


def test_a_views_page_filtered_to_one_key_shows_every_field_of_the_row(site: Datasette) -> None:
    html = page(site, f"/rucas/refusals?event_id={REFUSAL}&condition_id=russia-kyrgyz-refusal-un-charter")
    assert 'class="rucas-record-table"' in html
    assert "reason_definition</th>" in html and "in accordance with the UN Charter" in html


def test_query_pages_are_titled_by_the_query_never_by_its_sql(site: Datasette) -> None:
    html = page(site, "/rucas/events_during?from_date=2010-01-01&until_date=&how=overlaps")
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith("Events during") and "SELECT" not in title
    title = re.search(r"<title>(.*?)</title>", page(site, "/rucas?sql=select+1"), re.S).group(1)
    assert "select" not in title.lower()


def test_ids_in_views_link_to_their_rows(site: Datasette) -> None:
    html = page(site, "/rucas/contested_claims")
    assert 'href="/rucas/events/uzbekistan-asked-russia-for-individual-types-of-weapons"' in html
    assert 'href="/rucas/statements/komilov-claims-are-wishful-thinking"' in html
    assert 'href="/rucas/actors/igor-ivanov"' in page(site, "/rucas/contested_claims?_wide=1")


def test_kyrgyzstan_is_involved_in_russias_refusal_located_in_moscow(site: Datasette) -> None:
    involved = fetch_json(site, f"/rucas/event_countries.json?event_id={REFUSAL}&_shape=array")
    assert {(row["country_iso3"], row["involvement"]) for row in involved} == {
        ("RUS", "initiator"), ("RUS", "location"), ("KGZ", "target")}
    by_involvement = fetch_json(site, "/rucas/events_by_type_involving_country.json?"
                                      "event_type=REJECT&country_iso3=kgz&_shape=array")
    assert [row["event_id"] for row in by_involvement] == [REFUSAL]
    by_location = fetch_json(site, "/rucas/events_by_type_located_in_country.json?"
                                   "event_type=REJECT&country_iso3=KGZ&_shape=array")
    assert by_location == []


def test_refusals_view_gives_russias_two_stated_reasons(site: Datasette) -> None:
    rows = fetch_json(site, f"/rucas/refusals.json?event_id={REFUSAL}&_shape=array")
    assert [row["refused_by"] for row in rows] == ["Russia", "Russia"]
    assert sorted(row["reason_type"] for row in rows) == ["alliance_consultation", "legal_mandate"]
    assert any("UN Charter" in row["reason_words"] for row in rows)


@pytest.mark.parametrize(("table", "row"), [("events", REFUSAL), ("actors", "russia"),
                                            ("claims", ("komilov-claims-are-wishful-thinking,"
                                                        "uzbekistan-asked-russia-for-individual-types-of-weapons"))])
def test_row_pages_cite_the_row_as_rucas_cite_does(site: Datasette, output_dir: Path, table: str, row: str) -> None:
    citation = rucas.cite(table, row, output_dir)
    version = json.loads((output_dir / "manifest.json").read_text())["version"]
    assert version in citation and f"table {table}" in citation and f"row {row}" in citation
    assert citation in page(site, f"/rucas/{table}/{row}").replace("&#39;", "'").replace("&#34;", '"')


def test_a_citation_names_the_article_url_or_says_there_is_none(output_dir: Path, lite) -> None:
    url = lite.execute("select url from sources where source_id = ?", (EURASIANET,)).fetchone()[0]
    assert url and url in rucas.cite("events", REFUSAL, output_dir)
    assert "no article" in rucas.cite("actors", "russia", output_dir)
    with pytest.raises(KeyError):
        rucas.cite("events", "no-such-event", output_dir)


@pytest.fixture(scope="module")
def minimal_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of the minimal corpus, whose article has no known URL."""
    return build_published(tmp_path_factory.mktemp("site-minimal"))


def test_a_row_of_an_article_without_a_known_url_is_cited_by_headline_publisher_and_date(
        minimal_output: Path) -> None:
    published = minimal_output
    citation = rucas.cite("events", "russia-refuses-kyrgyz-request-2010-06-12", published)
    assert citation.endswith('coded from "Russia Turns Down Kyrgyzstan\'s Plea for Military Support", Eurasianet, '
                             "2010-06-12 (no URL known). Licence CC-BY-4.0.")
    assert citation in page(datasette_app(published), "/rucas/events/russia-refuses-kyrgyz-request-2010-06-12"
                            ).replace("&#39;", "'").replace("&#34;", '"')


def test_every_download_and_response_names_the_dataset_version(site: Datasette, output_dir: Path) -> None:
    version = json.loads((output_dir / "manifest.json").read_text())["version"]
    csv, data = fetch(site, "/rucas/events.csv?_dl=1", "/rucas/events.json")
    assert csv.headers["content-disposition"] == f'attachment; filename="events-rucas-{version}.csv"'
    assert data.headers["rucas-version"] == version


def test_plain_datasette_on_the_config_directory_serves_the_same_site(output_dir: Path) -> None:
    app = Datasette(config_dir=config_dir(output_dir))
    assert "Questions the dataset answers" in page(app, "/")
    assert "Cite this row" in page(app, f"/rucas/events/{REFUSAL}")


def test_a_published_config_directory_keeps_working_after_it_is_moved(output_dir: Path, tmp_path: Path) -> None:
    first = publish_config(output_dir, tmp_path / "first")
    moved = tmp_path / "elsewhere" / "moved"
    moved.parent.mkdir()
    shutil.move(str(first), moved)
    app = Datasette(config_dir=moved)
    assert "Questions the dataset answers" in page(app, "/")
    con = sqlite3.connect(f"file:{moved / 'rucas.db'}?mode=ro", uri=True)
    original = sqlite3.connect(f"file:{output_dir / 'rucas.db'}?mode=ro", uri=True)
    assert con.execute("select count(*) from events").fetchone() == original.execute("select count(*) from events").fetchone()
    con.close()
    original.close()


def test_serve_on_a_busy_port_says_so_and_suggests_another(output_dir: Path) -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "rucas.build.cli", "serve", "--output", str(output_dir),
                                 "--port", str(port)], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr and "serving" not in result.stderr


def test_stats_piped_into_a_reader_that_stops_early_ends_quietly(output_dir: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "rucas.build.cli", "stats", "--output", str(output_dir)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdout.close()  # the reader is gone before the command prints
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == 0
    assert "BrokenPipeError" not in stderr and "Traceback" not in stderr


def test_search_reads_an_articles_body_only_never_its_related_headlines(site: Datasette) -> None:
    rows = fetch_json(site, "/rucas/search.json?q=Taliban&_shape=array")
    articles = {row["source_id"] for row in rows if row["found_in"] == "article"}
    assert articles and EURASIANET not in articles, "the 2010 article mentions the Taliban only in links after its body"
    (source,) = fetch_json(site, f"/rucas/sources.json?source_id={EURASIANET}&_shape=array")
    assert "Taliban" in source["text"][source["body_end"]:], "the boilerplate is stored, only not searched"


def test_the_requests_chart_shows_the_contested_uzbek_request_and_names_a_request_without_target(
        output_dir: Path) -> None:
    from test_datasette import _chart_rows

    rows = _chart_rows(datasette_app(output_dir), "requests")
    outcomes = {row["request"]: row["outcome"] for row in rows}
    assert outcomes["Uzbek leadership; Uzbekistan asks Russia"] == "request contested"
    assert "Russia asks no one named" in outcomes and "other pairs" not in outcomes
    kyrgyz = _chart_rows(datasette_app(output_dir), "requests", country="KGZ")
    assert [row["outcome"] for row in kyrgyz] == ["refused"], "the country filter narrows the requests too"


def test_every_dashboard_panel_says_whether_the_filters_apply_to_it() -> None:
    from rucas.build.publish.dashboards import DASHBOARD_SLUG, dashboards

    charts = dashboards("rucas")[DASHBOARD_SLUG]["charts"]
    for slug, chart in charts.items():
        filtered = "[[" in chart["query"]
        assert filtered or "filters do not apply" in chart["title"], slug


def test_serve_suggests_a_port_that_is_free_when_the_next_one_is_taken_too() -> None:
    import socket

    from rucas.build.publish.serve import PortInUse, check_port_free

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        try:
            with socket.create_server(("127.0.0.1", port + 1)):
                with pytest.raises(PortInUse) as refused:
                    check_port_free("127.0.0.1", port)
        except OSError:
            pytest.skip("the port after a free one is taken by someone else")
    suggested = int(re.search(r"--port (\d+)", str(refused.value)).group(1))
    assert suggested > port + 1
    with socket.create_server(("127.0.0.1", suggested)):
        pass  # free, as said


def test_a_server_says_when_a_newer_build_is_on_disk(tmp_path: Path) -> None:
    from rucas.build.pipeline import build

    output = build_published(tmp_path)
    app = datasette_app(output)
    assert 'class="rucas-stale"' not in page(app, "/rucas/events")
    (annotation,) = (tmp_path / "curated" / "annotations").glob("*.yaml")
    text = annotation.read_text(encoding="utf-8")
    annotation.write_text(text.replace("summary: ", "summary: Edited. ", 1), encoding="utf-8")
    build(tmp_path / "curated", output)
    html = page(app, "/rucas/events")
    assert 'class="rucas-stale"' in html and "restart <code>rucas serve</code>" in html


def test_event_pages_never_double_an_evidences_own_quotation_mark(site: Datasette) -> None:
    html = page(site, f"/rucas/events/{REFUSAL}")
    assert "<q>“" not in html and "<q>\"" not in html and "<q>&#34;" not in html


def test_article_pages_mark_the_coded_words_and_say_how_reliable_the_coding_is(site: Datasette) -> None:
    html = page(site, f"/rucas/sources/{EURASIANET}")
    assert html.count('<mark class="rucas-coded"') >= 3
    assert "Coding: " in html, "the article page says its review status"
    assert 'href="/reliability#article-' in html
    assert f'href="/-/review/{EURASIANET}"' in html
    (review,) = fetch(site, f"/-/review/{EURASIANET}")
    assert review.status_code == 200 and "<html" in review.text.lower()


def served_review_page(site: Datasette, source_id: str) -> str:
    (response,) = fetch(site, f"/-/review/{source_id}")
    assert response.status_code == 200, f"{source_id}: {response.status_code} {response.text[:500]}"
    return response.text


def checked_review_page(curated: Path, source_id: str, folder: Path) -> str:
    """The page `rucas check SOURCE_ID --html FILE` writes."""
    page = folder / f"{source_id}.html"
    assert rucas_cli(["check", source_id, "--curated", str(curated), "--html", str(page)]) == 0
    return page.read_text(encoding="utf-8")


def test_the_site_serves_each_seed_articles_review_page_as_rucas_check_writes_it(site: Datasette, curated_dir: Path,
                                                                                  tmp_path: Path, capsys) -> None:
    source_ids = sorted(path.stem for path in (curated_dir / "articles").glob("*.txt"))
    assert len(source_ids) == 5
    for source_id in source_ids:
        assert served_review_page(site, source_id) == checked_review_page(curated_dir, source_id, tmp_path), source_id


def test_the_site_serves_generated_articles_review_pages_as_rucas_check_writes_them(tmp_path: Path, capsys) -> None:
    from rucas.build.pipeline import build
    from test_views import load_generator

    curated = load_generator().generate_corpus(tmp_path / "curated", 12, 5)
    app = datasette_app(build(curated, tmp_path / "out", cache=False).output_dir)
    source_ids = sorted(path.stem for path in (curated / "articles").glob("*.txt"))
    assert len(source_ids) == 12
    for source_id in source_ids:
        assert served_review_page(app, source_id) == checked_review_page(curated, source_id, tmp_path), source_id


def test_the_site_takes_as_a_source_id_exactly_what_validation_does() -> None:
    from rucas.build.curate.source_ids import MAX_SOURCE_ID_LENGTH, source_id_problem
    from rucas.build.publish.config_directory import SITE_PLUGIN
    from test_ids_as_paths import ESCAPING_IDS

    spec = importlib.util.spec_from_file_location("rucas_site_under_test", SITE_PLUGIN)  # a file Datasette loads
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    assert plugin.MAX_SOURCE_ID_LENGTH == MAX_SOURCE_ID_LENGTH
    for text in [*ESCAPING_IDS, EURASIANET, "a" * MAX_SOURCE_ID_LENGTH, "a1-b2"]:
        assert plugin._is_source_id(text) == (source_id_problem(text) is None), text


@pytest.mark.parametrize("path", ["/-/review/no-such-article", "/-/review/a--b", "/-/review/-a",
                                  "/-/review/" + "a" * 201, "/-/review/Eurasianet-russia-turns-down-kyrgyzstans-plea"])
def test_a_review_address_that_names_no_article_is_not_found(site: Datasette, path: str) -> None:
    (response,) = fetch(site, path)
    assert response.status_code == 404


def test_actor_pages_lead_to_the_actors_activity(site: Datasette) -> None:
    html = page(site, "/rucas/actors/russia").replace("&amp;", "&")
    assert 'href="/rucas/actor_activity?actor_id=russia"' in html
    assert 'href="/rucas/actor_record?actor_id=russia&from_date=&until_date="' in html


def test_the_front_page_says_what_the_data_covers_counted_from_the_build(site: Datasette, lite) -> None:
    html = page(site, "/")
    articles, events = lite.execute("select (select count(*) from sources), (select count(*) from events)").fetchone()
    assert f"{articles} articles published" in html and f"coded into {events} events" in html
    assert "Not in scope" in html and 'href="/reliability"' in html


def test_the_reliability_page_explains_the_coding_and_lists_alpha_and_adjudications(site: Datasette, lite) -> None:
    html = page(site, "/reliability")
    assert "second coder" in html and "blind" in html and "Krippendorff" in html
    corpus_rows = lite.execute("select count(*) from coding_agreement where scope = 'corpus'").fetchone()[0]
    adjudications = lite.execute("select count(*) from adjudications").fetchone()[0]
    if corpus_rows:
        assert html.count("<tr>") >= corpus_rows and "not enough data" in html
    if adjudications:
        assert f"{adjudications} disagreements" in html
    assert "Review status of each article" in html


def test_the_reliability_page_says_so_when_nothing_is_double_coded_yet(tmp_path: Path) -> None:
    html = page(datasette_app(build_published(tmp_path / "single")), "/reliability")
    assert "No agreement figures yet" in html and "No adjudications yet" in html
