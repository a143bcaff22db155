"""The facets of an unfiltered table or view page are read from the counts the build wrote (_facet_counts),
and are what Datasette itself counts: the same values, counts, order, truncation, labels and links."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from datasette.app import Datasette
from rucas.build.pipeline import build
from rucas.build.publish.serve import config_dir, datasette_app
from rucas.build.publish.settings import DATABASE_NAME, SETTINGS
from rucas.build.write.facet_counts import FACET_COUNTS, faceted_columns
from rucas.queries import view_files

from test_datasette import build_published
from test_views import load_generator

FACETS_PER_REQUEST = 5
"""Facets asked for in one request (rucas_limits allows ten)."""


@pytest.fixture(scope="module", params=["seed data", "generated corpus"])
def published(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder built from the minimal corpus, or from a generated corpus of 120 articles."""
    tmp = tmp_path_factory.mktemp("facet-counts")
    if request.param == "seed data":
        return build_published(tmp)
    return build(load_generator().generate_corpus(tmp / "curated", 120, 3), tmp / "output").output_dir


def site_app(output: Path, database: Path, immutable: bool) -> Datasette:
    """The site as `rucas serve` serves it (metadata, settings, templates, plugins), over `database`. With
    the database mutable, the facet plugin leaves every facet to Datasette, which counts it from the rows:
    Datasette's own computation."""
    config = config_dir(output)
    return Datasette(**({"immutables": [str(database)]} if immutable else {"files": [str(database)]}),
                     metadata=json.loads((config / "metadata.json").read_text(encoding="utf-8")),
                     settings=dict(SETTINGS), template_dir=str(config / "templates"),
                     plugins_dir=str(config / "plugins"))


def facet_pages(app: Datasette, paths: list[str]) -> dict[str, dict]:
    """The JSON of each page (status 200 asserted)."""

    async def get_all() -> dict[str, dict]:
        await app.invoke_startup()
        pages = {}
        for path in paths:
            response = await app.client.get(path)
            assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
            pages[path] = response.json()
        return pages

    return asyncio.run(get_all())


def counted(output: Path) -> dict[str, list[str]]:
    con = sqlite3.connect(f"file:{output / 'rucas.db'}?mode=ro", uri=True)
    try:
        return faceted_columns(con, view_files())
    finally:
        con.close()


def unfiltered_facet_paths(output: Path) -> list[str]:
    """Every faceted table's and view's unfiltered page as it opens, and with each counted column asked for
    (a few per request), at the default facet size, at 2 (truncated) and at the most."""
    paths = []
    for name, columns in counted(output).items():
        paths.append(f"/{DATABASE_NAME}/{name}.json?_size=0")
        for start in range(0, len(columns), FACETS_PER_REQUEST):
            asked = "&".join(f"_facet={column}" for column in columns[start:start + FACETS_PER_REQUEST])
            paths += [f"/{DATABASE_NAME}/{name}.json?_size=0&{asked}{size}"
                      for size in ("", "&_facet_size=2", "&_facet_size=max")]
    return paths


def test_every_table_and_view_with_facets_has_its_counts(published: Path) -> None:
    con = sqlite3.connect(f"file:{published / 'rucas.db'}?mode=ro", uri=True)
    try:
        stored = set(con.execute(f"SELECT DISTINCT table_name, column_name FROM {FACET_COUNTS}").fetchall())
        valued = {(name, column) for name, columns in faceted_columns(con, view_files()).items() for column in columns
                  if con.execute(f'SELECT 1 FROM "{name}" WHERE "{column}" IS NOT NULL LIMIT 1').fetchone()}
    finally:
        con.close()
    assert stored == valued
    assert {"events", "statements", "alliance_context"} <= {name for name, _ in stored}


def test_unfiltered_pages_show_the_facets_datasette_counts(published: Path) -> None:
    paths = unfiltered_facet_paths(published)
    ours = facet_pages(datasette_app(published), paths)
    datasettes = facet_pages(site_app(published, published / "rucas.db", immutable=False), paths)
    for path in paths:
        assert ours[path]["facet_results"] == datasettes[path]["facet_results"], path
    assert any(facet["truncated"] for page in ours.values() for facet in page["facet_results"].values())


def test_an_unfiltered_page_reads_the_counts_and_a_filtered_page_counts_its_rows(published: Path,
                                                                                tmp_path: Path) -> None:
    database = tmp_path / "rucas.db"
    shutil.copyfile(published / "rucas.db", database)
    con = sqlite3.connect(database)
    with con:
        con.execute(f"UPDATE {FACET_COUNTS} SET count = count + 1000 WHERE table_name = 'events'")
    (event_type,) = con.execute("SELECT event_type FROM events LIMIT 1").fetchone()
    con.close()
    app = site_app(published, database, immutable=True)
    whole = f"/{DATABASE_NAME}/events.json?_facet=event_type"
    filtered = f"{whole}&event_type={event_type}"
    pages = facet_pages(app, [whole, filtered])
    assert all(item["count"] > 1000 for item in pages[whole]["facet_results"]["event_type"]["results"])
    assert all(item["count"] < 1000 for item in pages[filtered]["facet_results"]["event_type"]["results"])


def test_a_patch_moves_the_counts_of_the_values_its_rows_hold_as_counting_again_would() -> None:
    from rucas.build.write.facet_counts import FACET_COUNTS_DDL, count_facets, shift_counts

    con = sqlite3.connect(":memory:")
    for statement in FACET_COUNTS_DDL:
        con.execute(statement)
    con.execute("CREATE TABLE events (event_id TEXT PRIMARY KEY, event_type TEXT, year INTEGER)")
    con.executemany("INSERT INTO events VALUES (?, ?, ?)", [("e1", "REQUEST", 2001), ("e2", "REQUEST", 2002),
                                                            ("e3", "AGREE", 2002), ("e4", None, 2003)])
    count_facets(con, {"events": ["event_type", "year"]})
    removed = con.execute("SELECT event_type, year FROM events WHERE event_id IN ('e3', 'e1', 'e4')").fetchall()
    con.execute("DELETE FROM events WHERE event_id IN ('e3', 'e1', 'e4')")
    added = [("e1", "REJECT", 2002), ("e5", "REQUEST", 1999), ("e4", None, 2003)]
    con.executemany("INSERT INTO events VALUES (?, ?, ?)", added)
    for index, column in enumerate(("event_type", "year")):
        shift_counts(con, "events", column, [row[index] for row in removed], [row[index + 1] for row in added])
    shifted = con.execute(f"SELECT * FROM {FACET_COUNTS} ORDER BY 1, 2, 3").fetchall()
    count_facets(con, {"events": ["event_type", "year"]})
    assert shifted == con.execute(f"SELECT * FROM {FACET_COUNTS} ORDER BY 1, 2, 3").fetchall()
    assert ("events", "event_type", "AGREE", 1) not in shifted, "no row holds AGREE any more: its count is gone"
    assert ("events", "event_type", "REQUEST", 2) in shifted
