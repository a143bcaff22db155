"""Counts of the published dataset, per table and per source, for `rucas stats` and the README."""

from __future__ import annotations

from pathlib import Path

import duckdb

PER_SOURCE_SQL = """
SELECT s.source_id,
       (SELECT count(*) FROM statements t WHERE t.source_id = s.source_id) AS statements,
       (SELECT count(*) FROM events e WHERE e.source_id = s.source_id) AS events,
       (SELECT count(*) FROM event_conditions c JOIN events e USING (event_id) WHERE e.source_id = s.source_id)
           AS conditions,
       (SELECT count(*) FROM claims c JOIN statements t USING (statement_id) WHERE t.source_id = s.source_id)
           AS claims,
       (SELECT count(DISTINCT actor_id) FROM (
            SELECT speaker_id AS actor_id FROM statements WHERE source_id = s.source_id
            UNION SELECT reported_via_id FROM statements WHERE source_id = s.source_id
            UNION SELECT sa.actor_id FROM statement_actors sa JOIN statements t USING (statement_id)
                  WHERE t.source_id = s.source_id
            UNION SELECT ea.actor_id FROM event_actors ea JOIN events e USING (event_id)
                  WHERE e.source_id = s.source_id) a WHERE actor_id IS NOT NULL) AS actors
FROM sources s ORDER BY s.source_id
"""


def per_source_counts(output_dir: Path) -> list[dict[str, object]]:
    """Statements, events, conditions, claims and distinct actors coded from each source."""
    con = duckdb.connect(str(output_dir / "rucas.duckdb"), read_only=True)
    try:
        cursor = con.execute(PER_SOURCE_SQL)
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
