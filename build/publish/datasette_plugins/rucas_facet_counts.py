"""Datasette plugin (loaded by `rucas serve` with --plugins-dir): the facets of an unfiltered table or view
page are read from the counts the build wrote, not counted from every row on each request.

The build counts every facet an unfiltered page shows into a hidden table (rucas.build.write.facet_counts;
its name is this plugin's `table` setting in metadata.json). Datasette 0.65 counts a column facet with
`select col as value, count(*) ... group by col order by count desc, value`, which reads one index entry
per row: at 100,000 articles 346 to 427 ms for each of the five facets of the events page. This plugin's
column facet reads the same values, in the same order, from that table (a few rows, through its index),
and builds the same result as Datasette's (size and truncation, labels of foreign keys, links). Every other
page (a filter, a search, `_where`, a page after the first: any page whose SQL has a where clause or
parameters) and every column the build did not count (a `?_facet=` on another column) is counted by
Datasette as before. Only an immutable database is read this way: its counts cannot go stale.

It is self-contained (Datasette and the standard library only), like the other plugins in this folder.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.facets import ColumnFacet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

PLUGIN = "rucas-facet-counts"
"""The plugin's configuration in metadata.json: {"table": <name of the table of counts>}."""


async def counts_of(datasette, database: str) -> tuple[str, dict[str, set[str]]]:
    """The table of counts and the columns the build counted in it, by table, in an immutable database (no
    columns for any other database, or one without the counts); read once per database and instance."""
    cache: dict[str, tuple[str, dict[str, set[str]]]] = datasette.__dict__.setdefault("_rucas_facet_counts", {})
    if database not in cache:
        db = datasette.get_database(database)
        table = (datasette.plugin_config(PLUGIN) or {}).get("table") or ""
        counted: dict[str, set[str]] = {}
        if table and not db.is_mutable and await db.table_exists(table):
            rows = await db.execute(f"select distinct table_name, column_name from {escape_sqlite(table)}")
            for name, column in rows.rows:
                counted.setdefault(name, set()).add(column)
        cache[database] = (table, counted)
    return cache[database]


class CountedColumnFacet(ColumnFacet):
    """Datasette's column facet, read from the build's counts on an unfiltered page."""

    _only = None  # the configurations Datasette's own facet_results is asked to count (None: all of them)

    def get_configs(self):
        return super().get_configs() if self._only is None else self._only

    def unfiltered(self) -> bool:
        """Whether the page lists every row of its table (no where clause, no parameters)."""
        return bool(self.table) and not self.params and self.sql.endswith(f" from {escape_sqlite(self.table)} ")

    async def facet_results(self):
        table, by_table = await counts_of(self.ds, self.database)
        counted = by_table.get(self.table, set()) if self.unfiltered() else set()
        configs = self.get_configs()
        if not any((config["config"].get("column") or config["config"]["simple"]) in counted for config in configs):
            return await super().facet_results()
        results, timed_out = [], []
        for config in configs:
            column = config["config"].get("column") or config["config"]["simple"]
            if column in counted:
                results.append(await self.counted_result(table, column, config["source"]))
                continue
            self._only = [config]
            try:
                theirs, late = await super().facet_results()
            finally:
                self._only = None
            results += theirs
            timed_out += late
        return results, timed_out

    async def counted_result(self, table: str, column: str, source: str) -> dict:
        """One facet's result, as ColumnFacet.facet_results builds it, from the values counted in `table`."""
        facet_size = self.get_facet_size()
        rows = (await self.ds.execute(
            self.database,
            f"select value, count from {escape_sqlite(table)} where table_name = :table and column_name = :column "
            f"order by count desc, value limit {facet_size + 1}",
            {"table": self.table, "column": column},
            truncate=False,
            custom_time_limit=self.ds.setting("facet_time_limit_ms"),
        )).rows
        shown = rows[:facet_size]
        labels = await self.ds.expand_foreign_keys(self.database, self.table, column, [row["value"] for row in shown])
        qs_pairs = self.get_querystring_pairs()
        column_qs = f"{column}__exact" if column.startswith("_") else column
        values = []
        for row in shown:
            selected = (column_qs, str(row["value"])) in qs_pairs
            toggle_path = (path_with_removed_args(self.request, {column_qs: str(row["value"])}) if selected
                           else path_with_added_args(self.request, {column_qs: row["value"]}))
            values.append({"value": row["value"], "label": labels.get((column, row["value"]), row["value"]),
                           "count": row["count"], "toggle_url": self.ds.absolute_url(self.request,
                                                                                    self.ds.urls.path(toggle_path)),
                           "selected": selected})
        return {"name": column, "type": self.type, "hideable": source != "metadata",
                "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet": column})),
                "results": values, "truncated": len(rows) > facet_size}


@hookimpl(hookwrapper=True)
def register_facet_classes():
    """Datasette's column facet is replaced by CountedColumnFacet (which falls back to it), so that each
    facet is still counted once."""
    outcome = yield
    outcome.force_result([[CountedColumnFacet if klass is ColumnFacet else klass for klass in classes]
                          for classes in outcome.get_result()])
