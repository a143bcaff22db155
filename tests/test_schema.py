"""The SQLModel classes are the one definition; every derived schema must agree with them."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import rucas
from rucas.build.publish.metadata import metadata
from rucas.schema import TABLE_MODELS, table_specs
from rucas.schema.derive import arrow_schema, codebook_rows, frictionless_resource, pandas_dtypes

DUCKDB_TYPES = {"text": "VARCHAR", "integer": "BIGINT", "double": "DOUBLE", "date": "DATE",
                "boolean": "BOOLEAN", "enum": "VARCHAR"}
SQLITE_TYPES = {"text": "TEXT", "integer": "INTEGER", "double": "REAL", "date": "TEXT",
                "boolean": "INTEGER", "enum": "TEXT"}


def test_every_table_and_column_is_described():
    for spec in table_specs():
        assert len(spec.description) > 20, spec.name
        for column in spec.columns:
            assert len(column.description) > 5, f"{spec.name}.{column.name}"


def test_the_published_table_names_are_the_contract():
    assert {spec.name for spec in table_specs()} >= {
        "sources", "actors", "actor_aliases", "actor_roles", "statements", "events", "event_actors",
        "claims", "alliances", "alliance_members"}


def test_coordinates_are_double_not_float():
    events = next(spec for spec in table_specs() if spec.name == "events")
    assert events.column("latitude").kind == "double"
    assert events.column("longitude").kind == "double"


def test_tables_come_after_the_tables_they_reference():
    seen: set[str] = set()
    for spec in table_specs():
        for column in spec.columns:
            if column.references:
                assert column.references[0] in seen | {spec.name}, f"{spec.name}.{column.name}"
        seen.add(spec.name)


@pytest.mark.parametrize("spec", table_specs(), ids=lambda s: s.name)
def test_duckdb_tables_match_the_schema(spec, duck):
    described = duck.execute(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_name = ? ORDER BY ordinal_position", [spec.name]).fetchall()
    assert [(c.name, DUCKDB_TYPES[c.kind], "YES" if c.nullable else "NO") for c in spec.columns] == described
    comments = dict(duck.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ?", [spec.name]).fetchall())
    assert comments == {c.name: c.description for c in spec.columns}
    (table_comment,) = duck.execute("SELECT comment FROM duckdb_tables() WHERE table_name = ?", [spec.name]).fetchone()
    assert table_comment == spec.description


@pytest.mark.parametrize("spec", table_specs(), ids=lambda s: s.name)
def test_sqlite_tables_match_the_schema(spec, lite):
    info = lite.execute(f"PRAGMA table_info({spec.name})").fetchall()
    assert [(c.name, SQLITE_TYPES[c.kind], int(not c.nullable), int(c.primary_key) > 0)
            for c in spec.columns] == [(row[1], row[2], row[3], row[5] > 0) for row in info]
    foreign = {(row[3], row[2], row[4]) for row in lite.execute(f"PRAGMA foreign_key_list({spec.name})")}
    assert foreign == {(c.name, *c.references) for c in spec.columns if c.references}


@pytest.mark.parametrize("spec", table_specs(), ids=lambda s: s.name)
def test_parquet_files_carry_the_derived_arrow_schema(spec, output_dir: Path):
    schema = pq.read_schema(output_dir / "parquet" / f"{spec.name}.parquet")
    expected = arrow_schema(spec)
    assert schema.names == expected.names
    for field, want in zip(schema, expected):
        assert field.type == want.type, field.name
        assert field.nullable == want.nullable, field.name
        assert field.metadata[b"description"].decode() == want.metadata[b"description"].decode()
    assert schema.metadata[b"description"].decode() == spec.description
    metadata_file = pq.ParquetFile(output_dir / "parquet" / f"{spec.name}.parquet").metadata
    assert all(metadata_file.row_group(0).column(i).compression == "ZSTD"
               for i in range(metadata_file.num_columns)) or metadata_file.num_rows == 0


@pytest.mark.parametrize("spec", table_specs(), ids=lambda s: s.name)
def test_pandas_frames_carry_the_derived_dtypes(spec, output_dir: Path):
    frame = rucas.load(spec.name, output_dir)
    assert list(frame.columns) == spec.column_names
    expected = pandas_dtypes(spec)
    assert {c: str(frame[c].dtype) for c in frame.columns} == {c: str(d) for c, d in expected.items()}
    for column, dtype in expected.items():
        if hasattr(dtype, "categories"):
            assert list(frame[column].dtype.categories) == list(dtype.categories)


def test_datapackage_and_datasette_describe_every_column_as_the_schema_does(output_dir: Path):
    package = json.loads((output_dir / "datapackage.json").read_text())
    assert package["$schema"].endswith("/2.0/datapackage.json")
    resources = {r["name"]: r for r in package["resources"]}
    served = metadata()["databases"]["rucas"]["tables"]
    for spec in table_specs():
        assert resources[spec.name] == frictionless_resource(spec)
        assert [f["name"] for f in resources[spec.name]["schema"]["fields"]] == spec.column_names
        assert resources[spec.name]["schema"]["primaryKey"] == spec.primary_key
        assert served[spec.name]["description"] == spec.description
        assert served[spec.name]["columns"] == {c.name: c.description for c in spec.columns}


def test_every_closed_vocabulary_is_published_in_the_codebook(duck):
    published = set(duck.execute("SELECT codebook, code FROM codebook").fetchall())
    assert {(r["codebook"], r["code"]) for r in codebook_rows()} <= published


def test_no_second_list_of_tables_outside_the_schema():
    """TABLE_MODELS is the list; specs are derived from it in the same order."""
    assert [m.__tablename__ for m in TABLE_MODELS] == [s.name for s in table_specs()]


def test_the_generated_specs_are_the_specs_the_table_classes_derive():
    """schema/generated_specs.py is derived from the SQLModel classes and cannot drift from them: after a change
    to schema/tables.py, `python -m rucas.schema.generate_specs` writes it again."""
    from rucas.schema.derive import derive_table_specs
    from rucas.schema.generate_specs import GENERATED, generated_specs_text

    assert table_specs() == derive_table_specs()
    assert GENERATED.read_text(encoding="utf-8") == generated_specs_text()


def test_the_generated_code_lists_are_pycountrys_tables():
    """schema/generated_codes.py holds the ISO 3166-1 alpha-3 and ISO 639-1 codes of the installed pycountry: when
    its tables change, `python -m rucas.schema.generate_specs` writes the file again (the version in its header is
    only a record of where the lists came from)."""
    from rucas.schema.countries import assigned_alpha3, pycountry_alpha3
    from rucas.schema.languages import iso639_1, pycountry_iso639_1

    assert assigned_alpha3() == pycountry_alpha3()
    assert iso639_1() == pycountry_iso639_1()
    assert {"KGZ", "KAZ", "TJK", "TKM", "UZB", "RUS"} <= assigned_alpha3() and {"ru", "ky", "uz", "kk", "tg"} <= iso639_1()


def test_a_spec_still_names_the_class_that_defines_its_table():
    assert [spec.model for spec in table_specs()] == list(TABLE_MODELS)


def test_rucas_validate_imports_no_orm_nor_pycountry(tmp_path: Path):
    """The specs validation needs are loaded from schema/generated_specs.py, without SQLModel or SQLAlchemy; the
    code lists from schema/generated_codes.py, without pycountry."""
    import subprocess
    import sys

    from conftest import MINIMAL_CORPUS

    script = ("import sys\nfrom rucas.build.cli import main\n"
              f"code = main(['validate', '--curated', {str(MINIMAL_CORPUS)!r}, '--cache-dir', {str(tmp_path)!r}, '--quiet'])\n"
              "print(code, sorted({m.split('.')[0] for m in sys.modules} & {'sqlmodel', 'sqlalchemy', 'pycountry'}))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[-1] == "0 []"
