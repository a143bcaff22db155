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
- `?_where=` is arbitrary SQL too: it waits in the same lane, under the same time limit.
- Full-text searches (`?_search=`, `?_search_<column>=`, and the canned queries whose SQL uses MATCH)
  are bounded (SEARCH_CHARACTERS, SEARCH_TERMS, SEARCH_OPERATORS), held to SEARCH_TIME_LIMIT_MS and
  run at most SEARCHES_AT_ONCE at a time, so phrases sent together cannot take every SQL thread.
- The shape of a request is bounded before Datasette reads it (BOUNDS: query-string length, number of
  parameters, filters, `_facet`, `_col`, `_sort`, `_where`): past a bound the answer is 400 and says which.
- Errors that a request's own parameters or path cause (an unknown `_sort` column, a row path with too
  few key values, a non-numeric `_timelimit`, an unknown static file) answer 4xx, with Datasette's
  usual error page, and log one line. This plugin's page replaces Datasette's default one (which
  printed every error's traceback with its local variables, about 60 kB, and turned a 404 into a 500
  when it could not).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import threading
from urllib.parse import parse_qsl

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

CLIENT_ERRORS: tuple[type[BaseException], ...] = (ValueError, KeyError, IndexError, sqlite3.ProgrammingError,
                                                  sqlite3.OperationalError)
"""Exceptions Datasette lets through from parsing a request's parameters or path (int() of a
non-number, a key value missing from a row path) or from running what they ask for on the read-only,
immutable database (too many SQL variables, a full-text query FTS5 cannot parse): the request is at
fault, not the server."""

SEARCHES_AT_ONCE = 2
"""Full-text searches running at the same time; the next waits up to ARBITRARY_SQL_WAIT_SECONDS."""

SEARCH_TIME_LIMIT_MS = 1000
"""The time limit of a search page's query (`_timelimit`; Datasette's sql_time_limit_ms is the most)."""

SEARCH_CHARACTERS = 200
"""The longest full-text query (a search box's phrase, not a text to look up)."""

SEARCH_TERMS = 12
"""Words (and operators) of one full-text query."""

SEARCH_OPERATORS = 4
"""FTS5 operators of one full-text query: AND, OR, NOT, NEAR, a prefix `*`, a column filter `:`, `^`."""

FTS_OPERATOR = re.compile(r"\b(?:AND|OR|NOT|NEAR)\b|[*^:]")


SERVER_BUFFER_BYTES = 16 * 1024
"""What uvicorn's HTTP parser (h11, under `datasette serve`) holds of a request line and headers not yet whole. A
longer request that arrives in pieces, as it may on a busy machine, is refused there (400 "Invalid HTTP request
received.", or the connection closed) before this plugin sees it; one that arrives at once reaches the plugin. The
query string bound keeps every request this plugin lets through well under it, so that whether a request is
served never depends on how its bytes arrived (tests/test_readonly_server.py)."""

BOUNDS: dict[str, int] = {
    "query_string_bytes": 12_000,  # SERVER_BUFFER_BYTES less room for the path and headers; the dashboard's
    # longest chart query, URL-encoded, is about 5,000 bytes
    "parameters": 100,
    "filters": 30,  # parameters without a leading underscore: column filters, a canned query's parameters
    "_facet parameters": 10,  # _facet, _facet_array and _facet_date: each is one more count of the rows
    "_col and _nocol parameters": 60,  # the widest table has fewer columns
    "_where parameters": 5,
    "_sort parameters": 1,  # Datasette sorts by one column
    "_sort_desc parameters": 1,
}
"""What one request may ask for; past any of these it is refused with 400 before Datasette reads it."""

log = logging.getLogger("rucas.limits")


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


