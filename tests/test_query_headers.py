"""Every view's and query's description is exactly the prose of its file's header: metadata lines are
recognised by their exact form, and no sentence is lost to them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rucas.queries import (QUERIES_DIR, SqlFile, _read, canned_queries, chart_queries, page_queries, stats_queries,
                           view_files)

METADATA = re.compile(r"^-- (column|columns|key|order|covers|facets|question|example):")
QUERIES = view_files() + canned_queries() + page_queries() + chart_queries() + stats_queries()


def prose_of(path: Path) -> str:
    """The header's comment lines that are not metadata lines, read from the file's text."""
    prose = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("--"):
            break
        if line.startswith("--") and not METADATA.match(line) and line[2:].strip():
            prose.append(line[2:].strip())
    return " ".join(prose)


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: f"{q.path.parent.name}/{q.name}")
def test_every_description_is_the_prose_of_its_header(query: SqlFile) -> None:
    assert query.description == prose_of(query.path)


def test_a_sentence_beginning_with_order_stays_in_the_assistance_timelines_description() -> None:
    (timeline,) = [v for v in view_files() if v.name == "assistance_timeline"]
    assert "with modality denied. Order: earliest date (unknown dates last)" in timeline.description
    assert timeline.order.startswith("date_earliest NULLS LAST")


def test_a_metadata_line_given_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.sql"
    path.write_text("-- What it answers.\n-- key: a\n-- key: b\nSELECT 1 AS a\n", encoding="utf-8")
    with pytest.raises(ValueError, match="second `-- key:`"):
        _read(path)


@pytest.mark.parametrize("view", view_files(), ids=lambda v: v.name)
def test_every_view_declares_a_compact_set_of_columns_holding_its_key(view: SqlFile) -> None:
    assert view.columns, f"{view.path.name}: add a `-- columns: a, b` line (the page's default columns)"
    assert set(view.key) <= set(view.columns), f"{view.path.name}: the compact columns must hold the key {view.key}"


def test_every_sql_file_in_queries_is_read_as_a_query() -> None:
    """No .sql file lies in queries/ outside the folders rucas.queries reads (views, canned, pages, charts, stats)."""
    assert sorted(QUERIES_DIR.rglob("*.sql")) == sorted(query.path for query in QUERIES)


def test_rucas_stats_runs_its_query_from_queries() -> None:
    from rucas.build import stats

    assert not [name for name in vars(stats) if name.endswith("_SQL")]
    assert "FROM sources s" in stats.per_source_sql()
