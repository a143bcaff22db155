"""Generate Datasette's metadata from the schema and queries/: descriptions, labels, sorts, facets, canned queries."""

from __future__ import annotations

import json
from pathlib import Path

from rucas.build.datapackage import CURATION_LICENSE, DATASET_DESCRIPTION, DATASET_TITLE
from rucas.build.sqlite_db import FULL_TEXT
from rucas.queries import canned_queries, view_files
from rucas.schema import table_specs

DATABASE_NAME = "rucas"

LABEL_COLUMNS = {"actors": "name", "sources": "title", "alliances": "name", "events": "summary",
                 "statements": "evidence", "actor_roles": "title"}
SORT_COLUMNS = {"sources": "date_earliest", "events": "date_earliest", "statements": "date_earliest",
                "actor_roles": "date_earliest", "alliance_members": "joined_date"}
FACETS = {
    "events": ["event_type", "modality", "location_country_iso3", "event_mode"],
    "statements": ["quote_kind", "speaker_id", "reported_via_id"],
    "actors": ["actor_type", "country_iso3"],
    "sources": ["publisher", "language"],
    "event_actors": ["role"],
    "event_conditions": ["condition_type"],
    "claims": ["relation"],
    "alliance_members": ["alliance_id", "status"],
    "codebook": ["codebook"],
}


def metadata() -> dict[str, object]:
    """Datasette metadata for the rucas database, derived from the table classes and query files."""
    tables: dict[str, dict[str, object]] = {}
    for spec in table_specs():
        entry: dict[str, object] = {
            "description": spec.description,
            "columns": {c.name: c.description for c in spec.columns},
        }
        if spec.name in LABEL_COLUMNS:
            entry["label_column"] = LABEL_COLUMNS[spec.name]
        if spec.name in SORT_COLUMNS:
            entry["sort_desc"] = SORT_COLUMNS[spec.name]
        if spec.name in FACETS:
            entry["facets"] = FACETS[spec.name]
        if spec.name in FULL_TEXT:
            entry["fts_table"] = f"{spec.name}_fts"
            entry["fts_pk"] = "rowid"
        tables[spec.name] = entry
    for table in FULL_TEXT:
        for suffix in ("_fts", "_fts_data", "_fts_idx", "_fts_docsize", "_fts_config"):
            tables[f"{table}{suffix}"] = {"hidden": True}
    for view in view_files():
        tables[view.name] = {"description": view.description}
    queries = {
        query.name: {"sql": query.sql, "description": query.description, "title": query.name.replace("_", " ")}
        for query in canned_queries()
    }
    return {
        "title": DATASET_TITLE,
        "description": DATASET_DESCRIPTION,
        "license": CURATION_LICENSE["title"],
        "license_url": CURATION_LICENSE["path"],
        "source": "Curated news articles (see the sources table for each article's publisher and rights)",
        "databases": {DATABASE_NAME: {"description": DATASET_DESCRIPTION, "tables": tables, "queries": queries}},
    }


def write_config(directory: Path) -> None:
    """Write the Datasette configuration directory's metadata.json."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "metadata.json").write_text(json.dumps(metadata(), indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
