"""Read published tables and views into pandas with the dtypes the schema defines."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from rucas.schema import table_spec
from rucas.schema.derive import pandas_dtypes


def _types_mapper(arrow_type: pa.DataType) -> object | None:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype()
    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_floating(arrow_type):
        return pd.Float64Dtype()
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    if pa.types.is_date32(arrow_type):
        return pd.ArrowDtype(pa.date32())
    return None


def arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """A pyarrow table as a DataFrame of nullable pandas types (no float NaN for missing integers)."""
    return table.to_pandas(types_mapper=_types_mapper)


def load_table(name: str, directory: Path) -> pd.DataFrame:
    """A published table from its Parquet file, typed by the schema."""
    frame = arrow_to_pandas(pq.read_table(directory / "parquet" / f"{name}.parquet"))
    for column, dtype in pandas_dtypes(table_spec(name)).items():
        if isinstance(dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype("string").astype(dtype)
    return frame


def load_view(name: str, directory: Path) -> pd.DataFrame:
    """A prepared view, computed by DuckDB (opened read-only) from the published database."""
    import duckdb

    con = duckdb.connect(str(directory / "rucas.duckdb"), read_only=True)
    try:
        return arrow_to_pandas(con.sql(f"SELECT * FROM {name}").to_arrow_table())
    finally:
        con.close()
