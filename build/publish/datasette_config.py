"""Write Datasette's configuration directory, derived from the schema, queries/ and the built SQLite file.

The directory (<output>/datasette) is what `datasette <output>/datasette` serves as-is:

    metadata.json       titles, licence, descriptions of every table, view and column, labels,
                        sorts, facets, full-text search, canned queries, plugin configuration
    settings.json       SETTINGS below
    inspect-data.json   precomputed hash, size and row counts; marks rucas.db immutable
    plugins/            copies of RUCAS's own plugins (PLUGINS_DIR: rucas_limits.py, query cost limits;
                        rucas_reading.py, memory-mapped reads and each facet counted once)
    rucas.db            a relative link to ../rucas.db (the database Datasette serves)
    templates/          the site's pages (build/publish/templates, copied): front page, event and article
                        pages, readable tables, the footer with version and citation
    plugins/            rucas_site.py (build/publish/site_plugin.py, copied): what those pages need
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

from rucas.build.publish.dashboards import DASHBOARD_SLUG, dashboards
from rucas.citation import CITE_ROW, DATASET_NAME, NO_ARTICLE, source_sql
from rucas.build.write.datapackage import CURATION_LICENSE, DATASET_DESCRIPTION, DATASET_TITLE
from rucas.build.write.materialise import facet_columns, live_name
from rucas.build.write.sqlite_db import FULL_TEXT
from rucas.queries import SqlFile, canned_queries, page_queries, view_files
from rucas.schema import table_specs
from rucas.schema.derive import TableSpec

PLUGINS_DIR = Path(__file__).resolve().parent / "datasette_plugins"
"""Datasette plugins shipped with the package: datasette_plugins/rucas_limits.py bounds what one query
can cost and answers malformed requests with 4xx; datasette_plugins/rucas_reading.py memory-maps every
connection and counts a facet once when a request repeats it; datasette_plugins/rucas_escaping.py serves
the dashboard's and the cluster map's scripts with every value escaped. `rucas serve` loads them with
--plugins-dir; the configuration directory carries a copy in plugins/, which Datasette loads in
config-directory mode."""

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
bounds one JSON or HTML response (the dashboard queries aggregate and stay far below it);
facet_time_limit_ms 500 gives the facets of the events table more room than the 200 ms default;
num_sql_threads 10 (three by default) so that a few slow queries, each held to the time limit,
leave threads free for every other page; suggest_facets off, because each table's facets are chosen (Display in schema/tables.py) and suggesting more tried every column (2.3 of the
2.7 s of the events page at 10k generated articles); pages of 50 rows keep long evidence texts readable; the immutable database file may be downloaded whole."""

FACET_ROWS_PER_PAGE = 1_000_000
"""How many rows a page may count for the facets it shows unasked. Counting one facet reads one index
entry per row (every facet column is indexed: build/write/sqlite_db.py, materialise.py): 50 to 75 ns
each in SQLite, up to 100 ns through Datasette on a busy 2-core machine, so a million rows cost up to
about 100 ms and leave the page (its rows, its count from the inspect file, the HTML: 40 to 70 ms) under
250 ms at the 95th percentile. Measured on a 100,000-article build: the five facets of 600,000 events
took 1.9 s without the indexes and 0.28 s with them, the four of alliance_context's 1.7 million rows
0.49 s. So a small corpus shows every facet, and a large one the first facets of each table
(Display.facets order) that fit: at 100k events shows one, statements two, alliance_context none."""

FTS_SHADOW_SUFFIXES = ("_fts", "_fts_data", "_fts_idx", "_fts_docsize", "_fts_config", "_fts_content")
"""The FTS5 index and its shadow tables (_fts_content only where the index keeps its own text)."""

CLUSTER_MAP = {"latitude_column": "latitude", "longitude_column": "longitude"}

DESCRIPTION = (
    f"{DATASET_DESCRIPTION} The curation (codes, links, character offsets, descriptions) is published under "
    f"{CURATION_LICENSE['name']}. The article texts in sources.text are not: they remain their publishers' "
    "(the rights column of sources names each holder) and are included so that every coded fact can be "
    "checked against its words."
)
SOURCE = "Curated from news articles; each article, its publisher and its rights holder are in the sources table"


