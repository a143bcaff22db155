"""A blind second coder's packet: one article, the coder's guide and the shared vocabulary, and nothing coded.

A second coding is blind when it is made from the article text and the guide alone. The packet gives the
coder exactly that, plus the reference files as read-only vocabulary (actor ids and aliases, offices,
alliances, the codebook, the country codes), with everything in them that could carry the first coding's reading left out:

* actors keep their id, name, type, country and aliases; their descriptions and Wikidata ids are left out
  (a description may say what an actor did in an article);
* every `note` of roles, alliances and memberships is replaced by a sentence saying it was left out (the
  reference notes cite the dates and documents the first coder used for the articles);
* memberships attested by an article (`basis: <source_id>`) are left out: their dates are an article's
  publication window, a date the second coder must work out alone;
* the annotations folder is empty.

`rucas blind-packet SOURCE_ID --out DIR --guide GUIDE.md` writes one; the record of each coding
(dataset/curated/codings/<role>/RECORD.md) says which packet its coder had.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import yaml

from rucas.build.read.corpus import SLUG

LEFT_OUT_NOTE = "Left out of the coder's copy of the reference file."
"""What stands in a packet's reference file wherever the project's file has a note."""

ACTOR_KEYS = ("actor_id", "name", "actor_type", "country_iso3", "aliases")
"""The keys of an actor a blind coder sees."""


def _notes_left_out(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: (LEFT_OUT_NOTE if key == "note" and item else _notes_left_out(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [_notes_left_out(item) for item in value]
    return value


def _write_yaml(path: Path, header: str, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(f"# {header}\n")
        yaml.safe_dump(rows, out, allow_unicode=True, sort_keys=False, width=110)


def blind_packet_reference(curated: Path) -> dict[str, list[dict[str, Any]]]:
    """The reference files as a blind coder receives them (file name -> rows), derived from `curated/reference`."""
    reference = curated / "reference"

    def load(name: str) -> list[dict[str, Any]]:
        return yaml.safe_load((reference / name).read_text(encoding="utf-8")) or []

    actors = [{key: actor[key] for key in ACTOR_KEYS if key in actor} for actor in load("actors.yaml")]
    memberships = [row for row in load("memberships.yaml") if row.get("basis") == "reference"]
    return {
        "actors.yaml": actors,
        "roles.yaml": _notes_left_out(load("roles.yaml")),
        "alliances.yaml": _notes_left_out(load("alliances.yaml")),
        "memberships.yaml": _notes_left_out(memberships),
    }


def write_blind_packet(curated: Path, source_id: str, out: Path, guide: Path) -> dict[str, str]:
    """Write the packet for coding `source_id` blind into the new folder `out`; returns each file's sha256.

    The folder holds GUIDE.md and curated/ (articles/<source_id>.txt, an empty annotations/, reference/),
    so that `rucas check SOURCE_ID --curated OUT/curated` validates the coder's file with the same code as
    every annotation. `out` must not exist yet.
    """
    if len(source_id) > 200 or not SLUG.fullmatch(source_id):
        raise ValueError(f"{source_id[:80]!r} is not a source id: a lower-case slug such as "
                         "'eurasianet-russia-turns-down-kyrgyzstans-plea', at most 200 characters.")
    article = curated / "articles" / f"{source_id}.txt"
    if not article.is_file():
        raise FileNotFoundError(f"{article} does not exist: give the source id of a curated article.")
    if out.exists():
        raise FileExistsError(f"{out} exists already: give a new folder for the packet.")
    packet = out / "curated"
    for folder in ("articles", "annotations", "reference"):
        (packet / folder).mkdir(parents=True)
    shutil.copyfile(article, packet / "articles" / article.name)
    shutil.copyfile(guide, out / "GUIDE.md")
    for name in ("codebook.yaml", "country_codes.yaml"):  # codes only: nothing of a coding's reading
        shutil.copyfile(curated / "reference" / name, packet / "reference" / name)
    for name, rows in blind_packet_reference(curated).items():
        _write_yaml(packet / "reference" / name,
                    "The project's reference file as a blind coder receives it (rucas blind-packet). Read-only.", rows)
    return {path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(out.rglob("*")) if path.is_file()}
