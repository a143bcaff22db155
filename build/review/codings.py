"""Read one coder's coding of articles (codings/<role>/<source_id>.yaml) and validate it as annotations are validated.

A coding file has the format of an annotation and is checked by the same code
(`rucas.build.validate.checks.validate_article`, then the checks across files) against the curated reference
files plus the coding folder's own `actors.yaml` (actors that coder needed and the reference lacks, valid
for that coding only), so that every statement, event and condition has its evidence as a character span.
A coding is one coder's work: its `source:` block names that folder's role as coder and is single-coded.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rucas.build.read.corpus import SLUG, Corpus, CuratedFile, read_corpus
from rucas.build.read.layout import CODINGS_FOLDER
from rucas.build.validate.across import ORIGIN, check_across, encode_origin
from rucas.build.validate.checks import validate_article, validate_reference
from rucas.build.validate.rows import Rows
from rucas.build.read.errors import CurationError, display_path, locate_errors
from rucas.build.arrow_tables import rows_to_arrow
from rucas.schema import table_specs
from rucas.schema.codes import ReviewStatus

CODING_ACTORS = "actors.yaml"
"""A coding folder's own actors (format of reference/actors.yaml), valid for that coding only."""


def coding_path(curated: Path, role: str, source_id: str) -> Path:
    """Where `role`'s coding of article `source_id` is stored."""
    return curated / CODINGS_FOLDER / role / f"{source_id}.yaml"


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, as hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_text_of(shown: str) -> str | None:
    """The text of a file by the name errors show it under (relative to the working directory, or absolute)."""
    try:
        return Path(shown).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


@dataclass
class CodedArticle:
    """One article as one coder coded it: its text, body, and rows of every table it feeds."""

    source_id: str
    path: Path
    sha256: str
    text: str
    body: tuple[int, int]
    tables: dict[str, list[dict[str, Any]]]


@dataclass
class Coding:
    """A coder's coding of some articles, with the errors that validating it found (empty when valid)."""

    role: str
    articles: dict[str, CodedArticle] = field(default_factory=dict)
    errors: list[CurationError] = field(default_factory=list)


GUIDE_PROVENANCE = ((b"\n  reviewer: null\n", b"\n  #reviewer: null\n"),
                    (b"\n  review_date: null\n", b"\n  #review_date: null\n"),
                    (b"\n  review_status: unreviewed\n", b"\n  review_status: single-coded\n"))
"""The provenance lines the coder's guide (codings/<role>/GUIDE.md) told a coder to write before review statuses
became a closed vocabulary: no review, no status. A coding stays byte for byte what its coder wrote (its hash is
in the adjudication log), so they are read as what they say, single-coded, with every line where it was."""


def _coding_file(path: Path, shown: str, relative: str) -> CuratedFile:
    """A coding file as validation reads it: its bytes, with the guide's provenance lines read as single-coded."""
    file = _listed(path, shown, relative)
    data = file.data
    if all(old in data for old, _ in GUIDE_PROVENANCE):
        for old, new in GUIDE_PROVENANCE:
            data = data.replace(old, new, 1)
        file = CuratedFile(path, shown, relative, file.fingerprint, data)
    return file


def _listed(path: Path, shown: str, relative: str) -> CuratedFile:
    info = path.stat()
    return CuratedFile(path, shown, relative, (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))


def coded_source_ids(curated: Path, role: str) -> list[str]:
    """The articles `role` coded: the names of its coding files, sorted (actors.yaml is not one)."""
    folder = curated / CODINGS_FOLDER / role
    if not folder.is_dir():
        return []
    return sorted(name[:-5] for name in os.listdir(folder)
                  if name.endswith(".yaml") and name != CODING_ACTORS and not name.startswith("."))


def _coding_actors(folder: Path, shown_folder: str) -> tuple[Rows, list[CurationError]]:
    """The rows (actors, aliases) of a coding folder's actors.yaml, validated as reference/actors.yaml is."""
    path = folder / CODING_ACTORS
    if not path.is_file():
        return Rows(), []
    corpus = Corpus(folder, reference={"actors": _listed(path, f"{shown_folder}/{CODING_ACTORS}", CODING_ACTORS)})
    result = validate_reference(corpus)
    rows = Rows()
    for table in ("actors", "actor_aliases"):
        for row, origin in zip(result.rows.tables.get(table, []), result.rows.origins.get(table, [])):
            rows.add(table, row, origin)
    return rows, result.errors


