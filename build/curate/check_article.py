"""`rucas check`: validate one article against the reference files and say what it adds to each table.

Only the article, its annotation and the reference files are read, so the answer comes in
well under a second whatever the size of the corpus. The checks that need every other
article (ids unique across the corpus) are left to `rucas validate` and `rucas build`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rucas.build.read.corpus import MAX_FILE_BYTES, REFERENCE_FILES, SLUG, Corpus, CuratedFile

# Validation is called through `checks.` in _validate only: one place to follow if its names change.
from rucas.build.validate import checks
from rucas.build.validate.errors import CurationError, display_path
from rucas.schema import table_specs

ARTICLE_TABLES = ("sources", "statements", "statement_actors", "events", "event_actors", "event_conditions", "claims")
"""The tables an annotation feeds, in the order a curator reads them."""


@dataclass
class ArticleCheck:
    """The outcome of checking one article: its errors, and its rows of each table it feeds."""

    source_id: str
    text: str | None
    errors: list[CurationError] = field(default_factory=list)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    actor_names: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _read_file(path: Path, errors: list[CurationError]) -> CuratedFile | None:
    shown = display_path(path)
    if not path.is_file():
        errors.append(CurationError(shown, 1, "file is missing.", "check the source id and the --curated folder."))
        return None
    if path.stat().st_size > MAX_FILE_BYTES:
        errors.append(CurationError(shown, 1, f"is over the {MAX_FILE_BYTES:,}-byte limit for a curated file.",
                                    "check that the right file was saved here."))
        return None
    return CuratedFile(path, shown, path.read_bytes())


def _validate(corpus: Corpus, source_id: str) -> tuple[list[CurationError], checks.Rows, checks.Rows]:
    """Validation of the reference files and one article, with the cross-file checks limited to that article."""
    reference = checks.validate_reference(corpus)
    article = checks.validate_article(source_id, corpus.articles[source_id], corpus.annotations[source_id])
    rows = checks.Rows()
    rows.extend(reference.rows)
    rows.extend(article.rows)
    own = corpus.annotations[source_id].shown
    # Cross-file errors inside reference files may only reflect the articles not read here (a membership
    # attested by another article): `rucas validate` reports those. Those in this annotation are real.
    across = [error for error in checks.check_corpus_rows(rows) if error.path == own]
    return reference.errors + article.errors + across, article.rows, reference.rows


def check_article(curated_dir: Path, source_id: str) -> ArticleCheck:
    """Validate articles/<source_id>.txt and annotations/<source_id>.yaml against the reference files."""
    errors: list[CurationError] = []
    if not SLUG.match(source_id):
        errors.append(CurationError(display_path(curated_dir / "articles" / f"{source_id}.txt"), 1,
                                    f"{source_id!r} is not a source id.",
                                    "give the file stem of the article, e.g. eurasianet-russia-turns-down-kyrgyzstans-plea."))
        return ArticleCheck(source_id, None, errors)
    corpus = Corpus(curated_dir)
    for name in REFERENCE_FILES:
        if (file := _read_file(curated_dir / "reference" / f"{name}.yaml", errors)) is not None:
            corpus.reference[name] = file
    article = _read_file(curated_dir / "articles" / f"{source_id}.txt", errors)
    annotation = _read_file(curated_dir / "annotations" / f"{source_id}.yaml", errors)
    text = article.data.decode("utf-8", errors="replace") if article else None
    if article is None or annotation is None:
        return ArticleCheck(source_id, text, errors)
    corpus.articles[source_id], corpus.annotations[source_id] = article, annotation
    found, rows, reference = _validate(corpus, source_id)
    tables = {name: list(rows.tables.get(name, [])) for name in ARTICLE_TABLES}
    names = {row["actor_id"]: row["name"] for row in reference.tables.get("actors", [])}
    return ArticleCheck(source_id, text, sorted(set(errors + found)), tables, names)


def row_key(table: str, row: dict[str, Any]) -> str:
    """A row's primary key as a curator reads it: the id, or the parts joined by ' / '."""
    spec = next(spec for spec in table_specs() if spec.name == table)
    return " / ".join(str(row[column]) for column in spec.primary_key)


def summary_lines(result: ArticleCheck) -> list[str]:
    """What the article's annotation adds to each table: a count and the keys of the rows."""
    width = max(len(name) for name in ARTICLE_TABLES)
    lines = []
    for table in ARTICLE_TABLES:
        rows = result.tables.get(table, [])
        keys = ", ".join(row_key(table, row) for row in rows)
        lines.append(f"  {table:<{width}}  {len(rows):>3}" + (f"  {keys}" if keys else ""))
    return lines
