"""The RUCAS site's Datasette plugin: the build's version and citation on every page, readable tables,
links from ids to their rows, and the event and article pages.

It is self-contained (Datasette and the standard library only): the build copies it into the
configuration directory's plugins/ folder, so that `datasette dataset/datasette` loads it without RUCAS
installed. Everything it knows about the dataset comes from the `rucas-site` plugin configuration in
metadata.json, which rucas.build.publish.site_config generates from schema/ and queries/.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import tilde_encode, urlsafe_components
from markupsafe import Markup, escape

PLUGIN = "rucas-site"

_facts_cache: dict[tuple[str, int], dict[str, str]] = {}


def _config(datasette) -> dict[str, Any]:
    """This plugin's configuration, read from the metadata once per Datasette instance: render_cell asks
    for it for every cell, and Datasette's plugin_config resolves the metadata anew on each call (it was
    most of an HTML page's time: 0.2-0.4 s for 50 rows)."""
    cached = getattr(datasette, "_rucas_site_config", None)
    if cached is None:
        cached = datasette.plugin_config(PLUGIN) or {}
        datasette._rucas_site_config = cached
    return cached


def build_facts(datasette) -> dict[str, str]:
    """Version and build time of the build being served, read from the manifest.json beside its database
    (the build time is the manifest's modification time: the manifest's bytes stay reproducible)."""
    database = datasette.databases.get(_config(datasette).get("database", ""))
    if database is None or not database.path:
        return {}
    manifest = Path(database.path).resolve().parent / "manifest.json"
    try:
        stat = manifest.stat()
    except OSError:
        return {}
    key = (str(manifest), stat.st_mtime_ns)
    if key not in _facts_cache:
        version = json.loads(manifest.read_text(encoding="utf-8")).get("version", "")
        built = datetime.datetime.fromtimestamp(stat.st_mtime, tz=datetime.UTC)
        _facts_cache.clear()
        _facts_cache[key] = {"version": version, "built": built.strftime("%Y-%m-%d %H:%M UTC")}
    return _facts_cache[key]


def stale_build(datasette) -> dict[str, Any]:
    """{"newer_build": {version, built}} when the output folder's current build (.builds/current, swapped by
    `rucas build`) is not the one this server opened; {} otherwise. A running server keeps serving the
    build it started with, so every page says so and how to serve the new one."""
    database = datasette.databases.get(_config(datasette).get("database", ""))
    if database is None or not database.path:
        return {}
    served = Path(database.path).resolve().parent
    current = served.parent / "current"
    if served.parent.name != ".builds" or not current.exists() or current.resolve() == served:
        return {}
    try:
        manifest = current.resolve() / "manifest.json"
        version = json.loads(manifest.read_text(encoding="utf-8")).get("version", "")
        built = datetime.datetime.fromtimestamp(manifest.stat().st_mtime, tz=datetime.UTC)
    except (OSError, ValueError):
        return {}
    return {"newer_build": {"version": version, "built": built.strftime("%Y-%m-%d %H:%M UTC")}}


def reading_order(table: str | None, config: dict[str, Any]):
    """A function from Datasette's display_columns to the indexes of those columns in reading order.

    A table's order comes from the schema (readable columns first, ids last); columns it does not name
    keep their place at the front (Datasette's own link column). A view keeps its own order, except
    that its id columns (those that link to rows) move to the end."""
    order = config.get("column_order", {}).get(table or "")
    links = config.get("links", {})

    def indexes(display_columns) -> list[int]:
        names = [column["name"] for column in display_columns]
        if not order:
            ids = [i for i, name in enumerate(names) if linked_table(name, links)]
            return [i for i in range(len(names)) if i not in ids] + ids
        known = [name for name in order if name in names]
        unknown = [i for i, name in enumerate(names) if name not in order]
        return unknown + [names.index(name) for name in known]

    return indexes


NOISE_COLUMNS = ("Link", "rowid")
"""Datasette's own columns that say nothing to a reader (rowids change between builds; rows link by key)."""

