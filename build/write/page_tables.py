"""The site's whole-corpus page figures, computed once per build instead of on every request.

A page query that takes no parameter (queries/pages: the front page's coverage, the reliability page's
tables) answers the same for every reader of a build; on a large corpus it reads whole tables (the
coverage's first and last years scan every article, text and all: 0.9 s at 100,000 articles). Each is
stored as the table `_page_<name>` (its rows in the query's order, by rowid) when the SQLite file is
written or patched, and the site reads that table. The queries stay the one definition of the figures.
"""

from __future__ import annotations

import sqlite3

from rucas.queries import SqlFile, page_queries

PRECOMPUTED = ("coverage", "reliability_adjudications", "reliability_articles", "reliability_corpus",
               "review_status_counts", "review_statuses")
"""The page queries without parameters (tests/test_page_tables.py checks that these are exactly those)."""


def page_table(name: str) -> str:
    """The table holding a precomputed page query's rows."""
    return f"_page_{name}"


def precomputed_queries() -> list[SqlFile]:
    """The page queries computed at build time, by name."""
    return [query for query in page_queries() if query.name in PRECOMPUTED]


def write_page_tables(con: sqlite3.Connection) -> None:
    """(Re)compute every precomputed page query into its table; a patched build calls this again, since an
    edit may change any of the figures."""
    for query in precomputed_queries():
        table = page_table(query.name)
        con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute(f"CREATE TABLE {table} AS\n{query.sql.strip().rstrip(';')}")  # rows by rowid in the query's order