COLUMN_DESCRIPTIONS_CSS = (
    "dl.column-descriptions{display:grid;grid-template-columns:max-content 1fr;gap:0.1em 1.2em;"
    "font-size:0.85em;max-height:11em;overflow-y:auto;border:1px solid #ddd;padding:0.4em 0.6em}"
    "dl.column-descriptions dd{margin:0}"
)
"""Datasette 0.65 lists every column's description above the table; this makes the list a compact
two-column box that scrolls, so the rows stay on the first screen."""

SITE_CSS = (
    "table.rows-and-columns td{max-width:26em;vertical-align:top;overflow-wrap:anywhere}"
    "table.rows-and-columns th{overflow-wrap:anywhere;white-space:normal}"
    ".rucas-more-link{white-space:nowrap;font-size:0.85em}"
    ".rucas-columns-note{font-size:0.9em;color:#555}"
    "table.rucas-record-table th{text-align:left;vertical-align:top;padding-right:1em;white-space:nowrap}"
    "table.rucas-record-table td{white-space:pre-wrap;max-width:60em;overflow-wrap:anywhere}"
    ".rucas-alpha{border-collapse:collapse;margin:0.5em 0}.rucas-alpha td,.rucas-alpha th{border-bottom:1px solid #ddd;"
    "padding:0.2em 0.6em;text-align:left;vertical-align:top;overflow-wrap:anywhere}"
    ".rucas-adjudication-table{border-collapse:collapse;table-layout:fixed;width:100%}"
    ".rucas-adjudication-table td,.rucas-adjudication-table th{border-bottom:1px solid #ddd;padding:0.2em 0.5em;"
    "vertical-align:top;text-align:left;overflow-wrap:anywhere}"
    ".rucas-alpha td:first-child{white-space:nowrap}.rucas-alpha em{font-size:inherit;color:#555}"
    ".rucas-reliability{max-width:76em}.rucas-empty{background:#f6f6f6;padding:0.5em 1em}"
    "mark.rucas-coded{background:#fff1a8}"
    ".rucas-stale{background:#fff3cd;border:1px solid #e0c36c;padding:0.5em 1em;margin:0.5em 0}"
    "details.rucas-fold summary{cursor:pointer;color:#333}"
    "details.rucas-fold[open] summary{display:none}"
    ".rucas-record{max-width:60em}.rucas-record h1{margin-bottom:0.2em;font-size:1.7em}"
    ".rucas-record q::before{content:'\\201C'}.rucas-record q::after{content:'\\201D'}"
    ".rucas-kind{color:#666;margin:0}.rucas-facts{font-size:1.05em}"
    ".rucas-evidence{border-left:4px solid #888;margin:0.5em 0;padding:0.3em 1em;background:#f6f6f6;font-style:italic}"
    ".rucas-role,.rucas-relation{display:inline-block;min-width:6em;font-weight:bold}"
    ".rucas-denies{color:#a00}.rucas-asserts{color:#060}"
    ".rucas-cite{margin:1em 0;padding:0.5em 0.8em;border:1px solid #ccd;background:#f4f6fb}"
    ".rucas-cite code{white-space:normal}"
    ".rucas-body{white-space:pre-wrap;max-width:46em;line-height:1.5;margin:1em 0;font-size:1.05em}"
    ".rucas-boilerplate pre{white-space:pre-wrap;max-height:20em;overflow:auto;background:#f6f6f6}"
    ".rucas-search input[type=search]{width:28em;font-size:1.1em;padding:0.3em}"
    ".rucas-search label{display:block;width:auto;font-weight:bold;margin-bottom:0.3em}"
    ".rucas-nav{font-size:1.05em}"
    ".rucas-questions li{margin-bottom:0.5em;font-size:1.1em}.rucas-questions small{color:#555;font-size:0.8em}"
    ".rucas-footer{margin-top:0.6em}.rucas-precision,.rucas-note{color:#555}"
)
"""The site's own look: folded long cells, the event and article pages, the front page and the footer."""