EVERY_COLUMN_ARGS = ("_col", "_nocol", "_wide")
"""Query-string arguments that ask a table's page for more than its compact set of columns (`_wide=1`: all)."""


def shown_columns(table: str | None, config: dict[str, Any], every: bool):
    """A function from Datasette's display_columns to the indexes of the columns a page shows, in reading
    order: the table's or view's compact set (compact_columns, in its order) unless `every` column is asked
    for; never Datasette's Link or rowid column."""
    ordered = reading_order(table, config)
    compact = [] if every else config.get("compact_columns", {}).get(table or "", [])

    def indexes(display_columns) -> list[int]:
        names = [column["name"] for column in display_columns]
        if compact:
            return [names.index(name) for name in compact if name in names]
        return [i for i in ordered(display_columns) if names[i] not in NOISE_COLUMNS]

    return indexes


def record_url(datasette, config: dict[str, Any], database: str, table: str | None):
    """A function from a row's cells to the address of that row's own page, by its key (never a rowid):
    a table's row page (/db/table/<primary key>), or a view's page filtered to its key columns, which
    shows that one row in full. None when the relation has no key."""
    tables = config.get("tables", {})
    view_keys = config.get("view_keys", {})

    def url(cells) -> str | None:
        values = {cell["column"]: cell["raw"] for cell in cells}
        base = datasette.urls.table(database, table)
        if table in tables and all(name in values for name in tables[table]["primary_key"]):
            return base + "/" + ",".join(tilde_encode(str(values[name])) for name in tables[table]["primary_key"])
        key = view_keys.get(table or "")
        if key and all(name in values for name in key):
            return base + "?" + urlencode([(name, values[name]) if values[name] is not None else
                                           (f"{name}__isnull", "1") for name in key])
        return None

    return url


def is_record_page(view_name: str | None, table: str | None, config: dict[str, Any], request) -> bool:
    """A row's own page: Datasette's row page, or a view's page filtered to one value of each key column."""
    if view_name == "row":
        return True
    key = config.get("view_keys", {}).get(table or "")
    if not key or request is None:
        return False
    return all(name in request.args or f"{name}__isnull" in request.args for name in key)


WEB_SCHEMES = ("http://", "https://")
"""The only addresses a page links to as a value's own (an article's url): never javascript: or data:."""


def web_address(url: object) -> str:
    """url if it is an http(s) address, else "" (templates link a value's url only through this filter)."""
    text = str(url or "").strip()
    return text if text.lower().startswith(WEB_SCHEMES) else ""


OPENING_QUOTES = "\"“„«‘"
"""Marks that open a quotation: evidence that begins with one carries its own quotation marks."""


def opens_a_quote(text: object) -> bool:
    """Whether the evidence begins with its own quotation mark (pages then show it as written instead of
    setting it in <q>, which would add a second: ““This…)."""
    return str(text or "").lstrip()[:1] in OPENING_QUOTES


@hookimpl
def prepare_jinja2_environment(env) -> None:
    env.filters["web_address"] = web_address
    env.tests["opening_a_quote"] = opens_a_quote


def _row_link(datasette, database: str, table: str, value: object, text: object | None = None) -> Markup:
    href = datasette.urls.table(database, table) + "/" + tilde_encode(str(value))
    return Markup(f'<a href="{escape(href)}">{escape(text if text is not None else value)}</a>')


def linked_table(column: str, links: dict[str, str]) -> str | None:
    """The table a column's ids point at: an exact id column name (event_id, speaker_id, ...) or a name
    ending in one (asserting_statement_id)."""
    if column in links:
        return links[column]
    for name in sorted(links, key=len, reverse=True):
        if column.endswith("_" + name):
            return links[name]
    return None


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Ids in views and query results link to their rows; a table's label column links to the row."""
    config = _config(datasette)
    if database != config.get("database") or value is None or value == "":
        return None
    if table in config.get("tables", {}):
        spec = config["tables"][table]
        if column == spec.get("label") and spec.get("key"):
            try:
                return _row_link(datasette, database, table, row[spec["key"]], value)
            except (IndexError, KeyError):
                return None
        return None
    target = linked_table(column, config.get("links", {}))
    if target and isinstance(value, str):
        return _row_link(datasette, database, target, value)
    return None


