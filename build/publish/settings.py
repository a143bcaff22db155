"""The Datasette settings RUCAS is served with (settings.json), and the name Datasette gives its database."""

from __future__ import annotations

DATABASE_NAME = "rucas"
"""Datasette names a database after its file: rucas.db."""

SETTINGS: dict[str, int | bool] = {
    "sql_time_limit_ms": 2000,
    "max_returned_rows": 2000,
    "facet_time_limit_ms": 500,
    "default_page_size": 50,
    "suggest_facets": False,
    "allow_download": True,
    "num_sql_threads": 10,
}
"""Datasette settings, chosen deliberately (the README's Datasette section says why):
sql_time_limit_ms 2000 stops a runaway ?sql= query within two seconds on a 2-core machine while leaving
room (twice the default) for full-text search and the view joins on a large corpus; max_returned_rows 2000
bounds one JSON, CSV or HTML response (the dashboard queries aggregate and stay far below it; a canned query's
HTML page reads default_page_size rows and one more: metadata.canned_query_sql, rucas_rows_shown.py);
facet_time_limit_ms 500 gives the facets of the events table more room than the 200 ms default;
num_sql_threads 10 (three by default) so that a few slow queries, each held to the time limit,
leave threads free for every other page; suggest_facets off, because each table's facets are chosen (Display in schema/tables.py) and suggesting more tried every column (2.3 of the
2.7 s of the events page at 10k generated articles); pages of 50 rows keep long evidence texts readable; the immutable database file may be downloaded whole."""