FOLD_AFTER = 120
"""Table cells longer than this many characters show their first FOLD_AFTER characters and a link to the
row's own page, which shows the whole text."""

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
"""The site's templates (copied into the configuration directory's templates/)."""

SITE_PLUGIN = Path(__file__).resolve().parent / "site_plugin.py"
"""The site's plugin (copied into the configuration directory's plugins/ as rucas_site.py)."""

CITATION_NOTE = "The repository's CITATION.cff cites the dataset as a whole."


def _css_url(css: str) -> str:
    from urllib.parse import quote

    return "data:text/css," + quote(css)


def view_columns(database: Path) -> dict[str, list[str]]:
    """The output columns of every prepared view (its materialised table) in the built SQLite file, by name."""
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return {view.name: [row[1] for row in con.execute(f'pragma table_info("{view.name}")')]
                for view in view_files()}
    finally:
        con.close()


def _tables_read_by(view: SqlFile) -> list[str]:
    return view.tables_read


def view_column_descriptions(view: SqlFile, columns: list[str], specs: tuple[TableSpec, ...]) -> dict[str, str]:
    """Describe a view's columns: a `-- column:` line of its file first, else the description of the
    column of that name in the first table the view reads (FROM/JOIN order) that has one, else in any table.
    Columns with no description are left out (tests/test_datasette.py reports them)."""
    by_name = {spec.name: spec for spec in specs}
    read = [by_name[name] for name in _tables_read_by(view) if name in by_name]
    candidates = read + [spec for spec in specs if spec not in read]
    described: dict[str, str] = {}
    for column in columns:
        if column in view.column_descriptions:
            described[column] = view.column_descriptions[column]
            continue
        for spec in candidates:
            if column in spec.column_names:
                described[column] = spec.column(column).description
                break
    return described


