"""Derive every other description of the tables from the SQLModel classes.

`derive_table_specs()` reads the classes into plain `TableSpec`s; schema/generated_specs.py holds what it
returns as plain Python (written by `python -m rucas.schema.generate_specs`, and tests/test_schema.py fails
when it is stale), and `table_specs()` loads that, so that validation and the writers run without importing
the ORM. The functions below turn a spec into DuckDB DDL, SQLite DDL, a pyarrow schema, pandas dtypes and a
Frictionless resource. Nothing here names a column: add a Field to a class, regenerate, and every output follows.
"""

from __future__ import annotations

import datetime
import functools
import json
import types
import typing
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from rucas.schema.forms import MAX_LENGTH, ROW_HISTORY_COLUMNS, SLUG_PATTERN, Display

if TYPE_CHECKING:
    from sqlmodel import SQLModel

    from rucas.schema.codes import CodedEnum


@dataclass(frozen=True)
class ColumnSpec:
    """One column as every engine needs to know it."""

    name: str
    kind: str
    """One of text, integer, double, date, boolean, enum."""
    nullable: bool
    description: str
    primary_key: bool = False
    references: tuple[str, str] | None = None
    """(table, column) this column is a foreign key to."""
    enum_values: tuple[str, ...] = ()
    pattern: str | None = None
    vocabulary: str | None = None
    """A code list the values must come from (see rucas.schema.countries), beyond their pattern."""
    minimum: float | None = None
    maximum: float | None = None
    form: str | None = None
    """What a text or enum column holds, which decides the rules its values meet (rucas.build.validate.rows): id,
    code, language, url, text or article (see rucas.schema.tables.MAX_LENGTH); None for other kinds."""
    max_length: int | None = None
    """The longest value of a text column, in characters (MAX_LENGTH of its form)."""


@dataclass(frozen=True)
class TableSpec:
    """One table: its name, description, columns in published order and keys."""

    name: str
    description: str
    columns: tuple[ColumnSpec, ...]
    model_name: str
    """The name of the SQLModel class in rucas.schema.tables that defines the table."""
    display: Display = field(default_factory=Display)
    """How people see the table: label column, sort, facets, full-text columns, leading columns."""

    @property
    def model(self) -> type[SQLModel]:
        """The SQLModel class that defines the table (imports the ORM)."""
        from rucas.schema import tables  # the module, not a name in it: finding a name's module imports it

        return next(model for model in tables.TABLE_MODELS if model.__name__ == self.model_name)

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def primary_key(self) -> list[str]:
        return [column.name for column in self.columns if column.primary_key]

    @property
    def display_columns(self) -> list[str]:
        """Every column in the order a reader wants them: the display's leading columns, then the
        others in schema order, then ids (primary and foreign keys) last."""
        lead = list(self.display.lead)
        ids = [c.name for c in self.columns if (c.primary_key or c.references) and c.name not in lead]
        middle = [name for name in self.column_names if name not in lead and name not in ids]
        return lead + middle + ids

    def column(self, name: str) -> ColumnSpec:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"table {self.name} has no column {name}")


_KINDS: dict[type, str] = {str: "text", int: "integer", float: "double", datetime.date: "date", bool: "boolean"}


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """Return the non-None type of an annotation and whether None was allowed."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) != 1:
            raise TypeError(f"unsupported union annotation {annotation!r}")
        return args[0], True
    return annotation, False


def _field_order(model: type[SQLModel]) -> list[str]:
    """Fields declared on the class itself first, then inherited ones (ids lead, shared blocks follow), the
    release's row history (ROW_HISTORY_COLUMNS) last."""
    own = [name for name in model.__dict__.get("__annotations__", {}) if name in model.model_fields]
    order = own + [name for name in model.model_fields if name not in own]
    return [name for name in order if name not in ROW_HISTORY_COLUMNS] + \
        [name for name in order if name in ROW_HISTORY_COLUMNS]


def _column_spec(model: type[SQLModel], name: str) -> ColumnSpec:
    field = model.model_fields[name]
    if not field.description:
        raise ValueError(f"{model.__name__}.{name} has no description: add description=... to its Field")
    python_type, optional = _unwrap_optional(field.annotation)
    sa_column = model.__table__.c[name]  # type: ignore[attr-defined]
    enum_values: tuple[str, ...] = ()
    if isinstance(python_type, type) and issubclass(python_type, Enum):
        kind = "enum"
        enum_values = tuple(member.value for member in python_type)
    else:
        kind = _KINDS[python_type]
    pattern = sa_column.info.get("pattern")
    minimum = maximum = None
    for meta in field.metadata:
        minimum = getattr(meta, "ge", None) if getattr(meta, "ge", None) is not None else minimum
        maximum = getattr(meta, "le", None) if getattr(meta, "le", None) is not None else maximum
    references = None
    if sa_column.foreign_keys:
        (foreign_key,) = sa_column.foreign_keys
        table, column = foreign_key.target_fullname.split(".")
        references = (table, column)
    form = _text_form(kind, sa_column.info, pattern, references)
    return ColumnSpec(
        name=name,
        kind=kind,
        nullable=optional and not sa_column.primary_key,
        description=field.description,
        primary_key=bool(sa_column.primary_key),
        references=references,
        enum_values=enum_values,
        pattern=pattern,
        vocabulary=sa_column.info.get("vocabulary"),
        minimum=minimum,
        maximum=maximum,
        form=form,
        max_length=MAX_LENGTH.get(form) if kind == "text" else None,
    )