async def _rows(db, sql: str, params: dict[str, object]) -> list[dict[str, object]]:
    result = await db.execute(sql, params)
    return [dict(row) for row in result.rows]


async def _page_rows(db, config: dict[str, Any], name: str, limit: int = -1,
                     where: str = "") -> list[dict[str, object]]:
    """The rows of a page query without parameters, as the build computed them (the table _page_<name>), in its
    order: at most `limit` of them (-1: all), and only those `where` (SQL over its columns) keeps."""
    return await _rows(db, f"SELECT * FROM [{config['page_tables'][name]}] {f'WHERE {where} ' if where else ''}"
                           f"ORDER BY rowid LIMIT :limit", {"limit": limit})


RELIABILITY_LISTED = 100
"""The most articles the reliability page lists one by one (review statuses, the columns of the agreement per
article, the articles whose disagreements it shows): the page stays one screenful of work at any size, and
says where every article's figures are when there are more."""


async def _source(db, config: dict[str, Any], table: str, key: dict[str, str]) -> str:
    sql = config.get("source_sql", {}).get(table)
    if not sql:
        return config["cite"]["no_article"]
    rows = await _rows(db, sql, key)
    return str(rows[0]["source"]) if rows else config["cite"]["no_article"]


async def _row_page(datasette, config: dict[str, Any], database: str, table: str, request) -> dict[str, Any]:
    """What the event, article and every row page add: the row's citation and, for events and articles,
    the rows around them."""
    spec = config.get("tables", {}).get(table)
    if not spec or "pks" not in request.url_vars:
        return {}
    values = urlsafe_components(request.url_vars["pks"])
    if len(values) != len(spec["primary_key"]):
        return {}
    key = dict(zip(spec["primary_key"], values))
    db = datasette.get_database(database)
    version = build_facts(datasette).get("version", "unknown")
    source = await _source(db, config, table, key)
    cite = config["cite"]["template"].format(dataset=config["cite"]["dataset"], version=version,
                                             table=table, row=",".join(values), source=source)
    extra: dict[str, Any] = {"rucas_cite": cite + " " + request.url}
    pages = config.get("page_queries", {})
    if table == "events":
        extra["rucas_event"] = {
            "event": (await _rows(db, "select * from events where event_id = :event_id", key) or [{}])[0],
            "actors": await _rows(db, pages["event_actors"], key),
            "conditions": await _rows(db, pages["event_conditions"], key),
            "claims": await _rows(db, pages["event_claims"], key),
        }
        source_id = extra["rucas_event"]["event"].get("source_id")
        if source_id:
            extra["rucas_event"]["article"] = (await _rows(db, pages["article"], {"source_id": source_id}))[0]
    if table == "sources":
        article = (await _rows(db, pages["article"], key) or [{}])[0]
        spans = await _rows(db, pages["article_evidence"], key) if article else []
        extra["rucas_article"] = {
            "article": article,
            "body": marked_body(article.get("body") or "", article.get("body_start") or 0, spans),
            "events": await _rows(db, pages["article_events"], key),
            "statements": await _rows(db, pages["article_statements"], key),
            "review_path": review_path(str(article.get("source_id", ""))) if article else None,
        }
    return extra


