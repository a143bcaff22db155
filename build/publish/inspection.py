"""What Datasette's configuration reads from the built SQLite file: each view's columns, and the inspect
data (hash, size and row counts) that `datasette inspect` would write."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rucas.build.publish.settings import DATABASE_NAME
from rucas.queries import view_files


def view_columns(database: Path) -> dict[str, list[str]]:
    """The output columns of every prepared view (its materialised table) in the built SQLite file, by name."""
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return {view.name: [row[1] for row in con.execute(f'pragma table_info("{view.name}")')]
                for view in view_files()}
    finally:
        con.close()


def inspect_data(database: Path) -> dict[str, object]:
    """What `datasette inspect` writes for the database: hash, size and row counts, with the file named
    relative to the configuration directory so that config-directory mode opens it immutable."""
    import asyncio

    from datasette.app import Datasette

    async def _inspect() -> dict[str, object]:
        app = Datasette(immutables=[str(database)])
        db = app.get_database(DATABASE_NAME)
        try:
            counts = await db.table_counts(limit=3600 * 1000)
            return {"hash": db.hash, "size": db.size, "file": f"{DATABASE_NAME}.db",
                    "tables": {name: {"count": count} for name, count in sorted(counts.items())}}
        finally:
            db.close()

    return {DATABASE_NAME: asyncio.run(_inspect())}
