"""Write the Frictionless Data Package (v2) descriptor of the Parquet files."""

from __future__ import annotations

import json
from pathlib import Path

from rucas.schema import table_specs
from rucas.schema.derive import frictionless_resource

DATASET_TITLE = "RUCAS: Russia's security role in Central Asia"
DATASET_DESCRIPTION = (
    "Requests for and offers of military assistance, refusals and denials, consultations, readiness "
    "changes, exercises and clashes involving Russia and the Central Asian states, with the statements "
    "behind them, the alliances that bound the parties on the day, and for every row the verbatim words "
    "of the news article it was coded from."
)
CURATION_LICENSE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                    "path": "https://creativecommons.org/licenses/by/4.0/"}
"""The licence of the curation (codes, links, offsets); article texts stay their publishers' (sources.rights)."""


def datapackage(version: str) -> dict[str, object]:
    """The datapackage.json document for this dataset version."""
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "rucas",
        "title": DATASET_TITLE,
        "description": DATASET_DESCRIPTION,
        "version": version,
        "licenses": [CURATION_LICENSE],
        "resources": [frictionless_resource(spec) for spec in table_specs()],
    }


def write_datapackage(path: Path, version: str) -> None:
    """Write datapackage.json (sorted keys, stable bytes)."""
    path.write_text(json.dumps(datapackage(version), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
