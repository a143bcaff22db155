"""Datasette plugin (loaded by `rucas serve` with --plugins-dir): a canned query's page reads one page of
rows, not max_returned_rows.

Datasette 0.65 runs a canned query for its HTML page exactly as for its JSON: up to max_returned_rows
(2,000) rows, every cell of each through the render_cell hooks. Opened without parameters (as the
database page links them), the larger queries took 450 to 950 ms and 2.2 MB of HTML at 10,000 articles.
The site's copy of each canned query's SQL ends with `LIMIT :_rows_shown` (metadata.canned_query_sql),
and this plugin answers that magic parameter (register_magic_parameters: `_rows_` + `shown`):

- an HTML page: default_page_size + 1 rows. templates/query.html shows default_page_size of them and,
  when the one more came back, says so and links the query's CSV and JSON and the whole data set;
- any other format (.json, .csv): max_returned_rows + 1 rows, so Datasette truncates to
  max_returned_rows and sets its `truncated` flag exactly as it did without the LIMIT.
"""

from __future__ import annotations

from datasette import hookimpl

SHOWN = "shown"
"""The key after `_rows_` (the only one this plugin answers; any other is Datasette's missing parameter)."""


def rows_for(request, datasette) -> int:
    """How many rows a canned query may return for `request`: one more than its page shows (HTML, the
    route's format empty) or than max_returned_rows (every other format), so that a page can tell there
    are more."""
    html = request.url_vars.get("format") is None
    return int(datasette.setting("default_page_size" if html else "max_returned_rows")) + 1


@hookimpl
def register_magic_parameters(datasette):
    def rows(key: str, request) -> int:
        if key != SHOWN:
            raise KeyError(key)
        return rows_for(request, datasette)

    return [("rows", rows)]
