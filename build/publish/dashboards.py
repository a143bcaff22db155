"""The datasette-dashboards configuration: key counts, a timeline, requests and their responses, a map.

Each chart is a SQL file in queries/charts (its header says what it counts and what it leaves out) and a
Vega-Lite (or plugin "metric"/"map") display. Queries aggregate, so a chart stays within
max_returned_rows as the corpus grows. Optional filters use the plugin's `[[ ... :name ... ]]` syntax: the
bracketed clause is dropped when the filter is empty. Colour scales have explicit domains and colours, so
a colour means the same thing in every view of the dashboard, filtered or not.
"""

from __future__ import annotations

from rucas.queries import SqlFile, chart_queries
from rucas.schema.codes import Modality

DASHBOARD_SLUG = "overview"

KEY_COUNTS = {"sources": "Articles (all; filters do not apply)", "events": "Events (filtered)",
              "statements": "Statements (all; filters do not apply)", "actors": "Actors (all; filters do not apply)"}
"""Metric cards: slug -> title; the query is queries/charts/count_<table>.sql (count_articles for sources)."""

_COUNT_FILES = {"sources": "count_articles", "events": "count_events", "statements": "count_statements",
                "actors": "count_actors"}

MODALITY_COLOURS = dict(zip(Modality.values(), ["#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#d62728"]))
"""One colour per modality, in the codebook's order (occurred, planned, conditional, claimed, denied)."""

OUTCOME_COLOURS = {"request denied": "#8c564b", "request contested": "#e377c2", "refused": "#d62728",
                   "agreed": "#2ca02c", "agreement planned or conditional": "#98df8a",
                   "refused and agreed": "#ff7f0e", "other response": "#7f7f7f", "no response coded": "#c7c7c7"}
"""One colour per outcome of a request (queries/charts/requests.sql names these outcomes)."""

_WHOLE_NUMBERS_ONLY = "datum.value % 1 ? '' : datum.label"
"""A Vega label expression that labels only whole counts (no 0.5 events)."""


def _colour(field: str, title: str, colours: dict[str, str]) -> dict[str, object]:
    return {"field": field, "type": "nominal", "title": title,
            "scale": {"domain": list(colours), "range": list(colours.values())}}


def _queries() -> dict[str, SqlFile]:
    return {query.name: query for query in chart_queries()}


FILTERS = ("country", "event_type")
"""The dashboard's filters, as the charts' SQL names them (`:country`, `:event_type`)."""


def served_sql(query: SqlFile) -> str:
    """What the dashboard runs for a chart: with every filter empty, the rows the build stored
    (rucas.build.write.page_tables.chart_table, computed by the chart's own SQL); with any filter set, the
    chart's SQL itself. Both are one statement, whose optional clauses the plugin keeps or drops: the stored
    rows are read while no filter is set (`[[ AND :f IS NULL ]]` becomes false once one is), the chart's SQL
    runs once one is (`[[ OR :f IS NOT NULL ]]`); SQLite reads nothing of the part whose condition is false.
    A chart that takes no filter always reads its stored rows."""
    from rucas.build.write.page_tables import chart_table

    named = [name for name in FILTERS if f":{name}" in query.sql]
    stored = f"SELECT * FROM {chart_table(query.name)}"
    if not named:
        return stored
    none_set = " ".join(f"[[ AND :{name} IS NULL ]]" for name in named)
    some_set = " ".join(f"[[ OR :{name} IS NOT NULL ]]" for name in named)
    return (f"SELECT * FROM ({stored}) WHERE 1 {none_set}\nUNION ALL\n"
            f"SELECT * FROM (\n{query.sql.strip().rstrip(';')}\n) WHERE 0 {some_set}")


def _metric(title: str, sql: str, database: str) -> dict[str, object]:
    return {"title": title, "db": database, "query": sql, "library": "metric",
            "display": {"field": "n", "prefix": "", "suffix": ""}}


