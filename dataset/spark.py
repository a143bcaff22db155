"""RUCAS in Apache Spark: every published table and prepared view as a temporary view of a SparkSession.

    >>> from pyspark.sql import SparkSession
    >>> import rucas.spark
    >>> spark = SparkSession.builder.master("local[*]").getOrCreate()
    >>> rucas.spark.register(spark)                  # or register(spark, "/data/rucas") or an s3a:// URL
    >>> spark.sql("SELECT * FROM assistance_timeline").show()

Tables are read from the build's Parquet files (<path>/parquet/<table>.parquet); each view is the SQL
of its file in queries/views, unchanged, run by Spark 4.3 or later (tested with 4.3.0: the list-building views use recursive common table
expressions, which Spark 3.5 and 4.0 reject).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rucas.queries import view_files
from rucas.schema import table_specs

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

RECURSION_ROW_LIMIT = "spark.sql.cteRecursionRowLimit"
"""Spark stops a recursive CTE that returns more rows than this (1,000,000 by default). The views'
recursive CTEs build each list one item per step, so they return one row per list item: about a million
at 100,000 articles. Their depth (spark.sql.cteRecursionLevelLimit, 100) is the longest list, which
does not grow with the corpus, so that limit is left as it is."""


def _location(path: str | Path | None) -> str:
    """The folder of the Parquet files: `path`/parquet for a local build folder or URL, else the
    published build (built first if there is none)."""
    if path is None:
        from rucas import output_dir

        return str(output_dir() / "parquet")
    return f"{str(path).rstrip('/')}/parquet"


def register(spark: SparkSession, path: str | Path | None = None, *, lift_recursion_row_limit: bool = True
             ) -> list[str]:
    """Register every table (over its Parquet file) and every prepared view (its SQL from queries/views)
    as a temporary view of `spark`; return their names, tables first.

    `path` is a build's output folder: a local path or any URL Spark reads (hdfs://, s3a://) holding
    parquet/<table>.parquet; by default the published build of this installation. With
    `lift_recursion_row_limit` (the default) the session's RECURSION_ROW_LIMIT is set to -1
    (unlimited) so that the views run on a corpus of any size.
    """
    if lift_recursion_row_limit:
        spark.conf.set(RECURSION_ROW_LIMIT, "-1")
    location = _location(path)
    names = []
    for spec in table_specs():
        spark.read.parquet(f"{location}/{spec.name}.parquet").createOrReplaceTempView(spec.name)
        names.append(spec.name)
    for view in view_files():
        spark.sql(f"CREATE OR REPLACE TEMPORARY VIEW {view.name} AS\n{view.sql}")
        names.append(view.name)
    return names
