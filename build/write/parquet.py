"""Write the published tables as typed, zstd-compressed Parquet files, byte-identical for identical input."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


VERSION_KEY = b"rucas_version"
"""The key of the dataset version in each Parquet file's schema metadata."""


def write_parquet(tables: dict[str, pa.Table], directory: Path, version: str | None = None) -> dict[str, Path]:
    """Write each table to directory/<name>.parquet, with the dataset version in its schema metadata
    (key rucas_version); return the paths by table name."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, table in tables.items():
        if version:
            table = table.replace_schema_metadata({**(table.schema.metadata or {}), VERSION_KEY: version.encode()})
        path = directory / f"{name}.parquet"
        pq.write_table(table, path, compression="zstd", compression_level=9, use_dictionary=True,
                       write_statistics=True, row_group_size=256_000, store_schema=True)
        paths[name] = path
    return paths
