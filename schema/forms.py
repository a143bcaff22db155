"""The plain facts the table classes of rucas.schema.tables are written with: the forms values take (patterns,
longest lengths, the date range), the release's row-history columns, and how a table is displayed.

Kept apart from the SQLModel classes so that validation reads them without importing an ORM; schema/tables.py
uses and re-exports them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
QID_PATTERN = r"^Q[1-9][0-9]*$"
ISO3_PATTERN = r"^[A-Z]{3}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
CAMEO_PATTERN = r"^[0-9]{2,4}[0-9A-Z]?$"
CODE_PATTERN = r"^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$"
"""A codebook code: ASCII letters and digits, joined by single dots, hyphens or underscores (REJECT, 0234, coder-a, fandom.com)."""

MAX_LENGTH = {"id": 120, "code": 64, "language": 2, "url": 2048, "text": 10_000, "article": 50_000_000}
"""The longest value (in characters) of each form of text column. Every text column has one form: declared with
the helpers of rucas.schema.tables (`code()`, `url()`, `language_code()`, `article_text()`), an id when it has the id pattern or
points at an id, a code when it has another pattern, free text otherwise (see rucas.schema.derive)."""

DATE_RANGE = (datetime.date(1800, 1, 1), datetime.date(2100, 12, 31))
"""The first and last day any date column may hold. An open end is null, never a far-off day such as 9999-12-31;
every date stays inside what every reader stores (pandas' datetime64[ns] ends in 2262)."""


@dataclass(frozen=True)
class Display:
    """How people see a table (Datasette, the README): facts about the table kept beside its columns.

    Set as a class's `__display__`; `rucas.schema.derive` carries it into the TableSpec, and the
    Datasette configuration, the full-text indexes and the site's pages read it from there.
    """

    label: str | None = None
    """The column shown in place of a foreign key's id that points at this table (and linked to the row)."""
    newest_first: str | None = None
    """The date column by which pages list rows, newest first."""
    facets: tuple[str, ...] = ()
    """Columns offered as facets on the table's page."""
    full_text: tuple[str, ...] = ()
    """Columns of the table's full-text index (SQLite FTS5, Porter stemming: "refused" finds "refuse")."""
    full_text_codes: tuple[str, ...] = ()
    """Coded columns whose meaning (the codebook's label and definition of the row's code) is indexed
    with the full text, so that words for what a row is coded as find it: "refused" finds an event coded
    REJECT ("Reject or refuse") even where the article says "declines"."""
    lead: tuple[str, ...] = ()
    """Columns a reader needs first, in this order; the other columns follow in schema order, ids last."""


ROW_HISTORY_COLUMNS = ("first_release", "last_changed_release")
"""The columns `rucas release` fills (see RowHistory); a curator never writes them, and derive puts them last."""
