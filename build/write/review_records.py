"""The stored record behind each review status, published with the build: the codings and adjudication logs.

A source that says `double-coded` or `adjudicated` rests on files of the curated folder
(`codings/<role>/<id>.yaml`, the coder's RECORD.md and packet, `adjudications/<id>.yaml`); the tables
`coding_agreement` and `adjudications` are computed from them. The build copies them, byte for byte and
checked against the hashes the manifest records as inputs, into `records/` of the output, so that a
build or a release carries what lets a reader recompute its agreement figures and read each decision.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rucas.build.read.layout import ADJUDICATIONS_FOLDER, CODINGS_FOLDER

RECORD_FOLDERS = (CODINGS_FOLDER, ADJUDICATIONS_FOLDER)
"""The curated folders whose files are the review record."""


def write_review_records(curated: Path, inputs: list[dict[str, object]], out: Path) -> list[str]:
    """Copy every input under RECORD_FOLDERS from `curated` into `out` (created, possibly empty).

    Returns the copied paths relative to `out`. A file whose bytes no longer have the hash recorded for it
    (it changed during the build) raises RuntimeError rather than publish a record the manifest misstates."""
    out.mkdir(parents=True, exist_ok=True)
    copied: list[str] = []
    for item in inputs:
        relative = str(item["path"])
        if relative.split("/", 1)[0] not in RECORD_FOLDERS:
            continue
        data = (curated / relative).read_bytes()
        if hashlib.sha256(data).hexdigest() != item["sha256"]:
            raise RuntimeError(f"{curated / relative} changed during the build. Fix: build again.")
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        copied.append(relative)
    return copied
