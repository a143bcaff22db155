"""How to cite RUCAS and one row of it: the one definition the site, the exports and `rucas.cite` share."""

from __future__ import annotations

from rucas.build.write.datapackage import DATASET_TITLE as DATASET_NAME

CITE_ROW = "{dataset}, version {version}, table {table}, row {row}; coded from {source}. Licence CC-BY-4.0."
"""The citation of one row. `source` is the article's URL, or its headline, publisher and date where no
URL is known, or 'reference files' for rows curated from reference knowledge rather than an article."""

NO_ARTICLE = "the curated reference files (no article)"


NO_URL = " (no URL known)"

SOURCE_EXPRESSION = (
    "coalesce(s.url, '\"' || s.title || '\"' || coalesce(', ' || s.publisher, '') "
    f"|| coalesce(', ' || s.date_earliest, '') || '{NO_URL}')"
)
"""The source part of a row's citation, in SQL over the article `s`: its URL where known, else its quoted
headline, publisher and earliest date followed by NO_URL. The one definition: rucas.cite and the site
both run it (through source_sql)."""


def cite_row(version: str, table: str, row: str, source: str) -> str:
    """The citation string of one row (see CITE_ROW)."""
    return CITE_ROW.format(dataset=DATASET_NAME, version=version, table=table, row=row, source=source)


def source_sql(table: str) -> str | None:
    """SQL returning one column, `source`: the citation's source part (SOURCE_EXPRESSION) for the article
    a row of `table` is coded from, with the row's primary-key columns as named parameters; None for tables
    not coded from articles.

    Derived from the schema: the table's own source_id, or the source_id of the first table it references
    that has one (a condition through its event, a claim through its statement)."""
    from rucas.schema import table_spec

    spec = table_spec(table)
    where = " AND ".join(f"t.{name} = :{name}" for name in spec.primary_key)
    columns = f"{SOURCE_EXPRESSION} AS source"
    if "source_id" in spec.column_names:
        return f"SELECT {columns} FROM {table} t JOIN sources s ON s.source_id = t.source_id WHERE {where}"
    for column in spec.columns:
        if column.references and "source_id" in table_spec(column.references[0]).column_names:
            via, key = column.references
            return (f"SELECT {columns} FROM {table} t JOIN {via} v ON v.{key} = t.{column.name} "
                    f"JOIN sources s ON s.source_id = v.source_id WHERE {where}")
    return None
