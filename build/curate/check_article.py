"""`rucas check`: validate one article against the reference files and say what it adds to each table.

Only the article, its annotation and the reference files are read, so the answer comes in
well under a second whatever the size of the corpus. The checks that need every other
article (ids unique across the corpus) are left to `rucas validate` and `rucas build`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rucas.build.curate.source_ids import source_id_problem
from rucas.build.read.corpus import Corpus, read_corpus

# Validation is called through `checks.` in _validate only: one place to follow if its names change.
from rucas.build.validate import checks
from rucas.build.validate.corpus import validate_corpus
from rucas.build.read.errors import CurationError, ValidationFailed, display_path
from rucas.build.review_page.render import article_review_page
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


def _validate(corpus: Corpus, source_id: str) -> tuple[list[CurationError], checks.Rows, checks.Rows]:
    """Validation of the reference files and one article (the one validation path, on a corpus of that
    article), with its rows; the checks across files are kept for that article and the reference files'
    own errors."""
    reference = checks.validate_reference(corpus)
    article = checks.validate_article(source_id, corpus.articles[source_id], corpus.annotations[source_id])
    try:
        validate_corpus(corpus, tables=False)
        return [], article.rows, reference.rows
    except ValidationFailed as failure:
        errors = failure.errors
    own = {corpus.annotations[source_id].shown, corpus.articles[source_id].shown}
    # Errors across files inside reference files may only reflect the articles not read here (a membership
    # attested by another article): `rucas validate` reports those. Those in this article are real.
    of_reference = {(error.path, error.message) for error in reference.errors}
    kept = [error for error in errors if error.path in own or (error.path, error.message) in of_reference]
    return kept, article.rows, reference.rows


def check_article(curated_dir: Path, source_id: str) -> ArticleCheck:
    """Validate articles/<source_id>.txt and annotations/<source_id>.yaml against the reference files."""
    errors: list[CurationError] = []
    if (problem := source_id_problem(source_id)) is not None:
        shown = source_id if len(source_id) <= 80 else source_id[:80] + "…"
        errors.append(CurationError(display_path(curated_dir / "articles"), 1,
                                    f"{shown!r} is not a source id: it {problem}.",
                                    "give the file stem of the article, e.g. eurasianet-russia-turns-down-kyrgyzstans-plea."))
        return ArticleCheck(source_id, None, errors)
    corpus = read_corpus(curated_dir, only=source_id)
    article, annotation = corpus.articles.get(source_id), corpus.annotations.get(source_id)
    text = article.data.decode("utf-8", errors="replace") if article else None
    if article is None or annotation is None:
        return ArticleCheck(source_id, text, corpus.errors)
    found, rows, reference = _validate(corpus, source_id)
    tables = {name: list(rows.tables.get(name, [])) for name in ARTICLE_TABLES}
    names = {row["actor_id"]: row["name"] for row in reference.tables.get("actors", [])}
    return ArticleCheck(source_id, text, sorted(set(errors + found), key=CurationError.sort_key), tables, names)


def check_review_page(result: ArticleCheck) -> str | None:
    """The review page of a checked article (None when its text could not be read): the page the site serves
    for it once built, from the rows validation made; with errors, the rows that have none and a line that
    says so."""
    if result.text is None:
        return None
    source = (result.tables.get("sources") or [{}])[0] | {"source_id": result.source_id, "text": result.text}
    notice = (f"{len(result.errors)} error(s): rows with errors are not shown (see the list from rucas check)"
              if result.errors else None)
    return article_review_page(source, result.tables, result.actor_names, notice)


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