def _timeline(sql: str, database: str) -> dict[str, object]:
    return {
        "title": "Every event by when it happened, as precisely as known: a year, a span of years, "
                 "or date unknown",
        "db": database,
        "query": sql,
        "library": "vega-lite",
        "display": {
            "mark": {"type": "circle", "tooltip": True, "opacity": 0.8},
            "height": 260,
            "encoding": {
                "x": {"field": "period", "type": "ordinal", "title": "year, or span of years the date lies in",
                      "sort": {"field": "period_sort", "op": "min"}, "axis": {"labelAngle": -40}},
                "y": {"field": "event_type", "type": "nominal", "title": "event type (PLOVER)"},
                "size": {"field": "events", "type": "quantitative", "title": "events",
                         "legend": {"labelExpr": _WHOLE_NUMBERS_ONLY, "format": "d"}},
                "color": _colour("modality", "modality", MODALITY_COLOURS),
                "xOffset": {"field": "modality", "type": "nominal", "scale": {"domain": list(MODALITY_COLOURS)}},
            },
        },
    }


def _requests(sql: str, database: str) -> dict[str, object]:
    return {
        "title": "Requests for military assistance, each counted once, by who asked whom and what became of "
                 "it: denied or contested requests first, then the responses coded (country filter applies; "
                 "event type filter does not)",
        "db": database,
        "query": sql,
        "library": "vega-lite",
        "display": {
            "mark": {"type": "bar", "tooltip": True},
            "height": 220,
            "encoding": {
                "y": {"field": "request", "type": "nominal", "title": None, "sort": "-x",
                      "axis": {"labelLimit": 320}},
                "x": {"field": "requests", "type": "quantitative", "title": "requests",
                      "axis": {"labelExpr": _WHOLE_NUMBERS_ONLY, "format": "d"}},
                "color": _colour("outcome", "response", OUTCOME_COLOURS),
            },
        },
    }


def _map(sql: str, database: str) -> dict[str, object]:
    return {"title": "Where events took place (filtered; events without coordinates are not drawn; the map "
                     "fits the points shown)", "db": database,
            "query": sql, "library": "map",
            "display": {"latitude_column": "latitude", "longitude_column": "longitude"}}


def dashboards(database: str) -> dict[str, object]:
    """The plugin's configuration (metadata plugins -> datasette-dashboards) for the named database."""
    queries = _queries()
    charts: dict[str, object] = {slug: _metric(title, served_sql(queries[_COUNT_FILES[slug]]), database)
                                 for slug, title in KEY_COUNTS.items()}
    charts["timeline"] = _timeline(served_sql(queries["timeline"]), database)
    charts["requests"] = _requests(served_sql(queries["requests"]), database)
    charts["map"] = _map(served_sql(queries["map"]), database)
    counts = list(KEY_COUNTS)
    return {
        DASHBOARD_SLUG: {
            "title": "RUCAS overview",
            "description": "Key counts; every event over time by type and modality (a date known only as "
                           "an interval is drawn at its year or span of years; unknown dates have their own "
                           "column); requests for assistance, each counted once, against the responses "
                           "coded for them; where events took place. Each chart's title opens it alone; "
                           "the filters narrow the events count, the timeline, the map and (country only) the "
                           "requests; each panel's title says which filters apply to it (country: any "
                           "involvement, as initiator's, target's or participant's country or location).",
            "settings": {"allow_fullscreen": True},
            "layout": [counts, ["timeline"] * len(counts), ["requests", "requests", "map", "map"]],
            "filters": {
                "country": {"name": "Country involved (initiator, target, participant or location; ISO3)",
                            "type": "select", "db": database, "query": queries["filter_countries"].sql},
                "event_type": {"name": "Event type (PLOVER)", "type": "select", "db": database,
                               "query": queries["filter_event_types"].sql},
            },
            "charts": charts,
        }
    }
