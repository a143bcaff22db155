"""Datasette plugin (loaded by `rucas serve` with --plugins-dir): how a page reads the database, so that
table, facet and search pages of a large corpus stay fast.

- Every SQLite connection reads the file through a memory map (MMAP_BYTES). The database is served
  immutable, so the mapping never goes stale. Measured on a 100,000-article build (3.4 GB): counting
  the 66,000 articles a search matches took 70 ms through SQLite's page cache and 32 ms mapped (each
  match is a lookup of its row by rowid); a search page's facets and rows gain about as much.
- A facet that a table shows anyway (its "facets" in metadata.json) is counted once: Datasette 0.65
  counts and shows it a second time when a request also asks for it with `?_facet=`, and on a table of
  600,000 events each count reads 600,000 index entries (about 50 ms). The request's repeated
  `_facet` is dropped before Datasette sees it; the page is the same, without the duplicate box.
- A full-text search of a table (`?_search=`) shows its matching rows and their count, and the facets
  it is asked for (`?_facet=`, or a column's "Facet by this"), not the table's own facets unasked: a
  common word matches tens of thousands of rows at 100,000 articles (13% of the statements, 66% of the
  articles), and each facet of the matches costs 55 to 300 ms there, so one unasked facet alone took a
  search page over 250 ms. The request gets `_nofacet=1` before Datasette sees it.
"""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import unquote_plus

from datasette import hookimpl

MMAP_BYTES = 1 << 40
"""Bytes of the database file each connection maps. SQLite caps it at its compile-time maximum (2 GiB
for Python's bundled SQLite): the first 2 GiB of the file (tables and indexes) are read from the map,
the rest through the page cache."""

TABLE_PATH = re.compile(r"^/(?P<database>[^/]+)/(?P<table>[^/.]+)(?:\.\w+)?$")
"""A table page's path: /<database>/<table>, with an optional format (.json, .csv)."""


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")


def without_shown_facets(query_string: bytes, shown: set[str]) -> bytes:
    """The query string without the `_facet=<column>` parameters whose column is in `shown` (the table's
    own facets); every other parameter is kept as it was, in order."""
    kept = []
    for part in query_string.split(b"&"):
        name, _, value = part.partition(b"=")
        if unquote_plus(name.decode("latin-1")) == "_facet" and unquote_plus(value.decode("latin-1")) in shown:
            continue
        kept.append(part)
    return b"&".join(kept)


def shown_facets(datasette, path: str) -> set[str]:
    """The facets metadata.json gives the table at `path` (none for any other page)."""
    match = TABLE_PATH.match(path)
    if not match:
        return set()
    facets = datasette.metadata("facets", database=match["database"], table=match["table"], fallback=False)
    return {facet for facet in facets or () if isinstance(facet, str)}


def parameter_names(query_string: bytes) -> set[str]:
    """The names of the parameters of a query string."""
    return {unquote_plus(part.partition(b"=")[0].decode("latin-1")) for part in query_string.split(b"&") if part}


def search_without_unasked_facets(query_string: bytes) -> bytes:
    """A search request (`_search`, or `_search_<column>`) that asks for no facet gets `_nofacet=1`."""
    names = parameter_names(query_string)
    searched = any(name == "_search" or name.startswith("_search_") for name in names)
    if searched and not any(name.startswith("_facet") for name in names) and "_nofacet" not in names:
        return query_string + b"&_nofacet=1"
    return query_string


@hookimpl
def asgi_wrapper(datasette):
    """Requests for a table page lose the `_facet` parameters that repeat the table's own facets, and a
    search that asks for no facet is answered without the table's own."""

    def wrap(app):
        async def read_lightly(scope, receive, send):
            query_string = scope.get("query_string", b"") if scope["type"] == "http" else b""
            if b"_search" in query_string and TABLE_PATH.match(scope.get("path", "")):
                query_string = search_without_unasked_facets(query_string)
            if b"_facet=" in query_string:
                shown = shown_facets(datasette, scope.get("path", ""))
                if shown:
                    query_string = without_shown_facets(query_string, shown)
            if scope["type"] == "http" and query_string != scope.get("query_string", b""):
                scope = {**scope, "query_string": query_string}
            await app(scope, receive, send)

        return read_lightly

    return wrap
