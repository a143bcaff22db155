"""Datasette's metadata (metadata.json), derived from schema/ and queries/: titles, licence, descriptions of
every table, view and column, labels, sorts, facets, full-text search, canned queries, the site's style
sheets and the plugins' configuration."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from rucas.build.publish.dashboards import dashboards
from rucas.build.publish.settings import DATABASE_NAME
from rucas.build.publish.site_config import site_config
from rucas.build.write.datapackage import CURATION_LICENSE, DATASET_DESCRIPTION, DATASET_TITLE
from rucas.build.write.facet_counts import FACET_COUNTS
from rucas.build.write.page_tables import PRECOMPUTED, STORED_CHARTS, chart_table, page_table
from rucas.build.write.materialise import facet_columns, live_name
from rucas.build.write.sqlite_db import FTS_TEXT_SUFFIX, FULL_TEXT
from rucas.queries import SqlFile, canned_queries, view_files
from rucas.schema import table_specs
from rucas.schema.derive import TableSpec

FACET_ROWS_PER_PAGE = 1_000_000
"""How many rows a page may count for the facets it shows unasked. Counting one facet reads one index
entry per row (every facet column is indexed: build/write/sqlite_db.py, materialise.py): 50 to 75 ns
each in SQLite, up to 100 ns through Datasette on a busy 2-core machine, so a million rows cost up to
about 100 ms and leave the page (its rows, its count from the inspect file, the HTML: 40 to 70 ms) under
250 ms at the 95th percentile. Measured on a 100,000-article build: the five facets of 600,000 events
took 1.9 s without the indexes and 0.28 s with them, the four of alliance_context's 1.7 million rows
0.49 s. So a small corpus shows every facet, and a large one the first facets of each table
(Display.facets order) that fit: at 100k events shows one, statements two, alliance_context none."""

FTS_SHADOW_SUFFIXES = ("_fts", "_fts_data", "_fts_idx", "_fts_docsize", "_fts_config", FTS_TEXT_SUFFIX)
"""The FTS5 index, its shadow tables, and the view of the text it indexed (its external content)."""

CLUSTER_MAP = {"latitude_column": "latitude", "longitude_column": "longitude"}

DESCRIPTION = (
    f"{DATASET_DESCRIPTION} The curation (codes, links, character offsets, descriptions) is published under "
    f"{CURATION_LICENSE['name']}. The article texts in sources.text are not: they remain their publishers' "
    "(the rights column of sources names each holder) and are included so that every coded fact can be "
    "checked against its words."
)
SOURCE = "Curated from news articles; each article, its publisher and its rights holder are in the sources table"

STATIC_DIR = Path(__file__).resolve().parent / "static"
"""The site's style sheets, shipped with the package (pyproject's package-data):
static/column_descriptions.css: Datasette 0.65 lists every column's description above the table; this makes
the list a compact two-column box that scrolls, so the rows stay on the first screen.
static/site.css: the site's own look: folded long cells, the event and article pages, the front page and
the footer."""

STYLE_SHEETS = ("column_descriptions.css", "site.css")
"""The style sheets every page links, in this order (one data: URL in metadata.json)."""


def style_sheet(name: str) -> str:
    """A style sheet of STATIC_DIR as the site serves it: its lines joined as they are (each file holds one
    rule, or part of one, per line, and a line break in it is not whitespace)."""
    return "".join((STATIC_DIR / name).read_text(encoding="utf-8").splitlines())


def _css_url(css: str) -> str:
    return "data:text/css," + quote(css)


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


ROWS_SHOWN = "_rows_shown"
"""The magic parameter that bounds the rows of a canned query (datasette_plugins/rucas_rows_shown.py
answers it: one page and one more for an HTML page, max_returned_rows and one more for JSON and CSV)."""

_SQL_SKIPPED = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|\[[^\]]*\]", re.DOTALL)
"""What a search for a keyword of the SQL itself passes over: comments, string literals, quoted names."""


def has_own_limit(sql: str) -> bool:
    """Whether `sql` limits its own rows: a LIMIT outside every parenthesis (a subquery's LIMIT bounds
    only that subquery), not in a comment, string or quoted name."""
    depth = 0
    for token in re.finditer(r"[()]|\blimit\b", _SQL_SKIPPED.sub(" ", sql), re.IGNORECASE):
        if token.group() == "(":
            depth += 1
        elif token.group() == ")":
            depth -= 1
        elif depth == 0:
            return True
    return False


def canned_query_sql(query: SqlFile) -> str:
    """The SQL the site runs for a canned query: its file's, ending with `LIMIT :_rows_shown`, so that a
    page reads the rows it shows (and one more, to tell there are more) rather than max_returned_rows.
    The .sql file itself, which DuckDB and pandas users run, stays whole."""
    sql = query.sql.rstrip().rstrip(";").rstrip()
    if has_own_limit(sql):
        raise ValueError(f"queries/canned/{query.path.name} ends with a LIMIT of its own: remove it. The site "
                         f"shows a canned query one page at a time (LIMIT :{ROWS_SHOWN}, added to its SQL), "
                         f"and its CSV and JSON return up to max_returned_rows.")
    return f"{sql}\nLIMIT :{ROWS_SHOWN}"


def canned_query_entry(query: SqlFile) -> dict[str, object]:
    """One canned query: its SQL (canned_query_sql; hidden until asked for: the form and the answer come
    first), title, description and named parameters (read-only: never `write`)."""
    return {"sql": canned_query_sql(query), "title": query.name.replace("_", " ").capitalize(),
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
    tables[FACET_COUNTS] = {"hidden": True}
    tables |= {page_table(name): {"hidden": True} for name in PRECOMPUTED}
    tables |= {chart_table(name): {"hidden": True} for name in STORED_CHARTS}
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
        "extra_css_urls": [_css_url("".join(style_sheet(name) for name in STYLE_SHEETS))],
        "databases": {
            DATABASE_NAME: {
                "description": DESCRIPTION,
                "tables": tables,
                "queries": {query.name: canned_query_entry(query) for query in canned_queries()},
            }
        },
        "plugins": {"datasette-dashboards": dashboards(DATABASE_NAME), "rucas-site": site_config(),
                    "rucas-facet-counts": {"table": FACET_COUNTS}},
    }
