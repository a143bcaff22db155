"""The prepared SQL of RUCAS: one file per view in views/, one per canned query in canned/, one per
query of the site's event and article pages in pages/, one per dashboard chart in charts/, one per count of
`rucas stats` in stats/: every SQL statement RUCAS runs over a build.

A file's leading `--` comment lines are its description; the rest is one SELECT statement
that DuckDB and SQLite both run unchanged. Canned queries take named parameters (:name).
A leading comment of the form `-- column: name: what it holds` describes one output column
instead (Datasette shows it); output columns named like a table column inherit that description.
A view's leading `-- key: a, b` line names the columns that identify one of its rows (its grain);
`rucas diff` compares the view's rows by them, and a test checks that they are unique. Its `-- order:`
line states the view's order as an ORDER BY over its own output columns (DuckDB's reading, where ascending
NULLs come last unless said otherwise); a test checks that it sorts the view's rows exactly as the file's
ORDER BY does, and a patched build merges new rows into a materialised view by it
(rucas.build.write.patch_views). A `-- facets: a, b` line names columns of the view offered as facets
besides those named like a table's facet columns (Display.facets in schema/tables.py); each is indexed.
A `-- covers: a, b` line names columns that the index of the view's order also holds, after the order's own
columns: a query that reads the view in its order and filters by them (events_during by an event's dates)
tests each row in that index and reads only the rows it keeps (rucas.build.write.materialise.view_indexes).
A `-- columns: a, b` line names the compact set of columns its Datasette page shows by default, in
reading order (every key column among them; a test checks that the page reads at 1280 px).
A line `-- question: rank: the question` puts the view or query on the site's front page under that
question (lowest rank first), and `-- example: name=value&name=value` gives a canned query's front-page
link its parameters.
Metadata lines are recognised exactly as written here (`-- ` then the lower-case word and a colon, at the
start of the comment); every other comment line is prose of the description, so a sentence that begins
"Order:" stays in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parent

PARAMETER_OR_STRING = re.compile(r"(?P<string>'(?:[^']|'')*')|(?<![:\w]):(?P<parameter>[a-z_][a-z0-9_]*)")
"""A string literal (never holds parameters) or a named parameter `:name` (SQLite's and Datasette's syntax)."""


@dataclass(frozen=True)
class SqlFile:
    """One view or canned query: its name (the file stem), description and SELECT statement."""

    name: str
    description: str
    sql: str
    path: Path
    column_notes: tuple[tuple[str, str], ...] = ()
    """(column, description) pairs from the file's `-- column: name: description` lines."""
    key: tuple[str, ...] = ()
    """The columns that identify one row (from `-- key: a, b`); empty when the file states none."""
    order: str = ""
    """The view's order as an ORDER BY list over its output columns (from `-- order: ...`); empty when not stated."""
    facets: tuple[str, ...] = ()
    """Columns of the view offered as facets besides those named like a table's facets (`-- facets: a, b`)."""
    question: tuple[int, str] | None = None
    """(rank, question) from a `-- question: rank: text` line: the question this file answers on the front page."""
    example: str = ""
    """Query-string parameters for the front page's link (`-- example: name=value&...`), for canned queries."""
    columns: tuple[str, ...] = ()
    """The view's compact set of columns, in reading order (`-- columns: a, b`): what its page shows by default
    so that a row reads at 1280 px; every other column is one click away and on the row's own page."""
    covers: tuple[str, ...] = ()
    """Columns the index of the view's order also holds (`-- covers: a, b`), for the queries that read the view in
    its order and filter by them; empty when the file names none."""

    @property
    def column_descriptions(self) -> dict[str, str]:
        """Descriptions of output columns given in the file, by column name."""
        return dict(self.column_notes)

    @property
    def parameters(self) -> list[str]:
        """Named parameters (:name) the query takes, in order of first use."""
        seen: list[str] = []
        for match in PARAMETER_OR_STRING.finditer(self.sql):
            if match.group("parameter") and match.group("parameter") not in seen:
                seen.append(match.group("parameter"))
        return seen

    @property
    def tables_read(self) -> list[str]:
        """Names after FROM and JOIN in the statement, in order of appearance (tables, views and CTEs)."""
        return re.findall(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)", self.sql, flags=re.IGNORECASE)

    @property
    def duckdb_sql(self) -> str:
        """The statement with DuckDB's parameter syntax ($name for :name), to run as
        `duckdb_connection.execute(query.duckdb_sql, {"name": value})`."""
        return PARAMETER_OR_STRING.sub(lambda m: m.group("string") or f"${m.group('parameter')}", self.sql)


