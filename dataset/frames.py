"""Read published tables and views into pandas with the dtypes the schema defines.

One dtype per column, wherever it is read: text `string`, whole numbers `Int64`, decimals `Float64`,
booleans `boolean`, coded columns categoricals over their full vocabulary, and dates `datetime64[ns]`
(midnight of the day; missing is NaT), the type pandas compares with strings ("2010-01-01"), resamples
and plots. A view's column takes the dtype of the table column of the same name in the first table the
view reads that has one (as its description does); other view columns are typed by their values.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from rucas.queries import SqlFile
from rucas.schema import table_spec, table_specs
from rucas.schema.derive import pandas_dtypes

DATE_DTYPE = "datetime64[ns]"
"""The pandas dtype of every date column of every table and view."""


def _types_mapper(arrow_type: pa.DataType) -> object | None:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype()
    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_floating(arrow_type):
        return pd.Float64Dtype()
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    return None


def arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """A pyarrow table as a DataFrame of nullable pandas types (no float NaN for missing integers); dates
    become DATE_DTYPE and dictionary columns plain strings (apply_dtypes then makes coded ones categorical)."""
    columns = []
    for field, column in zip(table.schema, table.columns):
        if pa.types.is_dictionary(field.type):
            column = column.cast(field.type.value_type)
        columns.append(column)
    plain = pa.Table.from_arrays(columns, names=table.column_names)
    frame = plain.to_pandas(types_mapper=_types_mapper, date_as_object=False)
    for field in plain.schema:
        if pa.types.is_date(field.type) or pa.types.is_timestamp(field.type):
            frame[field.name] = frame[field.name].astype(DATE_DTYPE)
    return frame


def apply_dtypes(frame: pd.DataFrame, dtypes: dict[str, object], where: str) -> pd.DataFrame:
    """Give each column of `frame` named in `dtypes` that dtype. A coded column whose values fall outside
    its vocabulary is an error (casting would silently turn them into missing values)."""
    for column, dtype in dtypes.items():
        if column not in frame.columns:
            continue
        if isinstance(dtype, pd.CategoricalDtype):
            values = set(frame[column].dropna().astype(str))
            outside = sorted(values - set(dtype.categories))
            if outside:
                raise ValueError(f"{where}: column {column} holds {outside}, outside its vocabulary "
                                 f"{list(dtype.categories)}")
            frame[column] = frame[column].astype("string").astype(dtype)
        elif str(dtype) == DATE_DTYPE:
            frame[column] = frame[column].astype(DATE_DTYPE)
        else:
            frame[column] = frame[column].astype(dtype)
    return frame


def view_dtypes(view: SqlFile, columns: list[str]) -> dict[str, object]:
    """The dtype of each view column named like a table column: that column's dtype, from the first table
    the view reads (FROM/JOIN order) that has it, else from any table."""
    specs = {spec.name: spec for spec in table_specs()}
    read = [specs[name] for name in view.tables_read if name in specs]
    candidates = read + [spec for spec in specs.values() if spec not in read]
    dtypes: dict[str, object] = {}
    for column in columns:
        for spec in candidates:
            if column in spec.column_names:
                dtypes[column] = pandas_dtypes(spec)[column]
                break
    return dtypes


def load_table(name: str, directory: Path) -> pd.DataFrame:
    """A published table from its Parquet file, typed by the schema."""
    return table_frame(name, pq.read_table(directory / "parquet" / f"{name}.parquet"))


def table_frame(name: str, table: pa.Table) -> pd.DataFrame:
    """A published table as read from its Parquet file (on disk or over HTTP, rucas.remote), typed by the schema."""
    return apply_dtypes(arrow_to_pandas(table), pandas_dtypes(table_spec(name)), f"table {name}")


def load_view(name: str, directory: Path) -> pd.DataFrame:
    """A prepared view, computed by DuckDB (opened read-only) from the published database, typed like the
    table columns it shows."""
    import duckdb
    from rucas.queries import view_files

    (view,) = [v for v in view_files() if v.name == name]
    con = duckdb.connect(str(directory / "rucas.duckdb"), read_only=True)
    try:
        frame = arrow_to_pandas(con.sql(f"SELECT * FROM {name}").to_arrow_table())
    finally:
        con.close()
    return apply_dtypes(frame, view_dtypes(view, list(frame.columns)), f"view {name}")
