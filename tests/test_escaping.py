"""Text curated into the dataset reaches every page as text: a script in a name, summary, alias, note or URL
never runs, on the dashboard (its map popups and charts), on the table, row, event, actor and article
pages, on a query's page or in a review page.

A corpus whose free-text fields carry script payloads is built and served by `rucas serve` on 127.0.0.1,
and Debian's Chromium (headless, through Playwright) opens each page, clicks what can be clicked and
checks that window.__xss was never set and that the payload is shown as its characters.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from conftest import MINIMAL_CORPUS
from test_browser import CHROMIUM, free_port, wait_until_serving

from rucas.build.review_page.render import ReviewInput, render_review_page

IMG = "<img src=x onerror=window.__xss=1>"
SCRIPT = '"><script>window.__xss=1</script>'
JAVASCRIPT_URL = "javascript:window.__xss=1"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="browser tests need Debian's Chromium at /usr/bin/chromium: apt-get install chromium"),
]

EVENT_ID = "kyrgyzstan-asks-russia-for-troops-2010-06-12"
ACTOR_ID = "kyrgyzstan-interim-government"
SOURCE_ID = "eurasianet-russia-turns-down-kyrgyzstans-plea"


def hostile_corpus(target: Path) -> Path:
    """The minimal corpus with a script in a location name, an event summary and note, an actor's name,
    alias and description, and an article's note."""
    curated = shutil.copytree(MINIMAL_CORPUS, target)
    (annotation_path,) = (curated / "annotations").glob("*.yaml")
    annotation = yaml.safe_load(annotation_path.read_text(encoding="utf-8"))
    annotation["source"]["note"] = f"Article note {SCRIPT}"
    event = next(event for event in annotation["events"] if event["event_id"] == EVENT_ID)
    event["location"] = {"name": f"Osh {IMG}", "country_iso3": "KGZ", "latitude": 40.53, "longitude": 72.8,
                         "precision": "settlement", "note": f"Location note {SCRIPT}"}
    event["summary"] = f"Otunbayeva appeals {IMG} for troops {SCRIPT}"
    event["note"] = f"Event note {IMG}"
    annotation_path.write_text(yaml.safe_dump(annotation, allow_unicode=True, sort_keys=False), encoding="utf-8")
    actors_path = curated / "reference" / "actors.yaml"
    actors = yaml.safe_load(actors_path.read_text(encoding="utf-8"))
    actor = next(actor for actor in actors if actor["actor_id"] == ACTOR_ID)
    actor["name"] = f"Interim government {IMG}"
    actor["aliases"] = [*actor.get("aliases", []), f"Alias {SCRIPT}"]
    actor["description"] = f"Description {IMG}"
    actors_path.write_text(yaml.safe_dump(actors, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return curated


@pytest.fixture(scope="module")
def hostile_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of hostile_corpus (by a `rucas build` process: Playwright's event loop may run in this one),
    whose article then has a `javascript:` URL written into rucas.db (validation refuses one in the
    curated files; the pages must not link it even so)."""
    tmp = tmp_path_factory.mktemp("escaping")
    curated = hostile_corpus(tmp / "curated")
    subprocess.run([sys.executable, "-m", "rucas.build.cli", "build", "--curated", str(curated),
                    "--output", str(tmp / "output"), "--quiet"], check=True, timeout=300)
    with sqlite3.connect((tmp / "output" / "rucas.db").resolve()) as con:
        con.execute("update sources set url = ?", (JAVASCRIPT_URL,))
    return tmp / "output"


@pytest.fixture(scope="module")
def hostile_server(hostile_output: Path) -> Iterator[str]:
    """`rucas serve` of the hostile build on a free port of 127.0.0.1; yields its base URL."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "rucas.build.cli", "serve", "--output", str(hostile_output),
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

    from test_browser import CHROMIUM_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    """A fresh page at 1280 px; every dialog (alert, confirm) it opens is recorded in page.dialogs."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.set_default_timeout(15_000)
    yield page
    context.close()


def assert_no_script_ran(page) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined", f"a payload ran on {page.url}"
    assert page.dialogs == []


def test_a_script_in_a_location_name_shows_as_text_in_the_dashboard_map_popup(hostile_server: str, page,
                                                                             artifacts_dir: Path) -> None:
    page.goto(hostile_server + "/-/dashboards/overview")
    page.wait_for_selector("#chart-timeline canvas, #chart-timeline svg")
    page.wait_for_selector("#chart-requests canvas, #chart-requests svg")
    markers = page.locator("#chart-map .leaflet-marker-icon")
    markers.first.wait_for()
    for index in range(markers.count()):
        markers.nth(index).click()
        popup = page.locator("#chart-map .leaflet-popup-content")
        popup.wait_for()
        assert IMG in popup.inner_text()
        assert popup.locator("img").count() == 0
    for chart in ("timeline", "requests"):  # their tooltips: hover over every part of each chart
        box = page.locator(f"#chart-{chart} canvas, #chart-{chart} svg").first.bounding_box()
        for x in range(0, int(box["width"]), 30):
            for y in range(0, int(box["height"]), 20):
                page.mouse.move(box["x"] + x, box["y"] + y)
    assert_no_script_ran(page)
    markers.first.click()
    page.screenshot(path=str(artifacts_dir / "escaping-dashboard-map-popup.png"), full_page=True)


def test_a_script_in_a_location_name_shows_as_text_in_the_events_table_cluster_map(hostile_server: str,
                                                                                  page) -> None:
    page.goto(hostile_server + "/rucas/events")
    marker = page.locator(".leaflet-container .leaflet-marker-icon, .leaflet-container .marker-cluster").first
    marker.wait_for()
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert IMG in popup.inner_text() and popup.locator("img").count() == 0
    assert_no_script_ran(page)


PAGES = {
    "event page": (f"/rucas/events/{EVENT_ID}", [IMG, SCRIPT]),
    "actor page": (f"/rucas/actors/{ACTOR_ID}", [IMG]),
    "article page": (f"/rucas/sources/{SOURCE_ID}", [SCRIPT]),
    "events table": ("/rucas/events", [IMG]),
    "actors table": ("/rucas/actors", [IMG]),
    "actor aliases table": ("/rucas/actor_aliases", [SCRIPT]),
    "a view": ("/rucas/assistance_timeline", [IMG]),
    "search": ("/rucas/search?q=Otunbayeva", [IMG]),
    "full-text search of a table": ("/rucas/events?_search=Otunbayeva", [IMG]),
    "a query of the values": ("/rucas?sql=" + quote("select location_name, summary, note from events"), [IMG]),
    "a query's map": ("/rucas?sql=" + quote(f"select '{IMG}' as name, '{{\"link\": \"{JAVASCRIPT_URL}\", "
                                            f"\"title\": \"click\"}}' as popup, 40.5 as latitude, 72.8 as longitude"),
                      [IMG]),
}


@pytest.mark.parametrize("path, shown", PAGES.values(), ids=PAGES.keys())
def test_a_script_in_a_curated_value_shows_as_text_on_the_page(path: str, shown: list[str], hostile_server: str,
                                                               page) -> None:
    response = page.goto(hostile_server + path)
    assert response.status == 200, path
    page.wait_for_load_state("load")
    text = page.inner_text("body")
    for payload in shown:
        assert payload in text, f"{payload!r} is not shown as text on {path}"
    for link in page.locator("a[href^='javascript:' i]").all():
        pytest.fail(f"{path} links to {link.get_attribute('href')}")
    for details in page.locator("details").all():
        details.evaluate("d => d.open = true")
    marker = page.locator(".leaflet-container .leaflet-marker-icon, .leaflet-container .marker-cluster")
    if marker.count():
        marker.first.click()
        for link in page.locator(".leaflet-popup-content a").all():
            link.click()
    assert_no_script_ran(page)


def test_an_article_url_that_is_not_a_web_address_is_not_linked(hostile_server: str, page) -> None:
    page.goto(f"{hostile_server}/rucas/sources/{SOURCE_ID}")
    assert page.get_by_role("link", name="published original").count() == 0
    page.goto(f"{hostile_server}/rucas/events/{EVENT_ID}")
    assert page.get_by_role("link", name="published original").count() == 0


def test_a_review_page_shows_a_script_in_every_value_as_text(hostile_server: str, page) -> None:
    response = page.goto(f"{hostile_server}/-/review/{SOURCE_ID}")
    assert response.status == 200
    served = response.text()
    assert "<img src=x" not in served and "<script>window" not in served
    assert served.count("&lt;img src=x onerror=window.__xss=1&gt;") >= 3  # the summary, the place, the actor's name
    text = page.inner_text("body")
    assert f"Otunbayeva appeals {IMG} for troops {SCRIPT}" in text and f"Osh {IMG}" in text
    assert f"Interim government {IMG}" in text
    assert_no_script_ran(page)


def test_a_review_page_escapes_every_value_it_is_given() -> None:
    row = {"evidence_start": 0, "evidence_end": 4, "summary": IMG, "event_type": SCRIPT, "modality": IMG,
           "event_id": SCRIPT, "location_name": IMG, "note": SCRIPT, "fatalities": IMG}
    html = render_review_page(ReviewInput(source_id=SCRIPT, text="text", body=None,
                                          tables={"events": [row]}, actor_names={}),
                              title=IMG, subtitle=SCRIPT)
    assert "<script>" not in html and "<img" not in html