def _text_form(kind: str, info: dict[str, str], pattern: str | None, references: tuple[str, str] | None) -> str | None:
    """The form of a text column: as declared, else an id (the id pattern, or a reference to an id), a code (any
    other pattern), or free text. Every text column gets one, so no column escapes the text rules."""
    if kind not in ("text", "enum"):
        return None
    if kind == "enum":
        return "code"
    if "form" in info:
        return info["form"]
    if pattern == SLUG_PATTERN or references is not None:
        return "id"
    return "code" if pattern else "text"


def derive_table_specs() -> tuple[TableSpec, ...]:
    """Every published table as a TableSpec, in dependency order, read from the SQLModel classes (imports the ORM)."""
    from rucas.schema import tables

    specs = []
    for model in tables.TABLE_MODELS:
        if not model.__doc__:
            raise ValueError(f"{model.__name__} has no docstring: it is the table's description")
        columns = tuple(_column_spec(model, name) for name in _field_order(model))
        display = model.__dict__.get("__display__", Display())
        spec = TableSpec(model.__tablename__, " ".join(model.__doc__.split()), columns, model.__name__, display)
        _check_display(spec)
        specs.append(spec)
    return tuple(specs)


@functools.cache
def table_specs() -> tuple[TableSpec, ...]:
    """Every published table as a TableSpec, in dependency order: derive_table_specs() as schema/generated_specs.py
    holds it (no ORM is imported)."""
    from rucas.schema.generated_specs import TABLES

    return tuple(TableSpec(table["name"], table["description"], tuple(ColumnSpec(**column) for column in table["columns"]),
                           table["model_name"], Display(**table["display"])) for table in TABLES)


def specs_as_data(specs: tuple[TableSpec, ...]) -> list[dict[str, Any]]:
    """TableSpecs as plain literals (a column's values that equal ColumnSpec's defaults left out), which
    `table_specs()` turns back into the same specs."""
    blank = ColumnSpec(name="", kind="", nullable=False, description="")
    data = []
    for spec in specs:
        columns = [{key: getattr(column, key) for key in column.__dataclass_fields__
                    if key in ("name", "kind", "nullable", "description") or getattr(column, key) != getattr(blank, key)}
                   for column in spec.columns]
        display = {key: getattr(spec.display, key) for key in spec.display.__dataclass_fields__
                   if getattr(spec.display, key) != getattr(Display(), key)}
        data.append({"name": spec.name, "description": spec.description, "model_name": spec.model_name,
                     "display": display, "columns": columns})
    return data


def _check_display(spec: TableSpec) -> None:
    """Every column a table's Display names must be one of its columns."""
    display = spec.display
    named = [display.label, display.newest_first, *display.facets, *display.full_text, *display.lead,
             *display.full_text_codes]
    unknown = [name for name in named if name is not None and name not in spec.column_names]
    if unknown:
        raise ValueError(f"{spec.model_name}.__display__ names columns it does not have: {unknown}")


def table_spec(name: str) -> TableSpec:
    """The TableSpec of one table by name."""
    for spec in table_specs():
        if spec.name == name:
            return spec
    raise KeyError(f"no table named {name!r}; tables are {[s.name for s in table_specs()]}")


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _check_clause(column: ColumnSpec, sqlite: bool) -> str | None:
    checks = []
    if column.enum_values:
        checks.append(f"{column.name} IN ({', '.join(sql_literal(v) for v in column.enum_values)})")
    if sqlite and column.kind == "date":
        checks.append(f"{column.name} IS date({column.name})")
    if sqlite and column.kind == "boolean":
        checks.append(f"{column.name} IN (0, 1)")
    if column.minimum is not None:
        checks.append(f"{column.name} >= {column.minimum:g}")
    if column.maximum is not None:
        checks.append(f"{column.name} <= {column.maximum:g}")
    if not checks:
        return None
    return f"CHECK ({column.name} IS NULL OR ({' AND '.join(checks)}))"


_DUCKDB_TYPES = {"text": "VARCHAR", "integer": "BIGINT", "double": "DOUBLE", "date": "DATE",
                 "boolean": "BOOLEAN", "enum": "VARCHAR"}
_SQLITE_TYPES = {"text": "TEXT", "integer": "INTEGER", "double": "REAL", "date": "TEXT",
                 "boolean": "INTEGER", "enum": "TEXT"}


def _create_table(spec: TableSpec, types_by_kind: dict[str, str], sqlite: bool) -> str:
    lines = []
    for column in spec.columns:
        line = f"{column.name} {types_by_kind[column.kind]}"
        if not column.nullable:
            line += " NOT NULL"
        check = _check_clause(column, sqlite)
        if check:
            line += " " + check
        lines.append(line)
    lines.append(f"PRIMARY KEY ({', '.join(spec.primary_key)})")
    for column in spec.columns:
        if column.references:
            table, target = column.references
            lines.append(f"FOREIGN KEY ({column.name}) REFERENCES {table} ({target})")
    body = ",\n    ".join(lines)
    suffix = " STRICT" if sqlite else ""
    return f"CREATE TABLE {spec.name} (\n    {body}\n){suffix};"


