"""The RUCAS build: read curated files, validate them, and write Parquet, DuckDB, SQLite and Datasette outputs.

Each step is one function in its own module, in the order data flows:
`curated.read_corpus` -> `validate.validate_corpus` -> `parquet.write_parquet` ->
`duckdb_db.write_duckdb` -> `sqlite_db.write_sqlite` -> `datasette_config.write_config`,
orchestrated by `pipeline.build` and wrapped by the `rucas` CLI in `cli`.
"""
