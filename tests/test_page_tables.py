"""The site's whole-corpus figures are computed by the build: the same rows as their queries, in cold and
patched builds alike (rucas.build.write.page_tables)."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from rucas.build.pipeline import build
from rucas.build.write.page_tables import (PRECOMPUTED, chart_table, page_table, precomputed_queries,
                                          stored_charts, unfiltered)
from rucas.queries import page_queries

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _takes_no_parameter(con: sqlite3.Connection, sql: str) -> bool:
    try:
        con.execute(sql).fetchall()
    except sqlite3.ProgrammingError:  # "Incorrect number of bindings": the query names a parameter
        return False
    return True


def _figures_match(path: Path) -> None:
    con = sqlite3.connect(path)
    try:
        for query in precomputed_queries():
            stored = con.execute(f"SELECT * FROM {page_table(query.name)} ORDER BY rowid").fetchall()
            assert stored == con.execute(query.sql).fetchall(), query.name
        for query in stored_charts():
            stored = con.execute(f"SELECT * FROM {chart_table(query.name)} ORDER BY rowid").fetchall()
            assert stored == con.execute(unfiltered(query.sql)).fetchall(), query.name
    finally:
        con.close()


def test_the_precomputed_page_queries_are_exactly_those_without_parameters(output_dir: Path) -> None:
    con = sqlite3.connect(output_dir / "rucas.db")
    try:
        assert {q.name for q in page_queries() if _takes_no_parameter(con, q.sql)} == set(PRECOMPUTED)
    finally:
        con.close()


def test_a_cold_build_stores_each_query_s_rows_in_its_order(output_dir: Path) -> None:
    _figures_match(output_dir / "rucas.db")


@pytest.mark.slow
def test_a_patched_build_recomputes_them(tmp_path: Path) -> None:
    from test_views import load_generator

    curated = load_generator().generate_corpus(tmp_path / "curated", 4, seed=3)
    output = tmp_path / "out"
    build(curated, output)
    removed = tmp_path / "removed"
    removed.mkdir()
    annotation = sorted((curated / "annotations").glob("*.yaml"))[-1]
    for path in [annotation, *(curated / "articles").glob(f"{annotation.stem}.*")]:
        shutil.move(path, removed / path.name)  # one article fewer: the coverage's counts change
    report = build(curated, output)
    assert report.patched
    _figures_match(output / "rucas.db")
    con = sqlite3.connect(output / "rucas.db")
    try:
        assert con.execute(f"SELECT articles FROM {page_table('coverage')}").fetchone()[0] == 3
    finally:
        con.close()


def test_the_front_page_and_the_reliability_page_read_the_stored_figures(output_dir: Path) -> None:
    import asyncio

    from rucas.build.publish.serve import datasette_app

    app = datasette_app(output_dir)

    async def pages() -> list[int]:
        await app.invoke_startup()
        return [(await app.client.get(path)).status_code for path in ("/", "/reliability")]

    assert asyncio.run(pages()) == [200, 200]
    con = sqlite3.connect(output_dir / "rucas.db")
    try:
        articles = con.execute(f"SELECT articles FROM {page_table('coverage')}").fetchone()[0]
    finally:
        con.close()

    async def front() -> str:
        return (await app.client.get("/")).text

    assert f"{articles} articles" in asyncio.run(front())