def duckdb_ddl(spec: TableSpec) -> str:
    """CREATE TABLE for DuckDB, with keys and checks."""
    return _create_table(spec, _DUCKDB_TYPES, sqlite=False)


def duckdb_comments(spec: TableSpec) -> list[str]:
    """COMMENT ON statements carrying the table and column descriptions into DuckDB."""
    statements = [f"COMMENT ON TABLE {spec.name} IS {sql_literal(spec.description)};"]
    statements += [
        f"COMMENT ON COLUMN {spec.name}.{c.name} IS {sql_literal(c.description)};" for c in spec.columns
    ]
    return statements


def sqlite_ddl(spec: TableSpec) -> str:
    """CREATE TABLE for SQLite (STRICT), with keys and checks; dates are ISO text checked by date()."""
    return _create_table(spec, _SQLITE_TYPES, sqlite=True)


def _arrow_type(column: ColumnSpec) -> pa.DataType:
    if column.kind == "enum":
        return pa.dictionary(pa.int8(), pa.string())
    return {"text": pa.string(), "integer": pa.int64(), "double": pa.float64(),
            "date": pa.date32(), "boolean": pa.bool_()}[column.kind]


def arrow_schema(spec: TableSpec) -> pa.Schema:
    """The pyarrow schema of a table; descriptions travel in field and schema metadata."""
    fields = [
        pa.field(c.name, _arrow_type(c), nullable=c.nullable, metadata={"description": c.description})
        for c in spec.columns
    ]
    return pa.schema(fields, metadata={"description": spec.description, "table": spec.name,
                                       "primary_key": json.dumps(spec.primary_key)})


def pandas_dtypes(spec: TableSpec) -> dict[str, object]:
    """The pandas dtype of every column: nullable extension types, categoricals for enums, and
    datetime64[ns] for dates (the one date type of rucas.load: pandas compares it with ISO strings,
    resamples and plots it)."""
    import pandas as pd  # imported here: the CLI and the build never need pandas

    dtypes: dict[str, object] = {}
    for column in spec.columns:
        if column.kind == "enum":
            dtypes[column.name] = pd.CategoricalDtype(list(column.enum_values))
        else:
            dtypes[column.name] = {"text": pd.StringDtype(), "integer": pd.Int64Dtype(),
                                   "double": pd.Float64Dtype(), "boolean": pd.BooleanDtype(),
                                   "date": "datetime64[ns]"}[column.kind]
    return dtypes


_FRICTIONLESS_TYPES = {"text": "string", "integer": "integer", "double": "number", "date": "date",
                       "boolean": "boolean", "enum": "string"}


NAN_TEXT = "nan"
"""How Frictionless's Parquet reader (through pandas) writes a missing number: the Parquet files hold real
nulls, and no number in RUCAS is NaN, so nullable numeric fields declare "nan" a missing value."""


def frictionless_resource(spec: TableSpec) -> dict[str, object]:
    """A Frictionless Data Package v2 resource describing the table's Parquet file."""
    fields = []
    for column in spec.columns:
        field: dict[str, object] = {"name": column.name, "type": _FRICTIONLESS_TYPES[column.kind],
                                    "description": column.description}
        constraints: dict[str, object] = {}
        if not column.nullable:
            constraints["required"] = True
        if column.enum_values:
            field["categories"] = list(column.enum_values)
            constraints["enum"] = list(column.enum_values)
        if column.pattern:
            constraints["pattern"] = column.pattern.removeprefix("^").removesuffix("$")
        if column.max_length is not None:
            constraints["maxLength"] = column.max_length
        if column.minimum is not None:
            constraints["minimum"] = column.minimum
        if column.maximum is not None:
            constraints["maximum"] = column.maximum
        if column.nullable and column.kind in ("integer", "double"):
            field["missingValues"] = ["", NAN_TEXT]
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    foreign_keys = [
        {"fields": [c.name], "reference": {"resource": c.references[0], "fields": [c.references[1]]}}
        for c in spec.columns if c.references
    ]
    schema: dict[str, object] = {"fields": fields, "primaryKey": spec.primary_key}
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return {"name": spec.name, "type": "table", "path": f"parquet/{spec.name}.parquet", "format": "parquet",
            "mediatype": "application/vnd.apache.parquet", "description": spec.description, "schema": schema}


def codebook_rows() -> list[dict[str, str]]:
    """Codebook rows for every closed vocabulary defined in rucas.schema.codes."""
    from rucas.schema.codes import CODE_VOCABULARIES

    rows = []
    for codebook, vocabulary in CODE_VOCABULARIES.items():
        member: CodedEnum
        for member in vocabulary:
            rows.append({"codebook": codebook, "code": member.value,
                         "label": member.value.replace("_", " "), "definition": member.definition})
    return rows
