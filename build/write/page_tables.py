"""The site's whole-corpus page figures, computed once per build instead of on every request.

A page query that takes no parameter (queries/pages: the front page's coverage, the reliability page's
tables) answers the same for every reader of a build; on a large corpus it reads whole tables (the
coverage's first and last years scan every article, text and all: 0.9 s at 100,000 articles). Each is
stored as the table `_page_<name>` (its rows in the query's order, by rowid) when the SQLite file is
written or patched, and the site reads that table. The queries stay the one definition of the figures.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping

from rucas.build.write.reads import affected, columns_read
from rucas.build.write.table_change import Changed
from rucas.queries import SqlFile, chart_queries, page_queries, view_files
from rucas.schema import table_specs

PRECOMPUTED = ("coverage", "reliability_adjudications", "reliability_articles", "reliability_corpus",
               "review_status_counts", "review_statuses")
"""The page queries without parameters (tests/test_page_tables.py checks that these are exactly those)."""


def page_table(name: str) -> str:
    """The table holding a precomputed page query's rows."""
    return f"_page_{name}"


def precomputed_queries() -> list[SqlFile]:
    """The page queries computed at build time, by name."""
    return [query for query in page_queries() if query.name in PRECOMPUTED]


STORED_CHARTS = ("count_actors", "count_articles", "count_events", "count_statements", "map", "requests",
                 "timeline")
"""The dashboard's charts (queries/charts, but the filters' option lists): their rows with every filter empty
are computed by the build, since each reads the whole corpus (at 100,000 articles the requests chart took over
Datasette's 2 s limit, the timeline 1.6 s, the map 0.7 s); a filtered chart is computed when asked for."""

_OPTIONAL = re.compile(r"\[\[.*?\]\]", re.DOTALL)
"""A chart's optional clause (datasette-dashboards' `[[ ... :filter ... ]]`), dropped when its filter is empty."""


def chart_table(name: str) -> str:
    """The table holding a chart's rows with every filter empty."""
    return f"_chart_{name}"


def unfiltered(sql: str) -> str:
    """A chart's SQL with every filter empty: its optional clauses dropped, as the dashboard plugin does."""
    return _OPTIONAL.sub("", sql)


def stored_charts() -> list[SqlFile]:
    """The chart queries whose unfiltered rows the build stores, by name."""
    return [query for query in chart_queries() if query.name in STORED_CHARTS]


def write_page_tables(con: sqlite3.Connection, changed: Mapping[str, Changed] | None = None) -> list[str]:
    """Compute every precomputed page query and every stored chart's unfiltered rows into its table; return
    the tables written. A patched build passes what it `changed` (by table and materialised view): a query
    that reads none of it (rucas.build.write.reads) keeps its table, since its rows cannot differ; a corrected
    summary or quote changes none of the figures, a changed date or type most of them."""
    tables = [(page_table(query.name), query.sql) for query in precomputed_queries()]
    tables += [(chart_table(query.name), unfiltered(query.sql)) for query in stored_charts()]
    described = [spec.name for spec in table_specs()] + [view.name for view in view_files()]
    written = []
    for table, sql in tables:
        exists = con.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", (table,)).fetchone()
        if changed is not None and exists and not affected(columns_read(con, sql), changed, described):
            continue
        con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute(f"CREATE TABLE {table} AS\n{sql.strip().rstrip(';')}")  # rows by rowid in the query's order
        written.append(table)
    return written