def error_status(exception: BaseException) -> tuple[int, str | None]:
    """The status (and title) of the page answering an exception: 4xx when the request is at fault."""
    from datasette.database import QueryInterrupted
    from datasette.utils.asgi import Base400
    from datasette.views.base import DatasetteError

    if isinstance(exception, Base400):
        return exception.status, None
    if isinstance(exception, DatasetteError):  # raised for invalid parameters, with status 500 by default
        return (400 if exception.status == 500 else exception.status), exception.title or "Invalid request"
    if isinstance(exception, QueryInterrupted):
        return 400, "SQL Interrupted"
    if isinstance(exception, CLIENT_ERRORS):
        return 400, "Invalid request"
    return 500, None


async def error_page(datasette, request, exception: BaseException):
    """Datasette's error page (error.html, or JSON for a .json path) for the exception, logged in one
    line; a server error (500) logs its traceback, without local variables."""
    from datasette.utils.asgi import Response
    from markupsafe import Markup

    status, title = error_status(exception)
    message = getattr(exception, "message", None) or (exception.args[0] if exception.args else "") \
        or type(exception).__name__
    if getattr(exception, "message_is_html", False):
        message = Markup(message)  # Datasette's own "took too long" message, its SQL escaped
    where = f"{request.method} {request.path}"
    if status >= 500:
        log.error("rucas: %s %s: %s", status, where, type(exception).__name__, exc_info=exception)
    else:
        log.warning("rucas: %s %s: %s", status, where, " ".join(str(message).split())[:200])
    info = {"ok": False, "error": message, "status": status, "title": title}
    if request.path.endswith(".json"):
        return Response.json({**info, "error": str(message)}, status=status)
    template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
    html = await template.render_async({**info, "urls": datasette.urls, "app_css_hash": datasette.app_css_hash(),
                                        "menu_links": lambda: []})
    return Response.html(html, status=status)


@hookimpl(hookwrapper=True)
def handle_exception(datasette, request, exception):
    """Every error page is this plugin's: the answers of other handlers (Datasette's default among
    them) are discarded unawaited, so none prints a traceback or fails on a 404."""
    outcome = yield
    for answer in outcome.get_result():
        close = getattr(answer, "close", None)  # a coroutine never awaited
        if close:
            close()
    outcome.force_result([error_page(datasette, request, exception)])


def search_problem(text: str) -> str | None:
    """Why a full-text query is refused (too long, too many words or operators), or None."""
    if len(text) > SEARCH_CHARACTERS:
        return f"a search may be at most {SEARCH_CHARACTERS} characters long (this one has {len(text)})"
    if len(text.split()) > SEARCH_TERMS:
        return f"a search may have at most {SEARCH_TERMS} words (this one has {len(text.split())})"
    operators = len(FTS_OPERATOR.findall(text))
    if operators > SEARCH_OPERATORS:
        return (f"a search may use at most {SEARCH_OPERATORS} operators (AND, OR, NOT, NEAR, *, ^, :); "
                f"this one uses {operators}")
    return None


def request_problem(query_string: bytes, bounds: dict[str, int] = BOUNDS) -> str | None:
    """Why a request's parameters are more than one page may ask for, or None if they are within BOUNDS."""
    if len(query_string) > bounds["query_string_bytes"]:
        return (f"the query string may be at most {bounds['query_string_bytes']:,} bytes "
                f"(this one has {len(query_string):,})")
    names = [name for name, _ in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)]
    counts = {
        "parameters": len(names),
        "filters": sum(not name.startswith("_") for name in names),
        "_facet parameters": sum(name in ("_facet", "_facet_array", "_facet_date") for name in names),
        "_col and _nocol parameters": sum(name in ("_col", "_nocol") for name in names),
        "_where parameters": names.count("_where"),
        "_sort parameters": names.count("_sort"),
        "_sort_desc parameters": names.count("_sort_desc"),
    }
    for what, count in counts.items():
        if count > bounds[what]:
            return f"a request may have at most {bounds[what]} {what} (this one has {count})"
    return None


def _without_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def search_queries(datasette) -> set[str]:
    """Paths (without format) of the canned queries whose SQL runs a full-text MATCH on a parameter."""
    found = set()
    for database, config in ((datasette.metadata() or {}).get("databases") or {}).items():
        for name, query in (config.get("queries") or {}).items():
            sql = query.get("sql", "") if isinstance(query, dict) else str(query)
            if re.search(r"\bMATCH\s*\(?\s*[:(]", _without_comments(sql), re.IGNORECASE):
                found.add(f"/{database}/{name}")
    return found


