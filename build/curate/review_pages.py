"""Write the review page of every article of a build, from the build's tables, into <build>/review/<source_id>.html.

A page depends only on its own article's rows, the reference tables and this code, so a build patched
from the previous one (rucas.build.write.incremental, whose writer digest covers this code and which is
cold whenever a reference file changes) renders only the pages of the articles that changed and takes
every other page over from the previous build as a hard link: the same bytes a cold build writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import os
import shutil

import pyarrow as pa
from rucas.build.curate.review_page import ReviewInput, render_review_page
from rucas.build.curate.source_ids import source_id_problem
from rucas.build.arrow_tables import article_rows, rows_having


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    """A table's rows as dicts, dates as ISO text and codes as plain text (several times faster than to_pylist)."""
    columns: dict[str, list[Any]] = {}
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        elif pa.types.is_date(column.type):
            column = column.cast(pa.string())
        columns[name] = column.to_pylist()
    return [dict(zip(columns, values)) for values in zip(*columns.values())]


def _grouped(table: pa.Table, key: str) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _rows(table):
        groups[row[key]].append(row)
    return groups


def review_inputs(tables: dict[str, pa.Table]) -> Iterator[tuple[ReviewInput, dict[str, Any]]]:
    """Each article's review input with its sources row, in source_id order, from the published tables."""
    names = dict(zip(tables["actors"].column("actor_id").to_pylist(), tables["actors"].column("name").to_pylist()))
    statements = _grouped(tables["statements"], "source_id")
    events = _grouped(tables["events"], "source_id")
    statement_actors = _grouped(tables["statement_actors"], "statement_id")
    claims = _grouped(tables["claims"], "statement_id")
    event_actors = _grouped(tables["event_actors"], "event_id")
    conditions = _grouped(tables["event_conditions"], "event_id")
    for source in sorted(_rows(tables["sources"]), key=lambda row: row["source_id"]):
        own_statements = statements.get(source["source_id"], [])
        own_events = events.get(source["source_id"], [])
        rows = {
            "statements": own_statements,
            "statement_actors": [r for s in own_statements for r in statement_actors.get(s["statement_id"], [])],
            "claims": [r for s in own_statements for r in claims.get(s["statement_id"], [])],
            "events": own_events,
            "event_actors": [r for e in own_events for r in event_actors.get(e["event_id"], [])],
            "event_conditions": [r for e in own_events for r in conditions.get(e["event_id"], [])],
        }
        yield ReviewInput(source["source_id"], source["text"], (source["body_start"], source["body_end"]), rows,
                          names), source


def source_subtitle(source: dict[str, Any]) -> str:
    """Publisher and publication date of a sources row, as the page's second line."""
    earliest, latest = source.get("date_earliest"), source.get("date_latest")
    date = "date unknown" if earliest is None and latest is None else (
        str(earliest) if earliest == latest else f"{earliest or '…'} – {latest or '…'}")
    return f"{source['publisher']} · {date} ({source['date_precision']})"


def articles_tables(tables: dict[str, pa.Table], source_ids: set[str]) -> dict[str, pa.Table]:
    """The rows of `tables` that review pages of the articles `source_ids` show: their rows in every table
    of articles (arrow_tables.article_rows), and the actors whole."""
    return article_rows(lambda spec, conditions: rows_having(tables[spec.name], conditions), source_ids) \
        | {"actors": tables["actors"]}


def write_review_pages(tables: dict[str, pa.Table], folder: Path, *, previous: Path | None = None,
                       changed: set[str] | None = None) -> int:
    """Write <folder>/<source_id>.html for every article; return how many were rendered.

    With `previous` (the review folder of the build this one is patched from) and `changed` (the source
    ids whose article or annotation differ from that build's), the page of every other article is a hard
    link to (or, across file systems, a copy of) its previous page, and only the pages of changed
    articles, or of articles the previous build has no page for, are rendered."""
    folder.mkdir(parents=True, exist_ok=True)
    source_ids = set(tables["sources"].column("source_id").to_pylist())
    for source_id in source_ids:  # validation guarantees it; a page's file name is never taken on trust
        if (problem := source_id_problem(source_id)) is not None:
            raise ValueError(f"source id {source_id[:80]!r} {problem}: no review page is written for it")
    render = source_ids
    if previous is not None and changed is not None:
        render = set()
        for source_id in sorted(source_ids):
            page = f"{source_id}.html"
            if source_id in changed or not (previous / page).is_file():
                render.add(source_id)
                continue
            try:
                os.link(previous / page, folder / page)
            except OSError:
                shutil.copyfile(previous / page, folder / page)
    chosen = tables if render == source_ids else articles_tables(tables, render)
    written = 0
    for review, source in review_inputs(chosen):
        page = render_review_page(review, source["title"], source_subtitle(source))
        (folder / f"{review.source_id}.html").write_text(page, encoding="utf-8")
        written += 1
    return written
