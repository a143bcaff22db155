"""Datasette plugin (loaded by `rucas serve` with --plugins-dir): an old row address leads to the renamed row.

An id renamed in reference/id_renames.yaml is published in the redirects table (table_name, old_id,
new_id). Datasette answers /<database>/<table>/<old id> with 404, since no row has that id any more; this
plugin answers such an address with a 301 to /<database>/<table>/<new id> (with the same format suffix,
.json or .csv, and query string), following a chain of renames to the id the row has now. An old id is
never a row's id again (rucas release refuses it), so a row that exists is never redirected; the check is
one lookup by the redirects table's primary key, made only for a GET of a short path that has the form of
a row address with an id of the id pattern. The address is built from the database's values, each
percent-encoded. (An asgi_wrapper, not handle_exception: rucas_limits answers every error itself.)
"""

from __future__ import annotations

import re
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils.asgi import Response

MAX_PATH = 400
"""Longer paths are no row address (an id is at most 120 characters)."""
MAX_QUERY = 2000
"""A longer query string is not carried over to the new address (the row is, without it)."""
MAX_HOPS = 20
"""Renames followed from an old id to the current one; a longer chain (or a loop) is answered 404."""
ROW_PATH = re.compile(r"^/(?P<database>[a-z_]{1,40})/(?P<table>[a-z_]{1,40})/(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)"
                      r"(?P<format>\.json|\.csv)?$")
"""A row address of a table keyed by one curator-written id (the id pattern of rucas.schema.tables)."""
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


async def current_id(db, table: str, row_id: str) -> str | None:
    """The id the row once called `row_id` has now, following the redirects table; None when there is none."""
    seen = {row_id}
    current = row_id
    for _ in range(MAX_HOPS):
        rows = (await db.execute("SELECT new_id FROM redirects WHERE table_name = :table AND old_id = :old",
                                 {"table": table, "old": current})).rows
        if not rows:
            return current if current != row_id else None
        current = str(rows[0][0])
        if current in seen or not ID.match(current):
            return None
        seen.add(current)
    return None


async def redirect_location(datasette, path: str, query_string: str) -> str | None:
    """Where an old row address now leads (path and query), or None when `path` is no renamed row's address."""
    match = ROW_PATH.match(path) if len(path) <= MAX_PATH else None
    if match is None or match["database"] not in datasette.databases:
        return None
    db = datasette.get_database(match["database"])
    if not await db.table_exists("redirects"):
        return None
    new_id = await current_id(db, match["table"], match["id"])
    if new_id is None:
        return None
    query = f"?{quote(query_string, safe='=&%+;,/:@!$()*~')}" if query_string and len(query_string) <= MAX_QUERY else ""
    return f"/{quote(match['database'])}/{quote(match['table'])}/{quote(new_id)}{match['format'] or ''}{query}"


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def with_redirects(scope, receive, send):
            if scope.get("type") == "http" and scope.get("method") in ("GET", "HEAD"):
                query = scope.get("query_string", b"").decode("latin-1")
                location = await redirect_location(datasette, scope.get("path", ""), query)
                if location is not None:
                    await Response.redirect(location, status=301).asgi_send(send)
                    return
            await app(scope, receive, send)

        return with_redirects

    return wrap
