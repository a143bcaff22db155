"""Normalise validated rows into pyarrow tables, one per published table, sorted by primary key."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from rucas.schema import TableSpec, table_specs
from rucas.schema.derive import arrow_schema


def _sort_key(spec: TableSpec):
    names = spec.primary_key

    def key(row: dict[str, Any]) -> tuple:
        return tuple((row[n] is None, row[n]) for n in names)

    return key


def to_arrow(spec: TableSpec, rows: list[dict[str, Any]]) -> pa.Table:
    """One table's rows as a pyarrow Table with the schema derived from the model, sorted by key."""
    schema = arrow_schema(spec)
    ordered = sorted(rows, key=_sort_key(spec))
    columns = [pa.array([row[field.name] for row in ordered], type=field.type) for field in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def arrow_tables(tables: dict[str, list[dict[str, Any]]]) -> dict[str, pa.Table]:
    """Every published table as a pyarrow Table, in dependency order."""
    return {spec.name: to_arrow(spec, tables.get(spec.name, [])) for spec in table_specs()}
