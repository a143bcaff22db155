"""Stage 3, write: the validated tables as Arrow, Parquet, DuckDB and SQLite (with views), datapackage and manifest."""