def default_facets(facets: list[str], rows: int | None) -> list[str]:
    """The facets that a page of a relation of `rows` rows shows unasked: its facets in order, as many as
    fit FACET_ROWS_PER_PAGE (each facet counts every row); all of them when the size is not known.
    Any other facet is one click away (a column's menu, or `?_facet=`)."""
    if rows is None:
        return list(facets)
    return list(facets)[:FACET_ROWS_PER_PAGE // max(rows, 1)]


def _table_entry(spec: TableSpec, rows: int | None = None) -> dict[str, object]:
    entry: dict[str, object] = {
        "description": spec.description,
        "columns": {c.name: c.description for c in spec.columns},
    }
    if spec.display.label:
        entry["label_column"] = spec.display.label
    if spec.display.newest_first:
        entry["sort_desc"] = spec.display.newest_first
    if facets := default_facets(list(spec.display.facets), rows):
        entry["facets"] = facets
    if spec.name in FULL_TEXT:
        entry["fts_table"] = f"{spec.name}_fts"
        entry["fts_pk"] = "rowid"
    if {"latitude", "longitude"} <= set(spec.column_names):
        entry["plugins"] = {"datasette-cluster-map": CLUSTER_MAP}
    return entry


def _view_entry(view: SqlFile, columns: list[str], specs: tuple[TableSpec, ...],
                rows: int | None = None) -> dict[str, object]:
    """A prepared view's materialised table: the file's description (and where its live SQL is), column
    descriptions, its facets (materialise.facet_columns: those its file names, then those of same-named
    table columns; as many as default_facets allows for its
    `rows`), the map if it has coordinates."""
    live = (f" Computed at build time from queries/views/{view.path.name}; the view {live_name(view)} "
            "runs the same SQL live.")
    entry: dict[str, object] = {"description": view.description + live,
                                "columns": view_column_descriptions(view, columns, specs)}
    offered = facet_columns(view)  # those the file names first, then the others in column order
    facets = default_facets([c for c in view.facets if c in columns]
                            + [c for c in columns if c in offered and c not in view.facets], rows)
    if facets:
        entry["facets"] = facets
    if {"latitude", "longitude"} <= set(columns):
        entry["plugins"] = {"datasette-cluster-map": CLUSTER_MAP}
    return entry


def canned_query_entry(query: SqlFile) -> dict[str, object]:
    """One canned query: its SQL (hidden until asked for: the form and the answer come first), title,
    description and named parameters (read-only: never `write`)."""
    return {"sql": query.sql, "title": query.name.replace("_", " ").capitalize(),
            "description": query.description, "params": query.parameters, "hide_sql": True}


def metadata(views: dict[str, list[str]] | None = None, counts: dict[str, int] | None = None) -> dict[str, object]:
    """Datasette metadata for the rucas database. `views` maps each view to its output columns
    (from view_columns of the built file); without it, views carry only their descriptions. `counts`
    (rows of each table and view, as inspect_data counts them) bounds the facets a page shows unasked
    (default_facets); without it, every page shows all its facets."""
    specs = table_specs()
    counts = counts or {}
    tables: dict[str, dict[str, object]] = {spec.name: _table_entry(spec, counts.get(spec.name)) for spec in specs}
    for table in FULL_TEXT:
        for suffix in FTS_SHADOW_SUFFIXES:
            tables[f"{table}{suffix}"] = {"hidden": True}
    for view in view_files():
        tables[view.name] = _view_entry(view, (views or {}).get(view.name, []), specs, counts.get(view.name))
        tables[live_name(view)] = {"description": f"{view.description} Live: recomputed on every read (slow "
                                                  f"on a large corpus; the table {view.name} holds the same rows).",
                                   "hidden": True}
    return {
        "title": DATASET_TITLE,
        "description": DESCRIPTION,
        "license": CURATION_LICENSE["name"],
        "license_url": CURATION_LICENSE["path"],
        "source": SOURCE,
        "extra_css_urls": [_css_url(COLUMN_DESCRIPTIONS_CSS + SITE_CSS)],
        "databases": {
            DATABASE_NAME: {
                "description": DESCRIPTION,
                "tables": tables,
                "queries": {query.name: canned_query_entry(query) for query in canned_queries()},
            }
        },
        "plugins": {"datasette-dashboards": dashboards(DATABASE_NAME), "rucas-site": site_config()},
    }


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


def _id_links(specs: tuple[TableSpec, ...]) -> dict[str, str]:
    """Id column names and the table whose rows they name: every single-column primary key and every
    foreign-key column (a view's or query's column of that name, or ending in _<that name>, links there)."""
    links: dict[str, str] = {}
    for spec in specs:
        if len(spec.primary_key) == 1:
            links.setdefault(spec.primary_key[0], spec.name)
    for spec in specs:
        for column in spec.columns:
            if column.references:
                links.setdefault(column.name, column.references[0])
    return links


def compact_columns(specs: tuple[TableSpec, ...]) -> dict[str, list[str]]:
    """The columns each table's and view's page shows by default, so that a row reads at 1280 px: a table's
    lead columns (Display.lead) and its primary key, in reading order; a view's `-- columns:` line. Every
    other column is one click away (show every column) and on the row's own page."""
    compact = {spec.name: [c for c in spec.display_columns if c in spec.display.lead or c in spec.primary_key]
               for spec in specs}
    compact.update({view.name: list(dict.fromkeys(view.columns)) for view in view_files() if view.columns})
    return compact


def front_page_questions() -> list[dict[str, str]]:
    """The front page's questions: every view and canned query with a `-- question:` line, by rank."""
    asked = [(query, "view") for query in view_files() if query.question]
    asked += [(query, "canned query") for query in canned_queries() if query.question]
    asked.sort(key=lambda pair: (pair[0].question[0], pair[0].name))
    return [{"question": query.question[1], "name": query.name, "kind": kind,
             "summary": _first_sentence(query.description),
             "path": f"/{DATABASE_NAME}/{query.name}" + (f"?{query.example}" if query.example else "")}
            for query, kind in asked]


def site_config() -> dict[str, object]:
    """The `rucas-site` plugin configuration (read by build/publish/site_plugin.py): the front page, the
    reading order of every table's columns, which columns are ids of which table, how a row is cited and
    the SQL of the event and article pages. All of it from schema/ and queries/."""
    specs = table_specs()
    return {
        "database": DATABASE_NAME,
        "site": {
            "title": DATASET_TITLE,
            "lede": DATASET_DESCRIPTION,
            "licence": CURATION_LICENSE["name"],
            "licence_url": CURATION_LICENSE["path"],
            "citation_note": CITATION_NOTE,
            "questions": front_page_questions(),
            "views": [{"name": view.name, "path": f"/{DATABASE_NAME}/{view.name}"} for view in view_files()],
            "tables": [{"name": spec.name, "path": f"/{DATABASE_NAME}/{spec.name}"} for spec in specs],
            "dashboard_path": f"/-/dashboards/{DASHBOARD_SLUG}",
            "database_path": f"/{DATABASE_NAME}",
            "search_path": f"/{DATABASE_NAME}/search",
            "reliability_path": "/reliability",
        },
        "tables": {spec.name: {"label": spec.display.label, "primary_key": spec.primary_key,
                               "key": spec.primary_key[0] if len(spec.primary_key) == 1 else None}
                   for spec in specs},
        "column_order": {spec.name: spec.display_columns for spec in specs},
        "compact_columns": compact_columns(specs),
        "view_keys": {view.name: list(view.key) for view in view_files()},
        "links": _id_links(specs),
        "source_sql": {spec.name: sql for spec in specs if (sql := source_sql(spec.name))},
        "page_queries": {query.name: query.sql for query in page_queries()},
        "cite": {"template": CITE_ROW, "dataset": DATASET_NAME, "no_article": NO_ARTICLE},
        "fold_after": FOLD_AFTER,
    }


def write_site(directory: Path) -> None:
    """Copy the site's templates and plugin into the configuration directory (templates/, plugins/)."""
    for name in ("templates", "plugins"):
        if (directory / name).exists():
            shutil.rmtree(directory / name)
    shutil.copytree(TEMPLATES_DIR, directory / "templates", ignore=shutil.ignore_patterns("__pycache__"))
    (directory / "plugins").mkdir()
    shutil.copyfile(SITE_PLUGIN, directory / "plugins" / "rucas_site.py")


def inspect_data(database: Path) -> dict[str, object]:
    """What `datasette inspect` writes for the database: hash, size and row counts, with the file named
    relative to the configuration directory so that config-directory mode opens it immutable."""
    import asyncio

    from datasette.app import Datasette

    async def _inspect() -> dict[str, object]:
        app = Datasette(immutables=[str(database)])
        db = app.get_database(DATABASE_NAME)
        try:
            counts = await db.table_counts(limit=3600 * 1000)
            return {"hash": db.hash, "size": db.size, "file": f"{DATABASE_NAME}.db",
                    "tables": {name: {"count": count} for name, count in sorted(counts.items())}}
        finally:
            db.close()

    return {DATABASE_NAME: asyncio.run(_inspect())}


def _write_json(path: Path, document: object) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_config(directory: Path, database: Path, absolute_link: bool = False) -> str:
    """Write the configuration directory for the built SQLite `database`; return the database's SHA-256
    (inspect-data.json holds it; the build's manifest takes it from here instead of reading the file again).

    The link to the database is relative when the directory lies beside it (a build's own datasette/,
    which moves with the build), absolute with `absolute_link` (a copy elsewhere, which then keeps
    working wherever it is moved)."""
    directory.mkdir(parents=True, exist_ok=True)
    inspected = inspect_data(database)
    counts = {name: table["count"] for name, table in inspected[DATABASE_NAME]["tables"].items()}
    _write_json(directory / "metadata.json", metadata(view_columns(database), counts))
    _write_json(directory / "settings.json", SETTINGS)
    _write_json(directory / "inspect-data.json", inspected)
    write_site(directory)
    plugins = directory / "plugins"
    for plugin in sorted(PLUGINS_DIR.glob("*.py")):
        shutil.copyfile(plugin, plugins / plugin.name)
    link = directory / f"{DATABASE_NAME}.db"
    if link.is_symlink() or link.exists():
        link.unlink()
    target = os.path.abspath(database)
    os.symlink(target if absolute_link else os.path.relpath(target, os.path.abspath(directory)), link)
    return inspected[DATABASE_NAME]["hash"]
