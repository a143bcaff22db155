"""A person in a real browser can explore the dataset: pages, facets, foreign keys, search, dashboard, map.

Drives Debian's Chromium (apt-get install chromium) headless through Playwright against `rucas serve`
started on 127.0.0.1 by the fixture. Screenshots go to tests/artifacts/. Leaflet's map tiles come from
the internet and do not load here; markers are drawn by local JavaScript and are what the tests check.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from test_datasette import build_published

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="browser tests need Debian's Chromium at /usr/bin/chromium: apt-get install chromium"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"rucas serve exited with {process.returncode}: {process.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"rucas serve did not answer {url} within {seconds} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`rucas serve` on a free port of 127.0.0.1 over a fresh build; yields its base URL."""
    output = build_published(tmp_path_factory.mktemp("browser"))
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "rucas.build.cli", "serve", "--output", str(output),
                                "--port", str(port)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{base}/-/versions.json", process)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def curated_server(tmp_path_factory: pytest.TempPathFactory, curated_dir: Path) -> Iterator[str]:
    """`rucas serve` on a free port of 127.0.0.1 over a build of the curated corpus; yields its base URL.
    (Built by a `rucas build` process: Playwright's event loop may already run in this one.)"""
    output_dir = tmp_path_factory.mktemp("browser-curated")
    subprocess.run([sys.executable, "-m", "rucas.build.cli", "build", "--curated", str(curated_dir),
                    "--output", str(output_dir), "--quiet"], check=True, timeout=300)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "rucas.build.cli", "serve", "--output", str(output_dir),
                                "--port", str(port)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{base}/-/versions.json", process)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    """A fresh page that records uncaught JavaScript errors in page.errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_home_page_names_the_dataset_and_links_its_database(server: str, page, artifacts_dir: Path) -> None:
    page.goto(server + "/")
    assert page.title().startswith("RUCAS")
    assert "CC-BY-4.0" in page.inner_text("body")
    page.locator("a[href='/rucas']").first.click()
    page.wait_for_url("**/rucas")
    assert page.locator("a[href='/rucas/events']").count() == 1
    page.goto(server + "/")
    page.screenshot(path=str(artifacts_dir / "datasette-home.png"), full_page=True)


def test_clicking_an_event_type_facet_keeps_only_those_events(server: str, page, artifacts_dir: Path) -> None:
    page.goto(server + "/rucas/events")
    assert page.locator("table.rows-and-columns tbody tr").count() == 2
    assert page.locator("dl.column-descriptions").bounding_box()["height"] < 200, "column descriptions too tall"
    page.locator(".facet-info[data-column='event_type'] a", has_text="REQUEST").click()
    page.wait_for_url("**event_type=REQUEST**")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == 1
    assert "REQUEST" in rows.first.inner_text()
    page.screenshot(path=str(artifacts_dir / "datasette-events-facet.png"), full_page=True)


def test_following_a_speakers_foreign_key_opens_the_actor(server: str, page, artifacts_dir: Path) -> None:
    page.goto(server + "/rucas/statements")
    link = page.locator("td.col-speaker_id a").first
    assert "Natalya Timakova" in link.inner_text()
    link.click()
    page.wait_for_url("**/rucas/actors/natalya-timakova")
    assert "Natalya Timakova" in page.locator("table.rucas-record-table").inner_text()
    page.screenshot(path=str(artifacts_dir / "datasette-actor.png"), full_page=True)


def test_searching_article_bodies_from_the_sources_page(server: str, page, artifacts_dir: Path) -> None:
    page.goto(server + "/rucas/sources")
    page.fill("input[name='_search']", "Osh")
    page.press("input[name='_search']", "Enter")
    page.wait_for_url("**_search=Osh**")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == 1
    assert "Russia Turns Down Kyrgyzstan" in rows.first.inner_text()
    page.goto(server + "/rucas/sources?_search=zyzzyva")
    assert page.locator("table.rows-and-columns tbody tr").count() == 0
    page.goto(server + "/rucas/statements?_search=internal+conflict")
    assert page.locator("table.rows-and-columns tbody tr").count() == 1
    page.screenshot(path=str(artifacts_dir / "datasette-search.png"), full_page=True)


