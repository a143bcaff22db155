"""Every table and view page of the site reads at 1280 px: nothing wider than the window (the page or its
table), and the columns that identify a row (a table's primary key, a view's `-- key:` columns) on screen."""

from __future__ import annotations

import pytest
from rucas.queries import view_files
from rucas.schema import table_specs
from test_browser import CHROMIUM, browser, curated_server, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium")]

PAGES = [(spec.name, list(spec.primary_key)) for spec in table_specs()] + [(v.name, list(v.key)) for v in view_files()]

WIDTHS = """() => ({page: document.documentElement.scrollWidth,
  tables: [...document.querySelectorAll('.table-wrapper')].map(e => e.scrollWidth - e.clientWidth)})"""


@pytest.mark.parametrize("name,key", PAGES, ids=[name for name, _ in PAGES])
def test_the_page_reads_at_1280_px_with_its_key_columns_visible(curated_server: str, page, name: str,  # noqa: F811
                                                               key: list[str]) -> None:
    page.goto(f"{curated_server}/rucas/{name}")
    widths = page.evaluate(WIDTHS)
    assert widths["page"] <= 1280, f"/rucas/{name} is {widths['page']} px wide"
    assert all(extra <= 0 for extra in widths["tables"]), f"/rucas/{name}: the table scrolls sideways {widths}"
    if page.locator("table.rows-and-columns tbody tr").count():
        for column in key:
            header = page.locator(f"table.rows-and-columns th[data-column='{column}']")
            assert header.count() == 1 and header.is_visible(), f"/rucas/{name}: key column {column} not shown"
            box = header.bounding_box()
            assert box["x"] + box["width"] <= 1280, f"/rucas/{name}: key column {column} off screen"