def read_coding(curated: Path, role: str, source_ids: list[str] | None = None) -> Coding:
    """Validate `role`'s codings of `source_ids` (default: every article it coded) and return their rows.

    Problems are returned in `Coding.errors` (file:line and fix, lines located), never raised."""
    coding = Coding(role)
    folder = curated / CODINGS_FOLDER / role
    shown_folder = f"{display_path(curated)}/{CODINGS_FOLDER}/{role}"
    if not SLUG.fullmatch(role) or not folder.is_dir():
        coding.errors.append(CurationError(shown_folder, 1, f"there is no coding folder for role {role!r}.",
                                           f"store each coding as {CODINGS_FOLDER}/{role}/<source_id>.yaml, or name "
                                           "an existing role (a code of codebook.yaml coder_roles)."))
        return coding
    wanted = coded_source_ids(curated, role) if source_ids is None else source_ids
    corpus = read_corpus(curated, only=wanted[0]) if wanted else read_corpus(curated)
    errors = [error for error in corpus.errors if "reference" in error.path]
    reference = validate_reference(corpus)
    errors += reference.errors
    rows = Rows()
    rows.extend(reference.rows)
    actors, actor_errors = _coding_actors(folder, shown_folder)
    errors += actor_errors
    rows.extend(actors)
    per_article: dict[str, Rows] = {}
    for source_id in wanted:
        path = coding_path(curated, role, source_id)
        shown = f"{shown_folder}/{source_id}.yaml"
        article_path = curated / "articles" / f"{source_id}.txt"
        if not path.is_file():
            errors.append(CurationError(shown, 1, f"{role} has no coding of {source_id!r}.",
                                        f"store {role}'s coding of the article here."))
            continue
        if not article_path.is_file():
            errors.append(CurationError(shown, 1, f"coding of {source_id!r}, but there is no articles/{source_id}.txt.",
                                        "name the coding file after its article's source id."))
            continue
        article = _listed(article_path, f"{display_path(curated)}/articles/{source_id}.txt", f"articles/{source_id}.txt")
        coded = _coding_file(path, shown, f"{CODINGS_FOLDER}/{role}/{source_id}.yaml")
        result = validate_article(source_id, article, coded)
        errors += result.errors
        errors += _check_coder(result.rows, role)
        rows.extend(result.rows)
        per_article[source_id] = result.rows
    # the reference may name any article of the corpus (a membership's basis): those not coded here are known too
    articles = curated / "articles"
    rows.failed_keys["sources"] |= {name[:-4] for name in os.listdir(articles) if name.endswith(".txt")} \
        if articles.is_dir() else set()
    root = corpus.shown_root()
    tables = {spec.name: rows_to_arrow(spec, rows.tables.get(spec.name, []),
                                       {ORIGIN: [encode_origin(o, root) for o in rows.origins.get(spec.name, [])]})
              for spec in table_specs()}
    errors += check_across(tables, rows.failed_keys, rows.unreadable, root, read_text_of, published=False)
    coding.errors = sorted(set(locate_errors(errors, read_text_of)), key=CurationError.sort_key)
    if coding.errors:
        return coding
    for source_id, article_rows in per_article.items():
        source = article_rows.tables["sources"][0]
        path = coding_path(curated, role, source_id)
        coding.articles[source_id] = CodedArticle(source_id, path, file_sha256(path), source["text"],
                                                  (source["body_start"], source["body_end"]),
                                                  dict(article_rows.tables))
    return coding


def _check_coder(rows: Rows, role: str) -> list[CurationError]:
    """A coding names its folder's role as coder, and is single-coded (a coding is one coder's work)."""
    errors = []
    for row, origin in zip(rows.tables.get("sources", []), rows.origins.get("sources", [])):
        if row["coder"] != role:
            errors.append(CurationError(origin.path, origin.line_of("coder"), f"this coding is in {CODINGS_FOLDER}/"
                                        f"{role}/ but names coder {row['coder']!r}.",
                                        f"write coder: {role}, or move the file to {CODINGS_FOLDER}/{row['coder']}/."))
        if row["review_status"] != ReviewStatus.single_coded.value:
            errors.append(CurationError(origin.path, origin.line_of("review_status"),
                                        f"a coding is one coder's work, but this one says {row['review_status']}.",
                                        "write review_status: single-coded (the published annotation says how it "
                                        "was reviewed)."))
    return errors