def test_canned_search_of_statement_evidence_from_its_form(server: str, page, artifacts_dir: Path) -> None:
    page.goto(server + "/rucas/search_statement_evidence")
    page.fill("input[name='q']", "conditions")
    page.locator("form.sql input[type='submit']").click()
    page.wait_for_url("**q=conditions**")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == 1
    assert "Natalya Timakova" in rows.first.inner_text()
    page.screenshot(path=str(artifacts_dir / "datasette-canned-search.png"), full_page=True)


CANVAS_HAS_INK = """canvas => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; }
  return false;
}"""


def _chart_drawn(page, slug: str) -> bool:
    chart = page.locator(f"#chart-{slug}")
    canvas, svg = chart.locator("canvas"), chart.locator("svg")
    if canvas.count():
        box = canvas.first.bounding_box()
        return bool(box and box["width"] > 0 and box["height"] > 0 and canvas.first.evaluate(CANVAS_HAS_INK))
    return svg.count() > 0 and svg.first.locator("path, rect, text").count() > 0


def test_dashboard_draws_counts_charts_and_map(server: str, page, artifacts_dir: Path) -> None:
    page.goto(server + "/-/dashboards/overview")
    page.wait_for_selector("#chart-timeline canvas, #chart-timeline svg")
    page.wait_for_selector("#chart-requests canvas, #chart-requests svg")
    page.wait_for_selector("#chart-map .leaflet-marker-icon")
    page.wait_for_timeout(500)
    assert _chart_drawn(page, "timeline")
    assert _chart_drawn(page, "requests")
    assert page.locator("#chart-events p").inner_text() == "2"
    assert page.locator("#chart-sources p").inner_text() == "1"
    assert page.locator("#chart-map .leaflet-marker-icon").count() == 1
    assert page.errors == []
    page.screenshot(path=str(artifacts_dir / "datasette-dashboard.png"), full_page=True)


def test_dashboard_filter_narrows_the_map(server: str, page) -> None:
    page.goto(server + "/-/dashboards/overview?event_type=REJECT")
    page.wait_for_selector("#chart-timeline canvas, #chart-timeline svg")
    page.wait_for_timeout(500)
    assert page.locator("#chart-map .leaflet-marker-icon").count() == 0


def test_events_table_shows_a_cluster_map_with_the_event_marker(server: str, page, artifacts_dir: Path) -> None:
    page.goto(server + "/rucas/events")
    marker = page.locator(".leaflet-container .leaflet-marker-icon, .leaflet-container .marker-cluster")
    marker.first.wait_for()
    assert marker.count() == 1
    page.screenshot(path=str(artifacts_dir / "datasette-cluster-map.png"), full_page=True)


# --- journeys through the curated corpus -----------------------------------------------------------------

REFUSAL_TITLE = "Russia declines to send troops or give immediate military assistance to Kyrgyzstan"
"""The summary of Russia's refusal of Kyrgyzstan's plea, 12 June 2010."""


def assert_refusal_page_with_its_reasons(page) -> None:
    """The page open is the event page of Russia's refusal, showing the reasons and who said what."""
    record = page.locator("article.rucas-record")
    assert REFUSAL_TITLE in record.locator("h1").inner_text()
    reasons = record.locator("ul.rucas-conditions").inner_text()
    assert "legal_mandate" in reasons and "in accordance with the UN Charter" in reasons
    assert "after consultations with all members of [the CSTO]" in reasons
    assert "Natalya Timakova" in record.locator("ul.rucas-claims").inner_text()
    assert "Russia Turns Down Kyrgyzstan" in record.locator(".rucas-article-link").inner_text()


