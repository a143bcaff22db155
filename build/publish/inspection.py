"""What Datasette's configuration reads from the built SQLite file: each view's columns, and the inspect
data (hash, size and row counts) that `datasette inspect` would write, made from what the build knows.

`datasette inspect` reads the whole file twice, to hash it and to count every table (2.5 GB at 100,000
articles). A build already knows most of it: the rows of every table of the schema (it wrote them), the
rows of the views and full-text index tables a patch left as they were (the base build's inspect data),
and a digest of the database's content (rucas.build.write.manifest.content_digest). inspect_data counts
only the other tables (the changed views and indexes, sqlite_stat1, ...) and reads the file's size.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rucas.build.publish.settings import DATABASE_NAME
from rucas.build.write.manifest import file_sha256
from rucas.build.write.sqlite_db import table_counts
from rucas.queries import view_files


def view_columns(database: Path) -> dict[str, list[str]]:
    """The output columns of every prepared view (its materialised table) in the built SQLite file, by name."""
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return {view.name: [row[1] for row in con.execute(f'pragma table_info("{view.name}")')]
                for view in view_files()}
    finally:
        con.close()


def inspect_data(database: Path, digest: str | None = None, known_counts: dict[str, int] | None = None
                 ) -> dict[str, object]:
    """What `datasette inspect` writes for the database (its hash, size and row counts), with the file named
    relative to the configuration directory so that config-directory mode opens it immutable.

    `digest` is the build's content_digest (Datasette uses the hash only as the database's identity); without
    it the file is hashed, as `datasette inspect` does. `known_counts` are row counts the build already has
    (table_counts counts the rest)."""
    counts = table_counts(database, known_counts or {})
    return {DATABASE_NAME: {"hash": digest if digest is not None else file_sha256(database),
                            "size": database.stat().st_size, "file": f"{DATABASE_NAME}.db",
                            "tables": {name: {"count": count} for name, count in counts.items()}}}
