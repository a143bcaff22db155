"""Write Datasette's configuration directory for a built SQLite file.

The directory (<output>/datasette) is what `datasette <output>/datasette` serves as-is:

    metadata.json       titles, licence, descriptions of every table, view and column, labels,
                        sorts, facets, full-text search, canned queries, plugin configuration
    settings.json       SETTINGS (settings.py)
    inspect-data.json   the database's content digest, size and row counts, from the build (inspection.py);
                        marks rucas.db immutable
    plugins/            copies of RUCAS's own plugins (PLUGINS_DIR: rucas_limits.py, query cost limits;
                        rucas_reading.py, memory-mapped reads and each facet counted once;
                        rucas_facet_counts.py, an unfiltered page's facets read from the build's counts)
    rucas.db            a relative link to ../rucas.db (the database Datasette serves)
    templates/          the site's pages (build/publish/templates, copied): front page, event and article
                        pages, readable tables, the footer with version and citation
    plugins/            rucas_site.py (build/publish/site_plugin.py, copied): what those pages need, and
                        review_page/ (rucas.build.review_page's renderer, copied), which renders an
                        article's curator review page at /-/review/<source_id>
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from rucas.build.publish.inspection import inspect_data, view_columns
from rucas.build.publish.metadata import metadata
from rucas.build.publish.settings import DATABASE_NAME, SETTINGS
from rucas.build.review_page.render import copy_renderer

PLUGINS_DIR = Path(__file__).resolve().parent / "datasette_plugins"
"""Datasette plugins shipped with the package: datasette_plugins/rucas_limits.py bounds what one query
can cost and answers malformed requests with 4xx; datasette_plugins/rucas_reading.py memory-maps every
connection and counts a facet once when a request repeats it; datasette_plugins/rucas_facet_counts.py
reads the facets of an unfiltered page from the counts the build wrote; datasette_plugins/rucas_escaping.py serves
the dashboard's and the cluster map's scripts with every value escaped; datasette_plugins/rucas_rows_shown.py
answers a canned query's `:_rows_shown` (one page and one more on its HTML page, max_returned_rows and one
more in JSON and CSV); datasette_plugins/rucas_permission_rules.py reads a table's permission rules from the
metadata once per table, not once per check. `rucas serve` loads them with
--plugins-dir; the configuration directory carries a copy in plugins/, which Datasette loads in
config-directory mode."""

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
"""The site's templates (copied into the configuration directory's templates/)."""

SITE_PLUGIN = Path(__file__).resolve().parent / "site_plugin.py"
"""The site's plugin (copied into the configuration directory's plugins/ as rucas_site.py)."""


def write_site(directory: Path) -> None:
    """Copy the site's templates and plugin, with the review page's renderer, into the configuration directory
    (templates/, plugins/)."""
    for name in ("templates", "plugins"):
        if (directory / name).exists():
            shutil.rmtree(directory / name)
    shutil.copytree(TEMPLATES_DIR, directory / "templates", ignore=shutil.ignore_patterns("__pycache__"))
    (directory / "plugins").mkdir()
    shutil.copyfile(SITE_PLUGIN, directory / "plugins" / "rucas_site.py")
    copy_renderer(directory / "plugins" / "review_page")


def _write_json(path: Path, document: object) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_config(directory: Path, database: Path, absolute_link: bool = False, *, digest: str | None = None,
                 known_counts: dict[str, int] | None = None) -> None:
    """Write the configuration directory for the built SQLite `database`.

    inspect-data.json takes `digest` (the build's content_digest) and `known_counts` (row counts the build
    already has) instead of reading the whole file (rucas.build.publish.inspection.inspect_data). The link to
    the database is relative when the directory lies beside it (a build's own datasette/, which moves with
    the build), absolute with `absolute_link` (a copy elsewhere, which then keeps working wherever it is
    moved)."""
    directory.mkdir(parents=True, exist_ok=True)
    inspected = inspect_data(database, digest, known_counts)
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