def searched_texts(path: str, parameters: list[tuple[str, str]], searching: set[str]) -> list[str]:
    """The full-text queries a request asks for: its `_search` parameters, and every named parameter of a
    canned query that searches."""
    texts = [value for name, value in parameters if name == "_search" or name.startswith("_search_")]
    if path.rsplit(".", 1)[0] in searching:
        texts += [value for name, value in parameters if not name.startswith("_")]
    return texts


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


def _arbitrary_sql(parameters: list[tuple[str, str]], known: list[re.Pattern[str]]) -> bool:
    """Whether a request runs SQL of its own: `?sql=` other than a dashboard chart's, or `?_where=`."""
    names = {name for name, _ in parameters}
    sql = [value for name, value in parameters if name == "sql"]
    return "_where" in names or (bool(sql) and not any(pattern.fullmatch(sql[0]) for pattern in known))


async def _refuse(send, status: int, message: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"ok": False, "status": status, "error": message})
    await Response(body, status=status, headers=headers or {},
                   content_type="application/json; charset=utf-8").asgi_send(send)


def _with_time_limit(query_string: bytes, milliseconds: int) -> bytes:
    """The query string with `_timelimit` at most `milliseconds` (a smaller one asked for is kept)."""
    parameters = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    asked = [value for name, value in parameters if name == "_timelimit"]
    if asked and asked[-1].isdigit() and int(asked[-1]) <= milliseconds:
        return query_string
    kept = [part for part in query_string.split(b"&") if part and not part.startswith(b"_timelimit=")]
    return b"&".join([*kept, f"_timelimit={milliseconds}".encode()])


@hookimpl
def asgi_wrapper(datasette):
    lanes = {"sql": (asyncio.Semaphore(ARBITRARY_SQL_AT_ONCE), "SQL queries"),
             "search": (asyncio.Semaphore(SEARCHES_AT_ONCE), "searches")}
    known: list[list[re.Pattern[str]]] = []
    searching: list[set[str]] = []

    def wrap(app):
        async def guarded(scope, receive, send):
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            if scope.get("method", "GET") not in READ_METHODS:
                await _refuse(send, 405, "This site is read-only: use GET (query with ?sql= or a canned query's URL).",
                              {"Allow": ", ".join(sorted(READ_METHODS))})
                return
            query_string = scope.get("query_string", b"")
            if problem := request_problem(query_string):
                log.warning("rucas: 400 %s %s: %s", scope.get("method"), scope.get("path"), problem)
                await _refuse(send, 400, f"Invalid request: {problem}.")
                return
            if not known:
                queries = _queries_in(datasette.plugin_config("datasette-dashboards") or {})
                known.append([_query_pattern(query) for query in sorted(queries)])
                searching.append(search_queries(datasette))
            parameters = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
            texts = searched_texts(scope.get("path", ""), parameters, searching[0])
            for text in texts:
                if problem := search_problem(text):
                    log.warning("rucas: 400 %s %s: %s", scope.get("method"), scope.get("path"), problem)
                    await _refuse(send, 400, f"Invalid request: {problem}.")
                    return
            if _arbitrary_sql(parameters, known[0]):
                lane = "sql"
            elif any(texts):
                lane = "search"
                scope = {**scope, "query_string": _with_time_limit(query_string, SEARCH_TIME_LIMIT_MS)}
            else:
                await app(scope, receive, send)
                return
            semaphore, what = lanes[lane]
            try:
                await asyncio.wait_for(semaphore.acquire(), ARBITRARY_SQL_WAIT_SECONDS)
            except TimeoutError:
                await _refuse(send, 429, f"Too many {what} are waiting: try again in a few seconds.",
                              {"Retry-After": "5"})
                return
            try:
                await app(scope, receive, send)
            finally:
                semaphore.release()

        return guarded

    return wrap
