"""The `rucas-site` plugin's configuration: what the site's templates and plugin (site_plugin.py) need,
from schema/ and queries/."""

from __future__ import annotations

import re

from rucas.build.publish.dashboards import DASHBOARD_SLUG
from rucas.build.publish.settings import DATABASE_NAME
from rucas.citation import CITE_ROW, DATASET_NAME, NO_ARTICLE, source_sql
from rucas.build.write.datapackage import CURATION_LICENSE, DATASET_DESCRIPTION, DATASET_TITLE
from rucas.build.write.page_tables import PRECOMPUTED, page_table
from rucas.queries import canned_queries, page_queries, view_files
from rucas.schema import table_specs
from rucas.schema.derive import TableSpec

FOLD_AFTER = 120
"""Table cells longer than this many characters show their first FOLD_AFTER characters and a link to the
row's own page, which shows the whole text."""

CITATION_NOTE = "The repository's CITATION.cff cites the dataset as a whole."


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
        "page_queries": {query.name: query.sql for query in page_queries() if query.name not in PRECOMPUTED},
        "page_tables": {name: page_table(name) for name in PRECOMPUTED},  # the rest, computed by the build
        "cite": {"template": CITE_ROW, "dataset": DATASET_NAME, "no_article": NO_ARTICLE},
        "fold_after": FOLD_AFTER,
    }
