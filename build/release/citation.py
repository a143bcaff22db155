"""The dataset's citation in Citation File Format 1.2.0: the repository's CITATION.cff and each release's.

This module is the one definition: CITATION.cff at the repository root is `citation_cff(__version__)`
(a test keeps them equal; regenerate with `python -m rucas.build.release.citation > CITATION.cff`),
and `rucas release` writes `citation_cff(<dataset version>, <release date>)` into the release folder.
Authors are the project as a team: no person is named who has not asked to be.
"""

from __future__ import annotations

import datetime

import yaml
from rucas.build.write.datapackage import CURATION_LICENSE, DATASET_DESCRIPTION, DATASET_TITLE

AUTHORS = [{"name": "RUCAS project team"}]
"""CFF authors: the project team as one entity (CFF 1.2.0 allows an entity with a name)."""

KEYWORDS = ["Russia", "Central Asia", "CSTO", "military assistance", "security", "event data", "news articles"]

MESSAGE = ("If you use RUCAS, please cite the release you used, with its version. The article texts in "
           "sources.text stay their publishers' (see sources.rights); cite the articles you quote.")


def citation(version: str, released: datetime.date | None = None) -> dict[str, object]:
    """The CFF document: `version` is a dataset version; `released` is set only for a release."""
    document: dict[str, object] = {
        "cff-version": "1.2.0",
        "message": MESSAGE,
        "title": DATASET_TITLE,
        "type": "dataset",
        "authors": AUTHORS,
        "abstract": DATASET_DESCRIPTION,
        "keywords": KEYWORDS,
        "license": CURATION_LICENSE["name"],
        "version": version,
    }
    if released is not None:
        document["date-released"] = released.isoformat()
    return document


def citation_cff(version: str, released: datetime.date | None = None) -> str:
    """citation() as CITATION.cff text (YAML, stable bytes)."""
    return yaml.safe_dump(citation(version, released), sort_keys=False, allow_unicode=True, width=100)


if __name__ == "__main__":
    from rucas._version import __version__

    print(citation_cff(__version__), end="")