def marked_body(body: str, body_start: int, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The article's body as consecutive pieces, each {"text", "labels"}: a piece with labels lies inside the
    evidence of those coded rows (events, statements, conditions), which the page marks. Offsets of the spans
    are into the whole text; the body begins at body_start."""
    cuts = {0, len(body)}
    for span in spans:
        for offset in (span["evidence_start"], span["evidence_end"]):
            if offset is not None and 0 <= offset - body_start <= len(body):
                cuts.add(offset - body_start)
    bounds = sorted(cuts)
    pieces = []
    for start, end in zip(bounds, bounds[1:]):
        labels = [span["label"] for span in spans
                  if span["evidence_start"] is not None and span["evidence_start"] - body_start <= start
                  and end <= span["evidence_end"] - body_start]
        pieces.append({"text": body[start:end], "labels": labels})
    return pieces


SOURCE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""The form of a source_id, matched whole (rucas.build.curate.source_ids): lower-case letters, digits and
single hyphens, at most MAX_SOURCE_ID_LENGTH characters."""

MAX_SOURCE_ID_LENGTH = 200

REVIEW_RENDERER = Path(__file__).resolve().parent / "review_page" / "render.py"
"""The review page's renderer: the build copies rucas.build.review_page beside this plugin (plugins/review_page)."""


def _is_source_id(text: str) -> bool:
    return len(text) <= MAX_SOURCE_ID_LENGTH and SOURCE_ID.fullmatch(text) is not None


@functools.cache
def _review_renderer():
    """The module plugins/review_page/render.py, loaded once (the plugin runs without RUCAS installed)."""
    import importlib.util
    import sys

    name = "rucas_site_review_page"
    spec = importlib.util.spec_from_file_location(name, REVIEW_RENDERER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up while it runs
    spec.loader.exec_module(module)
    return module


def review_path(source_id: str) -> str | None:
    """The address of an article's curator review page (rendered on request by serve_review)."""
    return f"/-/review/{source_id}" if _is_source_id(source_id) else None


async def review_page(db, config: dict[str, Any], source_id: str) -> str | None:
    """The review page of the article `source_id` from the served database, or None if there is no such
    article: its rows, read by the queries queries/pages/review_*.sql (each an indexed lookup of one
    article's rows), rendered by rucas.build.review_page (the renderer `rucas check --html` uses)."""
    pages, key = config["page_queries"], {"source_id": source_id}
    source = await _rows(db, pages["review_source"], key)
    if not source:
        return None
    renderer = _review_renderer()
    rows = {table: await _rows(db, pages[f"review_{table}"], key) for table in renderer.ARTICLE_TABLES}
    names = {row["actor_id"]: row["name"] for row in await _rows(db, pages["review_actor_names"], key)}
    return renderer.article_review_page(source[0], rows, names)


async def serve_review(datasette, request):
    """/-/review/<source_id>: the article's review page, rendered from the served database; 404 for a text
    that is not a source id, or names no article."""
    from datasette.utils.asgi import NotFound, Response

    source_id = request.url_vars["source_id"]
    config = _config(datasette)
    db = datasette.databases.get(config.get("database", ""))
    page = await review_page(db, config, source_id) if db is not None and _is_source_id(source_id) else None
    if page is None:
        raise NotFound(f"no article {source_id[:MAX_SOURCE_ID_LENGTH]}")
    return Response.html(page)


@hookimpl
def register_routes():
    return [(r"^/-/review/(?P<source_id>[a-z0-9][a-z0-9-]*)$", serve_review)]


async def front_page(db, config: dict[str, Any]) -> dict[str, Any]:
    """What the front page says the data covers, counted by the build (queries/pages/coverage.sql, stored as
    _page_coverage: rucas.build.write.page_tables)."""
    return (await _page_rows(db, config, "coverage") or [{}])[0]


async def _first_articles(db, config: dict[str, Any], name: str) -> tuple[list[dict[str, object]], int]:
    """The rows of the page table `name` (ordered by source_id) of its first RELIABILITY_LISTED articles, and
    how many articles it has rows of."""
    table = config["page_tables"][name]
    (counted,) = await _rows(db, f"SELECT count(DISTINCT source_id) AS n FROM [{table}]", {})
    listed = f"source_id IN (SELECT DISTINCT source_id FROM [{table}] ORDER BY source_id LIMIT {RELIABILITY_LISTED})"
    return await _page_rows(db, config, name, where=listed), int(counted["n"])


async def reliability(db, config: dict[str, Any]) -> dict[str, Any]:
    """The reliability page's rows (queries/pages/reliability_*.sql and review_status*.sql, as the build stored
    them): alpha per field over the corpus; how many articles have each review status; and, one by one, the
    review status of the first RELIABILITY_LISTED articles (by date), the agreement per article and the
    disagreements of the first RELIABILITY_LISTED double-coded articles (by id), with each total."""
    articles, double_coded = await _first_articles(db, config, "reliability_articles")
    publishers = {row["source_id"]: row["publisher"] for row in articles}
    sources = sorted(publishers)
    fields = list(dict.fromkeys(row["field"] for row in articles))
    cells = {(row["field"], row["source_id"]): row for row in articles}
    adjudications, adjudicated = await _first_articles(db, config, "reliability_adjudications")
    (disagreements,) = await _rows(db, f"SELECT count(*) AS n FROM [{config['page_tables']['reliability_adjudications']}]", {})
    counts = await _page_rows(db, config, "review_status_counts")
    return {
        "corpus": await _page_rows(db, config, "reliability_corpus"),
        "article_ids": [{"source_id": source, "publisher": publishers[source]} for source in sources],
        "article_rows": [{"field": field, "cells": [cells.get((field, source)) for source in sources]}
                         for field in fields],
        "double_coded": double_coded,
        "adjudications": adjudications,
        "adjudicated_articles": adjudicated,
        "disagreements": int(disagreements["n"]),
        "status_counts": counts,
        "articles": sum(int(row["articles"]) for row in counts),
        "second_coded": sum(int(row["second_coded"]) for row in counts),
        "statuses": await _page_rows(db, config, "review_statuses", limit=RELIABILITY_LISTED),
        "listed": RELIABILITY_LISTED,
    }


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    """rucas_site (version, build time, licence, front-page questions) on every page; the reading order
    of columns on table and row pages; the citation and related rows on row pages."""
    config = _config(datasette)

    async def variables() -> dict[str, Any]:
        every = request is not None and any(name in request.args for name in EVERY_COLUMN_ARGS)
        record = database == config.get("database") and is_record_page(view_name, table, config, request)
        values: dict[str, Any] = {
            "rucas_site": {**config.get("site", {}), **build_facts(datasette), **stale_build(datasette)},
            "rucas_order": shown_columns(table, config, every or record),
            "rucas_fold": config.get("fold_after", 0),
            "rucas_record": record,
            "rucas_compact": bool(config.get("compact_columns", {}).get(table or "")) and not every and not record,
            "rucas_record_url": record_url(datasette, config, database, table) if table else None,
        }
        if view_name == "row" and database == config.get("database") and table and request is not None:
            values.update(await _row_page(datasette, config, database, table, request))
        db = datasette.databases.get(config.get("database", ""))
        if db is not None and template == "index.html":
            values["rucas_coverage"] = await front_page(db, config)
        if db is not None and request is not None and request.path == config.get("site", {}).get("reliability_path"):
            values["rucas_reliability"] = await reliability(db, config)
        return values

    return variables


def versioned_headers(headers: list[tuple[bytes, bytes]], version: str) -> list[tuple[bytes, bytes]]:
    """Response headers with the dataset version added (rucas-version) and written into the file name of
    a download (events.csv -> events-rucas-<version>.csv), so every export says which build it is."""
    tagged = []
    for name, value in headers:
        if name.lower() == b"content-disposition" and b'filename="' in value:
            stem, dot, suffix = value.split(b'filename="', 1)[1].rstrip(b'"').rpartition(b".")
            value = b'attachment; filename="' + (stem or suffix) + b"-rucas-" + version.encode() + \
                (dot + suffix if stem else b"") + b'"'
        tagged.append((name, value))
    return tagged + [(b"rucas-version", version.encode())]


@hookimpl
def asgi_wrapper(datasette):
    """Every response carries the dataset version (see versioned_headers)."""

    def wrap(app):
        async def with_version(scope, receive, send):
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            version = build_facts(datasette).get("version")

            async def send_with_version(message):
                if version and message["type"] == "http.response.start":
                    message = {**message, "headers": versioned_headers(list(message.get("headers", [])), version)}
                await send(message)

            await app(scope, receive, send_with_version)

        return with_version

    return wrap
