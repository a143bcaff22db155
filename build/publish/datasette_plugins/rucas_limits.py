"""Datasette plugin (loaded by `rucas serve` with --plugins-dir): bound what one request can cost, and
answer a malformed request with a 4xx instead of a server error.

- Every SQLite connection gets LIMITS (sqlite3.Connection.setlimit): no string or blob longer than
  1 MB, so no single step of a query (zeroblob, hex, replace, group_concat) runs for seconds between
  two of Datasette's time-limit checks (made every 1,000 SQLite steps); short SQL; no ATTACH. printf
  and format refuse a width or precision over that length (SQLite 3.40 would spend the step anyway).
- Arbitrary SQL (`?sql=`, other than the dashboard's own chart queries) runs one query at a time
  (ARBITRARY_SQL_AT_ONCE); the next waits its turn for up to ARBITRARY_SQL_WAIT_SECONDS, then answers
  429. Each query is held to Datasette's time limit, so a flood of slow queries costs at most one core
  and every other page keeps the rest of the machine.
- Only GET, HEAD and OPTIONS reach Datasette: the site is read-only, and a POST (to a table or canned
  query) answers 405 instead of failing inside Datasette.
- Errors that a request's own parameters cause (an unknown `_sort` column, a row path with too few key
  values, a non-numeric `_timelimit`) answer 400, with Datasette's usual error page.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import threading

from datasette import hookimpl
from datasette.utils.asgi import Response

LIMITS: dict[int, int] = {
    sqlite3.SQLITE_LIMIT_LENGTH: 1_000_000,
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 100_000,
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 1_000,
    sqlite3.SQLITE_LIMIT_EXPR_DEPTH: 200,
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 100,
    sqlite3.SQLITE_LIMIT_ATTACHED: 0,
}
"""SQLite run-time limits of every connection. The longest value RUCAS stores (an article's text) is
far below 1 MB; 1 MB bounds the cost of one string or blob operation to about a millisecond."""

PRINTF_SPEC = re.compile(r"%[-+ 0#,!]*(\*|\d+)?(?:\.(\*|\d+))?(%|[a-zA-Z])")
"""One conversion of SQLite's printf: flags, width and precision (a number or `*`, taken from the
arguments), type."""

_builtin = threading.local()

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

ARBITRARY_SQL_AT_ONCE = 1
"""Arbitrary ?sql= queries running at the same time (each stopped at sql_time_limit_ms)."""

ARBITRARY_SQL_WAIT_SECONDS = 10.0
"""How long an arbitrary query waits for its turn before the answer is 429 Too Many Requests."""

CLIENT_ERRORS: tuple[type[BaseException], ...] = (ValueError, KeyError, IndexError, sqlite3.ProgrammingError)
"""Exceptions Datasette lets through from parsing a request's parameters or path (int() of a
non-number, a key value missing from a row path): the request is at fault, not the server."""


def _magnitude(value: object) -> float:
    """How large a width or precision argument is, read as SQLite reads a number (0 if it is none)."""
    try:
        return abs(float(value))
    except (TypeError, ValueError):
        return 0.0


def _checked_printf(name: str):
    """SQLite's printf (or format) with every width and precision bounded by the length limit.

    SQLite 3.40's `%.*c` appends its character once per unit of precision even after the result
    has outgrown the limit: `printf('%.*c', 2000000000, 'x')` is one step of about 45 s that no time
    limit interrupts. This refuses such a width before it starts and otherwise runs SQLite's own
    function (on a private in-memory connection, where the name is not overridden)."""
    most = LIMITS[sqlite3.SQLITE_LIMIT_LENGTH]

    def printf(form: object = None, *arguments: object) -> object:
        if isinstance(form, str):
            remaining = iter(arguments)
            for match in PRINTF_SPEC.finditer(form):
                for size in match.group(1, 2):
                    if size is not None and _magnitude(next(remaining, 0) if size == "*" else size) > most:
                        raise ValueError(f"{name}: a width or precision over {most:,} makes a string too big")
                if match.group(3) != "%":
                    next(remaining, None)
        if not hasattr(_builtin, "connection"):
            _builtin.connection = sqlite3.connect(":memory:", check_same_thread=False)
            for limit, value in LIMITS.items():
                _builtin.connection.setlimit(limit, value)
        placeholders = ", ".join("?" for _ in range(1 + len(arguments)))
        return _builtin.connection.execute(f"select {name}({placeholders})", (form, *arguments)).fetchone()[0]

    return printf


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    setlimit = getattr(conn, "setlimit", None)  # pysqlite3 and sqlean.py connections have none
    for limit, value in LIMITS.items() if setlimit else ():
        setlimit(limit, value)
    for name in ("printf", "format"):
        conn.create_function(name, -1, _checked_printf(name))


def _client_fault(exception: BaseException) -> bool:
    from datasette.views.base import DatasetteError

    if isinstance(exception, DatasetteError):  # raised for invalid parameters, with status 500 by default
        return exception.status == 500
    return isinstance(exception, CLIENT_ERRORS)


@hookimpl
def handle_exception(datasette, request, exception):
    if not _client_fault(exception):
        return None
    from datasette.handle_exception import handle_exception as datasette_error_page
    from datasette.views.base import DatasetteError

    message = getattr(exception, "message", None) or str(exception) or type(exception).__name__
    return datasette_error_page(datasette, request, DatasetteError(message, title="Invalid request", status=400))


def _queries_in(config: object) -> set[str]:
    """Every "query" string in a plugin configuration (the dashboard's charts and filters)."""
    if isinstance(config, dict):
        found = {value for key, value in config.items() if key == "query" and isinstance(value, str)}
        return found.union(*(_queries_in(value) for value in config.values()))
    if isinstance(config, list):
        return set().union(*(_queries_in(value) for value in config))
    return set()


def _query_pattern(query: str) -> re.Pattern[str]:
    """The SQL texts a dashboard sends for `query`: each optional `[[ ... ]]` part kept (without its
    brackets) when its filter is set, or dropped."""
    parts = re.split(r"(\[\[.*?\]\])", query, flags=re.DOTALL)
    return re.compile("".join(f"(?:{re.escape(part[2:-2])})?" if part.startswith("[[") else re.escape(part)
                              for part in parts), re.DOTALL)


def _arbitrary_sql(scope: dict, known: list[re.Pattern[str]]) -> bool:
    from urllib.parse import parse_qs

    sql = parse_qs(scope.get("query_string", b"").decode()).get("sql")
    return bool(sql) and not any(pattern.fullmatch(sql[0]) for pattern in known)


async def _refuse(send, status: int, message: str, headers: dict[str, str]) -> None:
    body = json.dumps({"ok": False, "status": status, "error": message})
    await Response(body, status=status, headers=headers,
                   content_type="application/json; charset=utf-8").asgi_send(send)


@hookimpl
def asgi_wrapper(datasette):
    lane = asyncio.Semaphore(ARBITRARY_SQL_AT_ONCE)
    known: list[list[re.Pattern[str]]] = []

    def wrap(app):
        async def guarded(scope, receive, send):
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            if scope.get("method", "GET") not in READ_METHODS:
                await _refuse(send, 405, "This site is read-only: use GET (query with ?sql= or a canned query's URL).",
                              {"Allow": ", ".join(sorted(READ_METHODS))})
                return
            if not known:
                queries = _queries_in(datasette.plugin_config("datasette-dashboards") or {})
                known.append([_query_pattern(query) for query in sorted(queries)])
            if not _arbitrary_sql(scope, known[0]):
                await app(scope, receive, send)
                return
            try:
                await asyncio.wait_for(lane.acquire(), ARBITRARY_SQL_WAIT_SECONDS)
            except TimeoutError:
                await _refuse(send, 429, "Too many SQL queries are waiting: try again in a few seconds.",
                              {"Retry-After": "5"})
                return
            try:
                await app(scope, receive, send)
            finally:
                lane.release()

        return guarded

    return wrap
