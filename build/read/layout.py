"""The curated input format: which file and which YAML key feeds which published table.

The one definition of the format's shape. Listing (rucas.build.read.corpus) and validation
(rucas.build.validate.checks, .across) read these mappings, and the reference document renders
`curated_inputs()` from them, so the table of files and keys cannot drift from the code that reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

ANNOTATION_TABLES: dict[str, str] = {"source": "sources", "statements": "statements", "events": "events",
                                     "claims": "claims"}
"""The top-level keys of annotations/<source_id>.yaml and the table each one's entries become."""

NESTED_TABLES: dict[str, dict[str, str]] = {
    "statements": {"about": "statement_actors", "addressees": "statement_actors"},
    "events": {"actors": "event_actors", "conditions": "event_conditions"},
}
"""Keys inside a statement or event entry that are not columns of its table, and the table they feed."""

REFERENCE_FILES: dict[str, str] = {"actors": "actors", "roles": "actor_roles", "alliances": "alliances",
                                   "memberships": "alliance_members", "codebook": "codebook",
                                   "country_codes": "country_codes", "id_renames": "redirects"}
"""The files of reference/ (by stem, in reading order) and the table each one's entries become."""

OPTIONAL_REFERENCE_FILES: frozenset[str] = frozenset({"id_renames"})
"""Reference files a corpus may lack (read as empty): a corpus that never renamed an id has nothing to say."""

REFERENCE_NESTED: dict[str, dict[str, str]] = {"actors": {"aliases": "actor_aliases"}}
"""Keys inside a reference entry that are not columns of its table, and the table they feed."""

CURATED_CODEBOOKS: dict[str, str] = {
    "event_types": "event_type", "event_modes": "event_mode", "event_contexts": "event_context",
    "cameo_codes": "cameo_code", "condition_types": "condition_type", "coder_roles": "coder_role",
    "uncitable_domains": "uncitable_domain"}
"""Sections of reference/codebook.yaml and the codebook (named after the column, or kind of column) each one lists."""

ADJUDICATIONS_FOLDER = "adjudications"
"""adjudications/<source_id>.yaml: the log whose `decisions:` become rows of the adjudications table."""

CODINGS_FOLDER = "codings"
"""codings/<role>/<source_id>.yaml: each coder's own coding, compared into coding_agreement."""


@dataclass(frozen=True)
class CuratedInput:
    """One place in the curated files and the published table its entries (or the file itself) become."""

    file: str
    key: str
    table: str
    note: str = ""


def curated_inputs() -> list[CuratedInput]:
    """Every curated file and key, in reading order, with the table it feeds (derived from the mappings above)."""
    annotation = "annotations/<source_id>.yaml"
    inputs = [CuratedInput("articles/<source_id>.txt", "(the whole file)", "sources",
                           "text and text_sha256; body_start and body_end from source.body")]
    for key, table in ANNOTATION_TABLES.items():
        inputs.append(CuratedInput(annotation, f"{key}:", table))
        for nested, nested_table in NESTED_TABLES.get(key, {}).items():
            inputs.append(CuratedInput(annotation, f"{key}: [ {nested}: ]", nested_table))
    for stem, table in REFERENCE_FILES.items():
        file = f"reference/{stem}.yaml"
        if stem == "codebook":
            for section, codebook in CURATED_CODEBOOKS.items():
                inputs.append(CuratedInput(file, f"{section}:", table, f"codebook = {codebook}"))
            continue
        inputs.append(CuratedInput(file, "(a list of entries)", table))
        for nested, nested_table in REFERENCE_NESTED.get(stem, {}).items():
            inputs.append(CuratedInput(file, f"[ {nested}: ]", nested_table))
    inputs.append(CuratedInput(f"{ADJUDICATIONS_FOLDER}/<source_id>.yaml", "decisions:", "adjudications"))
    inputs.append(CuratedInput(f"{CODINGS_FOLDER}/<role>/<source_id>.yaml", "(an annotation)", "coding_agreement",
                               "compared with the other role's coding (rucas agreement)"))
    return inputs