METADATA_KEYS = ("column", "columns", "key", "order", "covers", "facets", "question", "example")
"""The header's metadata lines: `-- <key>: ...` with the key written exactly so (lower case, at the start of
the comment). Any other comment line, `-- Order: ...` in a sentence included, is prose of the description."""

METADATA_LINE = re.compile(r"^-- (?P<key>" + "|".join(METADATA_KEYS) + r"):(?P<value>.*)$")


def _names(value: str) -> tuple[str, ...]:
    """The comma-separated column names of a metadata line's value (`a, b`), blanks dropped."""
    return tuple(name.strip() for name in value.split(",") if name.strip())


def _read(path: Path) -> SqlFile:
    lines = path.read_text(encoding="utf-8").splitlines()
    description: list[str] = []
    columns: list[tuple[str, str]] = []
    found: dict[str, str] = {}
    index = 0
    while index < len(lines) and (lines[index].startswith("--") or not lines[index].strip()):
        line = lines[index]
        where = f"{path}:{index + 1}"
        metadata = METADATA_LINE.match(line)
        if metadata and metadata.group("key") == "column":
            name, _, text = metadata.group("value").partition(":")
            if not name.strip() or not text.strip():
                raise ValueError(f"{where}: write column comments as `-- column: name: description`")
            columns.append((name.strip(), text.strip()))
        elif metadata:
            if metadata.group("key") in found:
                raise ValueError(f"{where}: a second `-- {metadata.group('key')}:` line; give it once")
            found[metadata.group("key")] = metadata.group("value").strip()
        elif line.startswith("--"):
            if re.match(r"--\s*(" + "|".join(METADATA_KEYS) + r")\s*:", line) and not line.startswith("-- "):
                raise ValueError(f"{where}: write metadata lines as `-- {line[2:].strip()}` (one space after --)")
            description.append(line[2:].strip())
        index += 1
    sql = "\n".join(lines[index:]).strip().rstrip(";").strip()
    if not description:
        raise ValueError(f"{path}: add a leading -- comment saying what question the query answers")
    key = _names(found.get("key", ""))
    if "key" in found and not key:
        raise ValueError(f"{path}: write the key as `-- key: column, column`")
    if "order" in found and not found["order"]:
        raise ValueError(f"{path}: write the order as `-- order: column, column NULLS LAST`")
    question: tuple[int, str] | None = None
    if "question" in found:
        rank, _, text = found["question"].partition(":")
        if not rank.strip().isdigit() or not text.strip():
            raise ValueError(f"{path}: write the front-page question as "
                             "`-- question: rank: the question` (rank a whole number, lowest first)")
        question = (int(rank), text.strip())
    facets = _names(found.get("facets", ""))
    compact = _names(found.get("columns", ""))
    covers = _names(found.get("covers", ""))
    if "covers" in found and not covers:
        raise ValueError(f"{path}: write the covered columns as `-- covers: column, column`")
    if covers and "order" not in found:
        raise ValueError(f"{path}: a `-- covers:` line needs an `-- order:` line (the covered columns are held by "
                         "the index of the view's order)")
    return SqlFile(path.stem, " ".join(d for d in description if d), sql, path, tuple(columns), key,
                   found.get("order", ""), facets, question, found.get("example", ""), compact, covers)


def view_files(directory: Path | None = None) -> list[SqlFile]:
    """Every view definition in queries/views, sorted by name."""
    root = (directory or QUERIES_DIR) / "views"
    return [_read(p) for p in sorted(root.glob("*.sql"))]


def page_queries(directory: Path | None = None) -> list[SqlFile]:
    """The queries behind the site's event and article pages, in queries/pages (SQLite; one named
    parameter each), sorted by name."""
    root = (directory or QUERIES_DIR) / "pages"
    return [_read(p) for p in sorted(root.glob("*.sql"))]


def chart_queries(directory: Path | None = None) -> list[SqlFile]:
    """The queries of the dashboard's charts and filters, in queries/charts (SQLite, with
    datasette-dashboards' optional `[[ ... ]]` clauses), sorted by name."""
    root = (directory or QUERIES_DIR) / "charts"
    return [_read(p) for p in sorted(root.glob("*.sql"))]


def canned_queries(directory: Path | None = None) -> list[SqlFile]:
    """Every canned (parameterised) query in queries/canned, sorted by name."""
    root = (directory or QUERIES_DIR) / "canned"
    return [_read(p) for p in sorted(root.glob("*.sql"))]


def stats_queries(directory: Path | None = None) -> list[SqlFile]:
    """The queries behind `rucas stats --markdown` (counts per article), in queries/stats, sorted by name."""
    root = (directory or QUERIES_DIR) / "stats"
    return [_read(p) for p in sorted(root.glob("*.sql"))]
