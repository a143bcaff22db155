"""The RUCAS schema: SQLModel table classes (the one definition) and what is derived from them."""

from rucas.schema.derive import ColumnSpec, TableSpec, table_spec, table_specs
from rucas.schema.tables import TABLE_MODELS

__all__ = ["TABLE_MODELS", "ColumnSpec", "TableSpec", "table_spec", "table_specs"]
