"""Load the published tables into the SQLite database that Datasette serves: keys, views (live and
materialised), FTS5."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path

import pyarrow as pa

from rucas.build.write import duckdb_db
from rucas.build.write.facet_counts import write_facet_counts
from rucas.build.write.page_tables import write_page_tables
from rucas.build.write.materialise import facet_columns, live_name, sqlite_store, view_batches
from rucas.build.write.sqlite_values import insert_batches
from rucas.build.write.views import create_views
from rucas.queries import SqlFile
from rucas.schema import TableSpec, table_specs
from rucas.schema.derive import sqlite_ddl

FULL_TEXT: dict[str, tuple[str, ...]] = {spec.name: spec.display.full_text for spec in table_specs()
                                          if spec.display.full_text}
"""Tables with a full-text index (FTS5, external content: fts_text_view) and the columns it covers (from each
table's Display in schema/tables.py)."""

CODED_AS = "coded_as"
"""The extra full-text column of a table with Display.full_text_codes: the codebook label and definition
of each of those codes of the row."""

FULL_TEXT_TOKENIZER = "porter unicode61 remove_diacritics 2"
"""Words are matched by their stem (Porter): "refused", "refusal" and "refuses" all find "refuse";
case and diacritics are ignored."""


def index_columns(spec: TableSpec) -> list[str]:
    """Columns worth an index: foreign keys and earliest dates (the views' joins and filters, the pages'
    newest-first order) and the table's facets (Display.facets in schema/tables.py).

    An index on a facet column covers Datasette's facet query (`select column, count(*) ... group by
    column`), so SQLite counts the values from the index in column order instead of reading every row of
    the table and sorting them. The first primary-key column is left out: the primary key's own index
    serves it.
    """
    return [column.name for column in spec.columns
            if (column.references or column.name == "date_earliest" or column.name in spec.display.facets)
            and column.name != spec.primary_key[0]]


DATE_ORDER = ("date_earliest IS NULL", "date_earliest", "date_latest IS NULL", "date_latest")
"""The dataset's date order over a row's date interval: earliest date, unknown last; then latest date,
unknown last (SQLite puts NULL first, so each date is preceded by whether it is unknown)."""


def date_order_index(spec: TableSpec) -> str | None:
    """The index of a table with a date interval in the date order (DATE_ORDER, then its key), or None for
    a table without one. A query that lists rows in date order and names these terms (the canned query
    actor_record) reads them from the index and stops at its LIMIT instead of sorting the whole table:
    its empty form took 2 s at 100,000 articles, a page of it now a few milliseconds."""
    if not {"date_earliest", "date_latest"} <= set(spec.column_names):
        return None
    return (f"CREATE INDEX {spec.name}_date_order_idx ON {spec.name} "
            f"({', '.join((*DATE_ORDER, *spec.primary_key))})")


def _coded_as_sql(spec: TableSpec) -> str:
    """SQL for a row's coded_as text: label and definition of each of its full_text_codes (table alias t)."""
    matches = " OR ".join(f"(cb.codebook = '{column}' AND cb.code = t.{column})"
                          for column in spec.display.full_text_codes)
    return f"(SELECT group_concat(cb.label || '. ' || cb.definition, ' ') FROM codebook cb WHERE {matches})"


BODY_SPAN = ("body_start", "body_end")
"""Offsets of an article's body in its text (sources): the full-text index holds the body only, so that
the page's menus, related headlines and footers (stored in text, shown folded) are never what matched."""


def _indexed(spec: TableSpec, column: str) -> str:
    """What the full-text index holds for a column of row t: its value, or for a text with a body span only
    the body."""
    if column == "text" and set(BODY_SPAN) <= set(spec.column_names):
        start, end = BODY_SPAN
        return f"substr(t.text, t.{start} + 1, t.{end} - t.{start})"
    return f"t.{column}"


FTS_TEXT_SUFFIX = "_fts_text"
"""The view <table>_fts_text: what a table's full-text index holds for each row (fts_text_view)."""


def fts_text_view(spec: TableSpec) -> str:
    """SQL for the view <table>_fts_text, the external content of the table's full-text index: each row's rowid
    (as fts_rowid) and the text the index holds for each column (the body alone of an article's text; the
    codes' labels and definitions as coded_as). The index keeps no copy of the text (at 100,000 articles the
    copies of sources_fts and events_fts took 323 MiB of rucas.db), and what it reads back (an integrity check,
    snippet(), a patched build's removal of a row's words) is the text it indexed, not the table's column."""
    selected = ", ".join(f"{held} AS {name}" for name, held in _indexed_columns(spec))
    return f"CREATE VIEW {spec.name}{FTS_TEXT_SUFFIX} AS SELECT t.rowid AS fts_rowid, {selected} FROM {spec.name} t"


def full_text_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """The rows of each full-text index and of its docsize table, from `counts` (rows by table): one for each row
    of its table. Counting them would read the index's external content, its view, row by row (about 1 s for
    600,000 events at 100,000 articles, each row's codes looked up again)."""
    return {f"{table}{suffix}": counts[table] for table in FULL_TEXT if table in counts
            for suffix in ("_fts", "_fts_docsize")}


def _create_full_text_index(con: sqlite3.Connection, spec: TableSpec) -> None:
    """The table's FTS5 index <table>_fts over its full_text columns (and coded_as, with full_text_codes), with
    external content: the view <table>_fts_text (fts_text_view)."""
    table = spec.name
    names = ", ".join(name for name, _ in _indexed_columns(spec))
    con.execute(fts_text_view(spec))
    con.execute(f"CREATE VIRTUAL TABLE {table}_fts USING fts5({names}, content='{table}{FTS_TEXT_SUFFIX}', "
                f"content_rowid='fts_rowid', tokenize='{FULL_TEXT_TOKENIZER}')")
    index_rows(con, spec, "1", [()])
    con.execute(f"INSERT INTO {table}_fts ({table}_fts) VALUES ('optimize')")


def _indexed_columns(spec: TableSpec) -> list[tuple[str, str]]:
    """The index's columns: each one's name and, as SQL, what it holds from row t of the table (the full_text
    columns, an article's body cut from its text; then coded_as with full_text_codes)."""
    columns = [(name, _indexed(spec, name)) for name in spec.display.full_text]
    if spec.display.full_text_codes:
        columns.append((CODED_AS, _coded_as_sql(spec)))
    return columns


def index_rows(con: sqlite3.Connection, spec: TableSpec, where: str, parameters: list[tuple]) -> None:
    """Add to <table>_fts the rows of the table that `where` selects (once per tuple of `parameters`)."""
    names, selected = (", ".join(parts) for parts in zip(*_indexed_columns(spec)))
    con.executemany(f"INSERT INTO {spec.name}_fts (rowid, {names}) SELECT t.rowid, {selected} FROM {spec.name} t "
                    f"WHERE {where}", parameters)


def unindex_rows(con: sqlite3.Connection, spec: TableSpec, where: str, parameters: list[tuple]) -> None:
    """Remove from <table>_fts the rows of the table that `where` selects (before they are deleted): external
    content, so FTS5 is given the text it indexed for each, to find its words."""
    table = spec.name
    names, selected = (", ".join(parts) for parts in zip(*_indexed_columns(spec)))
    con.executemany(f"INSERT INTO {table}_fts ({table}_fts, rowid, {names}) "
                    f"SELECT 'delete', t.rowid, {selected} FROM {table} t WHERE {where}", parameters)


def write_sqlite(tables: Mapping[str, pa.Table], path: Path, views: list[SqlFile],
                 duckdb_path: Path, lap: Callable[[str], None] = lambda stage: None,
                 duckdb_written: Callable[[], None] = lambda: None) -> None:
    """Create `path` (which must not exist) with every table, its full-text indexes, each view's live SQL
    as the view <name>_live and its rows as the table <name>, copied from the table <name> that write_duckdb
    computed in the finished DuckDB file `duckdb_path` one view and one batch at a time (view_batches).
    Tables are inserted a batch at a time too (insert_batches). `lap` is told when the tables ("sqlite"), the
    views ("sqlite views") and the final foreign key check and ANALYZE ("sqlite" again) are done.
    `duckdb_written()` returns once `duckdb_path` is finished: the tables are written before it is called, so
    that they can be written while DuckDB computes the views (SqliteWriter)."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute("PRAGMA foreign_keys = ON")
        con.execute("BEGIN")
        for spec in table_specs():
            con.execute(sqlite_ddl(spec))
            placeholders = ", ".join("?" for _ in spec.column_names)
            insert_batches(con, f"INSERT INTO {spec.name} ({', '.join(spec.column_names)}) VALUES ({placeholders})",
                           tables[spec.name], list(spec.column_names))
            for name in index_columns(spec):
                con.execute(f"CREATE INDEX {spec.name}_{name}_idx ON {spec.name} ({name})")
            if date_order := date_order_index(spec):
                con.execute(date_order)
        for spec in table_specs():
            if spec.display.full_text:
                _create_full_text_index(con, spec)
        create_views(con.execute, views, (sqlite3.Error,), name=live_name)
        lap("sqlite")
        duckdb_written()
        computed = duckdb_db.connect(duckdb_path, read_only=True)
        try:
            for view in views:
                sqlite_store(con, view.name, view_batches(computed, view), facet_columns(view))
        finally:
            computed.close()
        write_facet_counts(con, views)
        lap("sqlite views")
        con.execute("COMMIT")
        problems = con.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"foreign key check failed in SQLite: {problems[:5]}")
        con.execute("ANALYZE")  # no VACUUM: a file written once, with nothing deleted, has no free pages to reclaim
        con.execute("BEGIN")
        write_page_tables(con)  # after ANALYZE: without statistics SQLite plans the requests chart's joins badly
        con.execute("COMMIT")
        lap("sqlite")
    finally:
        con.close()


def table_counts(database: Path, known: dict[str, int]) -> dict[str, int]:
    """The row count of every table of the SQLite file (as Datasette lists them: sqlite_master's tables,
    full-text and shadow tables included), sorted by name: `known` counts where given, else counted."""
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        names = sorted(name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
        return {name: known[name] if name in known else con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                for name in names}
    finally:
        con.close()
