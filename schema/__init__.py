"""The RUCAS schema: SQLModel table classes (the one definition) and what is derived from them.

`TABLE_MODELS` is imported on first use, so that reading the specs does not import the ORM."""

from typing import Any

from rucas.schema.derive import ColumnSpec, TableSpec, table_spec, table_specs

__all__ = ["TABLE_MODELS", "ColumnSpec", "TableSpec", "table_spec", "table_specs"]


def __getattr__(name: str) -> Any:
    if name == "TABLE_MODELS":
        from rucas.schema import tables

        return tables.TABLE_MODELS
    raise AttributeError(f"module 'rucas.schema' has no attribute {name!r}")