def fits_the_window(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_two_clicks_from_the_front_page_reach_russias_refusal_of_kyrgyzstan_and_its_reasons(
        curated_server: str, page, artifacts_dir: Path) -> None:
    page.goto(curated_server + "/")
    page.screenshot(path=str(artifacts_dir / "site-front-page.png"), full_page=True)
    page.get_by_role("link", name="When did Russia (or anyone) refuse military help, and for what stated reasons?").click()
    page.wait_for_url("**/rucas/refusals")
    assert "in accordance with the UN Charter" in page.locator("table.rows-and-columns").inner_text()
    page.screenshot(path=str(artifacts_dir / "site-refusals.png"), full_page=True)
    page.locator("td.col-event_id a", has_text="russia-refuses-kyrgyz-request-for-troops").first.click()
    page.wait_for_url("**/rucas/events/russia-refuses-kyrgyz-request-for-troops-2010-06-12")
    assert_refusal_page_with_its_reasons(page)
    assert fits_the_window(page), "the event page scrolls sideways at 1280 px"
    assert page.errors == []
    page.screenshot(path=str(artifacts_dir / "site-event-refusal.png"), full_page=True)


def test_one_search_for_refused_from_the_front_page_finds_the_refusal(curated_server: str, page,
                                                                     artifacts_dir: Path) -> None:
    page.goto(curated_server + "/")
    page.fill("input#rucas-q", "refused")
    page.press("input#rucas-q", "Enter")
    page.wait_for_url("**/rucas/search?q=refused")
    first = page.locator("table.rows-and-columns tbody tr").first
    assert "Russia declines" in first.inner_text()
    assert fits_the_window(page), "the search page scrolls sideways at 1280 px"
    page.screenshot(path=str(artifacts_dir / "site-search-refused.png"), full_page=True)
    first.locator("td.col-event_id a").click()
    assert_refusal_page_with_its_reasons(page)


def test_the_article_page_reads_as_an_article(curated_server: str, page, artifacts_dir: Path) -> None:
    page.goto(curated_server + "/rucas/sources/eurasianet-russia-turns-down-kyrgyzstans-plea")
    body = page.locator("div.rucas-body")
    assert body.inner_text().startswith("Russia Turns Down Kyrgyzstan's Plea")
    assert body.bounding_box()["width"] > 600, "the body is squeezed into a narrow column"
    assert not page.locator("details.rucas-boilerplate").first.evaluate("d => d.open"), "boilerplate is folded"
    assert fits_the_window(page)
    page.screenshot(path=str(artifacts_dir / "site-article.png"), full_page=True)


def test_the_events_table_shows_dates_and_summaries_on_the_first_screen(curated_server: str, page,
                                                                       artifacts_dir: Path) -> None:
    page.goto(curated_server + "/rucas/events")
    for column in ("date_earliest", "summary", "evidence"):
        box = page.locator(f"td.col-{column}").first.bounding_box()
        assert box and box["x"] + min(box["width"], 200) <= 1280, f"{column} is off-screen at 1280 px"
    page.screenshot(path=str(artifacts_dir / "site-events-table.png"), full_page=True)


def test_contested_claims_show_both_speakers_and_their_words_side_by_side(curated_server: str, page,
                                                                         artifacts_dir: Path) -> None:
    page.goto(curated_server + "/rucas/contested_claims")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == 2
    first, second = (rows.nth(i).locator("td.col-denying_evidence") for i in (0, 1))
    assert first.bounding_box()["x"] < 1280 and first.inner_text() != second.inner_text()
    page.screenshot(path=str(artifacts_dir / "site-contested-claims.png"), full_page=True)


def test_the_dashboard_of_the_curated_corpus_draws_every_chart(curated_server: str, page, curated_dir: Path,
                                                              artifacts_dir: Path) -> None:
    page.goto(curated_server + "/-/dashboards/overview")
    page.wait_for_selector("#chart-timeline canvas, #chart-timeline svg")
    page.wait_for_selector("#chart-requests canvas, #chart-requests svg")
    page.wait_for_timeout(500)
    assert _chart_drawn(page, "timeline") and _chart_drawn(page, "requests")
    events = sum(len(yaml.safe_load(path.read_text(encoding="utf-8")).get("events") or [])
                 for path in (curated_dir / "annotations").glob("*.yaml"))
    assert page.locator("#chart-events p").inner_text() == str(events)
    # No curated place has coordinates read from an authoritative source: the map says so, and draws nothing.
    page.wait_for_selector("#chart-map >> text=nothing to map")
    assert page.errors == []
    page.screenshot(path=str(artifacts_dir / "site-dashboard.png"), full_page=True)
