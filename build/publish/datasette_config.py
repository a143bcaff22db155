"""Write Datasette's configuration directory, derived from the schema, queries/ and the built SQLite file.

The directory (<output>/datasette) is what `datasette <output>/datasette` serves as-is:

    metadata.json       titles, licence, descriptions of every table, view and column, labels,
                        sorts, facets, full-text search, canned queries, plugin configuration
    settings.json       SETTINGS below
    inspect-data.json   precomputed hash, size and row counts; marks rucas.db immutable
    plugins/            a copy of RUCAS's own plugin (PLUGINS_DIR/rucas_limits.py: query cost limits)
    rucas.db            a relative link to ../rucas.db (the database Datasette serves)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

from rucas.build.publish.dashboards import dashboards
from rucas.build.write.datapackage import CURATION_LICENSE, DATASET_DESCRIPTION, DATASET_TITLE
from rucas.build.write.materialise import live_name
from rucas.build.write.sqlite_db import FULL_TEXT
from rucas.queries import SqlFile, canned_queries, view_files
from rucas.schema import table_specs
from rucas.schema.derive import TableSpec

PLUGINS_DIR = Path(__file__).resolve().parent / "datasette_plugins"
"""Datasette plugins shipped with the package: datasette_plugins/rucas_limits.py bounds what one query
can cost and answers malformed requests with 4xx. `rucas serve` loads them with --plugins-dir; the
configuration directory carries a copy in plugins/, which Datasette loads in config-directory mode."""

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
leave threads free for every other page; suggest_facets off, because FACETS below are chosen and suggesting more tried every column (2.3 of the
2.7 s of the events page at 10k generated articles); pages of 50 rows keep long evidence texts readable; the immutable database file may be downloaded whole."""

LABEL_COLUMNS = {"actors": "name", "sources": "title", "alliances": "name", "events": "summary",
                 "statements": "evidence", "actor_roles": "title", "event_conditions": "condition_type"}
"""The column Datasette shows in place of a foreign key's id."""

SORT_DESC = {"sources": "date_earliest", "events": "date_earliest", "statements": "date_earliest",
             "actor_roles": "date_earliest", "alliance_members": "joined_date", "alliances": "founded"}
"""Tables listed newest first by their date."""

FACETS = {
    "events": ["event_type", "modality", "location_country_iso3", "event_mode", "event_context"],
    "statements": ["quote_kind", "speaker_id", "reported_via_id"],
    "actors": ["actor_type", "country_iso3"],
    "sources": ["publisher", "language"],
    "actor_roles": ["organization_id"],
    "event_actors": ["role"],
    "event_conditions": ["condition_type"],
    "statement_actors": ["relation"],
    "claims": ["relation"],
    "alliances": ["alliance_type"],
    "alliance_members": ["alliance_id", "status"],
    "codebook": ["codebook"],
}
"""Facets shown on each table page. Views get the same facets for columns of the same name."""

FTS_SHADOW_SUFFIXES = ("_fts", "_fts_data", "_fts_idx", "_fts_docsize", "_fts_config")
"""The FTS5 index and its shadow tables (external content: no _fts_content)."""

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
    return re.findall(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)", view.sql, flags=re.IGNORECASE)


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


def _table_entry(spec: TableSpec) -> dict[str, object]:
    entry: dict[str, object] = {
        "description": spec.description,
        "columns": {c.name: c.description for c in spec.columns},
    }
    if spec.name in LABEL_COLUMNS:
        entry["label_column"] = LABEL_COLUMNS[spec.name]
    if spec.name in SORT_DESC:
        entry["sort_desc"] = SORT_DESC[spec.name]
    if spec.name in FACETS:
        entry["facets"] = FACETS[spec.name]
    if spec.name in FULL_TEXT:
        entry["fts_table"] = f"{spec.name}_fts"
        entry["fts_pk"] = "rowid"
    if {"latitude", "longitude"} <= set(spec.column_names):
        entry["plugins"] = {"datasette-cluster-map": CLUSTER_MAP}
    return entry


def _view_entry(view: SqlFile, columns: list[str], specs: tuple[TableSpec, ...]) -> dict[str, object]:
    """A prepared view's materialised table: the file's description (and where its live SQL is), column
    descriptions, the facets of same-named table columns, the map if it has coordinates."""
    live = (f" Computed at build time from queries/views/{view.path.name}; the view {live_name(view)} "
            "runs the same SQL live.")
    entry: dict[str, object] = {"description": view.description + live,
                                "columns": view_column_descriptions(view, columns, specs)}
    facet_columns = {column for names in FACETS.values() for column in names}
    facets = [column for column in columns if column in facet_columns]
    if facets:
        entry["facets"] = facets
    if {"latitude", "longitude"} <= set(columns):
        entry["plugins"] = {"datasette-cluster-map": CLUSTER_MAP}
    return entry


def canned_query_entry(query: SqlFile) -> dict[str, object]:
    """One canned query: its SQL, title, description and named parameters (read-only: never `write`)."""
    return {"sql": query.sql, "title": query.name.replace("_", " ").capitalize(),
            "description": query.description, "params": query.parameters}


def metadata(views: dict[str, list[str]] | None = None) -> dict[str, object]:
    """Datasette metadata for the rucas database. `views` maps each view to its output columns
    (from view_columns of the built file); without it, views carry only their descriptions."""
    specs = table_specs()
    tables: dict[str, dict[str, object]] = {spec.name: _table_entry(spec) for spec in specs}
    for table in FULL_TEXT:
        for suffix in FTS_SHADOW_SUFFIXES:
            tables[f"{table}{suffix}"] = {"hidden": True}
    for view in view_files():
        tables[view.name] = _view_entry(view, (views or {}).get(view.name, []), specs)
        tables[live_name(view)] = {"description": f"{view.description} Live: recomputed on every read (slow "
                                                  f"on a large corpus; the table {view.name} holds the same rows).",
                                   "hidden": True}
    return {
        "title": DATASET_TITLE,
        "description": DESCRIPTION,
        "license": CURATION_LICENSE["name"],
        "license_url": CURATION_LICENSE["path"],
        "source": SOURCE,
        "extra_css_urls": [_css_url(COLUMN_DESCRIPTIONS_CSS)],
        "databases": {
            DATABASE_NAME: {
                "description": DESCRIPTION,
                "tables": tables,
                "queries": {query.name: canned_query_entry(query) for query in canned_queries()},
            }
        },
        "plugins": {"datasette-dashboards": dashboards(DATABASE_NAME)},
    }


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


def write_config(directory: Path, database: Path) -> None:
    """Write the configuration directory for the built SQLite `database` (which lies beside it)."""
    directory.mkdir(parents=True, exist_ok=True)
    _write_json(directory / "metadata.json", metadata(view_columns(database)))
    _write_json(directory / "settings.json", SETTINGS)
    _write_json(directory / "inspect-data.json", inspect_data(database))
    plugins = directory / "plugins"
    plugins.mkdir(exist_ok=True)
    for plugin in sorted(PLUGINS_DIR.glob("*.py")):
        shutil.copyfile(plugin, plugins / plugin.name)
    link = directory / f"{DATABASE_NAME}.db"
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(os.path.relpath(os.path.abspath(database), os.path.abspath(directory)), link)
