"""How to cite RUCAS and one row of it: the one definition the site, the exports and `rucas.cite` share."""

from __future__ import annotations

from rucas.build.write.datapackage import DATASET_TITLE as DATASET_NAME

CITE_ROW = "{dataset}, version {version}, table {table}, row {row}; coded from {source}. Licence CC-BY-4.0."
"""The citation of one row. `source` is the article's URL, or its headline, publisher and date where no
URL is known, or 'reference files' for rows curated from reference knowledge rather than an article."""

NO_ARTICLE = "the curated reference files (no article)"


def describe_source(url: str | None, title: str | None, publisher: str | None, date: str | None) -> str:
    """The `source` part of a row's citation: the article's URL where known, else what identifies it."""
    if url:
        return url
    if title:
        parts = [f'"{title}"'] + [part for part in (publisher, date) if part]
        return ", ".join(parts) + " (no URL known)"
    return NO_ARTICLE


def cite_row(version: str, table: str, row: str, source: str) -> str:
    """The citation string of one row (see CITE_ROW)."""
    return CITE_ROW.format(dataset=DATASET_NAME, version=version, table=table, row=row, source=source)


def source_sql(table: str) -> str | None:
    """SQL returning (url, title, publisher, date_earliest) of the article a row of `table` is coded from,
    with the row's primary-key columns as named parameters; None for tables not coded from articles.

    Derived from the schema: the table's own source_id, or the source_id of the first table it references
    that has one (a condition through its event, a claim through its statement)."""
    from rucas.schema import table_spec

    spec = table_spec(table)
    where = " AND ".join(f"t.{name} = :{name}" for name in spec.primary_key)
    columns = "s.url, s.title, s.publisher, s.date_earliest"
    if "source_id" in spec.column_names:
        return f"SELECT {columns} FROM {table} t JOIN sources s ON s.source_id = t.source_id WHERE {where}"
    for column in spec.columns:
        if column.references and "source_id" in table_spec(column.references[0]).column_names:
            via, key = column.references
            return (f"SELECT {columns} FROM {table} t JOIN {via} v ON v.{key} = t.{column.name} "
                    f"JOIN sources s ON s.source_id = v.source_id WHERE {where}")
    return None
