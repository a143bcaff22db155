"""The RUCAS build: read curated files, validate them, and write Parquet, DuckDB, SQLite and Datasette outputs.

The sub-packages are the stages, in the order data flows:

- `read`: list and read the curated files (`read.corpus`), parse YAML (`read.yaml_lines`);
- `validate`: check values against the schema and references across files, with file:line errors;
- `write`: Arrow tables, Parquet, DuckDB, SQLite, views, datapackage.json, manifest;
- `publish`: Datasette configuration, the atomic swap of the published build, `rucas serve`;
- `release`: a versioned, checksummed, citable copy of a build (`rucas release`), and `rucas diff`.

`pipeline` strings them together as functions a notebook can call; `cli` is the thin `rucas` command.
"""
