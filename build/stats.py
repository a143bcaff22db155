"""Counts of the published dataset, per table and per source, for `rucas stats` and the reference (REFERENCE.md)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from rucas.queries import stats_queries


def per_source_sql() -> str:
    """The SQL of the counts per article (queries/stats/per_source.sql)."""
    return next(q.sql for q in stats_queries() if q.name == "per_source")


def per_source_counts(output_dir: Path) -> list[dict[str, object]]:
    """Statements, events, conditions, claims and distinct actors coded from each source."""
    con = duckdb.connect(str(output_dir / "rucas.duckdb"), read_only=True)
    try:
        cursor = con.execute(per_source_sql())
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        con.close()


def markdown_counts(row_counts: dict[str, int], per_source: list[dict[str, object]]) -> str:
    """The README's counts section: rows per table, then rows per article."""
    lines = ["| table | rows |", "| --- | ---: |"]
    lines += [f"| {name} | {count:,} |" for name, count in row_counts.items()]
    if per_source:
        columns = list(per_source[0])
        lines += ["", "| " + " | ".join(columns) + " |", "| --- |" + " ---: |" * (len(columns) - 1)]
        lines += ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in per_source]
    return "\n".join(lines)
