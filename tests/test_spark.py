"""The prepared views run in Apache Spark, over the published Parquet files, and answer as DuckDB does.

rucas.spark registers every table and view in a local SparkSession (one core, little memory, no web UI,
bound to 127.0.0.1); each view's rows are compared, in order, with its SQL run live in rucas.duckdb,
on the curated corpus and on a generated one. Spark needs Java (17 or later) and pyspark 4.3 or later.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from rucas.queries import SqlFile, view_files
from rucas.schema import table_specs
from test_views import generated_output, normalise  # noqa: F401 - generated_output is a fixture

pyspark = pytest.importorskip("pyspark", reason="pyspark is in the test extra: pip install -e '.[test]'")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime (17 or later) on PATH", allow_module_level=True)

import rucas.spark

pytestmark = pytest.mark.slow

VIEWS = view_files()


@pytest.fixture(scope="module")
def spark() -> Iterator[pyspark.sql.SparkSession]:
    """A local SparkSession: one core, 1 GiB, no UI, listening on 127.0.0.1 only (with 512 MiB the module's
    thirty-odd view queries once ran the driver out of heap while serialising request_episodes' plan in a
    full-suite run; alone they pass with either)."""
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("rucas-tests")
               .config("spark.driver.memory", "1g")
               .config("spark.ui.enabled", "false")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.sql.session.timeZone", "UTC")
               .getOrCreate())
    yield session
    session.stop()


def spark_rows(spark, sql: str) -> tuple[list[str], list[tuple[object, ...]]]:
    frame = spark.sql(sql)
    return frame.columns, [tuple(map(normalise, row)) for row in frame.collect()]


def duckdb_rows(output: Path, sql: str) -> tuple[list[str], list[tuple[object, ...]]]:
    con = duckdb.connect(str(output / "rucas.duckdb"), read_only=True)
    try:
        cursor = con.execute(sql)
        return [d[0] for d in cursor.description], [tuple(map(normalise, row)) for row in cursor.fetchall()]
    finally:
        con.close()


def assert_spark_answers_as_duckdb(spark, output: Path, view: SqlFile, corpus: str) -> int:
    """The view registered in Spark gives DuckDB's rows of the live SQL, in order; returns their number."""
    columns, rows = spark_rows(spark, f"SELECT * FROM {view.name}")
    expected_columns, expected = duckdb_rows(output, view.sql)
    assert columns == expected_columns, f"{view.name} on the {corpus} corpus: columns differ"
    for index, (got, want) in enumerate(zip(rows, expected)):
        assert got == want, (f"{view.name} on the {corpus} corpus, row {index}:\n"
                             + "\n".join(f"  {c}: Spark {a!r} / DuckDB {b!r}"
                                         for c, a, b in zip(columns, got, want) if a != b))
    assert len(rows) == len(expected), f"{view.name} on the {corpus} corpus: Spark {len(rows)} rows, DuckDB {len(expected)}"
    return len(rows)


def test_register_names_every_table_and_view(spark, output_dir: Path) -> None:
    names = rucas.spark.register(spark, output_dir)
    assert names == [spec.name for spec in table_specs()] + [view.name for view in VIEWS]
    assert {table.name for table in spark.catalog.listTables() if table.isTemporary} >= set(names)


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.name)
def test_every_view_gives_duckdbs_rows_in_spark_on_the_curated_corpus(spark, output_dir: Path,
                                                                     view: SqlFile) -> None:
    rucas.spark.register(spark, output_dir)
    assert assert_spark_answers_as_duckdb(spark, output_dir, view, "curated") > 0


def test_every_view_gives_duckdbs_rows_in_spark_on_a_generated_corpus(spark, generated_output: Path) -> None:
    rucas.spark.register(spark, generated_output)
    for view in VIEWS:
        assert assert_spark_answers_as_duckdb(spark, generated_output, view, "generated") > 10


def test_the_list_building_views_outgrow_a_recursion_row_limit_that_register_lifts(
        spark, output_dir: Path) -> None:
    statement_details = next(view for view in VIEWS if view.name == "statement_details")
    spark.conf.set(rucas.spark.RECURSION_ROW_LIMIT, "5")  # stands for the default million at 100k articles
    try:
        rucas.spark.register(spark, output_dir, lift_recursion_row_limit=False)
        with pytest.raises(Exception, match="(?i)recurs"):
            spark.sql("SELECT * FROM statement_details").collect()
        rucas.spark.register(spark, output_dir)
        assert spark.conf.get(rucas.spark.RECURSION_ROW_LIMIT) == "-1"
        assert_spark_answers_as_duckdb(spark, output_dir, statement_details, "curated")
    finally:
        spark.conf.unset(rucas.spark.RECURSION_ROW_LIMIT)
