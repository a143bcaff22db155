"""The datasette-dashboards configuration: key counts, a timeline, requests and their responses, a map.

Each chart is a SQL query on the published tables and a Vega-Lite (or plugin "metric"/"map")
display. Queries aggregate, so a chart stays within max_returned_rows as the corpus grows.
Optional filters use the plugin's `[[ ... :name ... ]]` syntax: the bracketed clause is
dropped when the filter is empty.
"""

from __future__ import annotations

DASHBOARD_SLUG = "overview"

_EVENT_FILTERS = """
[[ and e.location_country_iso3 = :country ]]
[[ and e.event_type = :event_type ]]
"""

KEY_COUNTS = {
    "sources": ("Articles", "select count(*) as n from sources"),
    "events": ("Events", "select count(*) as n from events"),
    "statements": ("Statements", "select count(*) as n from statements"),
    "actors": ("Actors", "select count(*) as n from actors"),
}
"""Metric charts: slug -> (title, query returning one row with column n)."""

TIMELINE_SQL = f"""
select substr(e.date_earliest, 1, 4) || '-01-01' as year, e.event_type, e.modality, count(*) as events
from events e
where e.date_earliest is not null {_EVENT_FILTERS}
group by 1, 2, 3
order by 1, 2, 3
"""
"""Events per year of their earliest date, by PLOVER type and modality (years x types x modalities rows:
about 1,300 for 25 years of a 10k-article generated corpus, under max_returned_rows)."""

REQUESTS_SQL = """
with request_parties as (
  select r.event_id, r.source_id, r.date_earliest,
         asker.actor_id as asker_id, asker.name as asker, asker.country_iso3 as asker_country,
         asked.actor_id as asked_id, asked.name as asked, asked.country_iso3 as asked_country
  from events r
  join event_actors ri on ri.event_id = r.event_id and ri.role = 'initiator'
  join actors asker on asker.actor_id = ri.actor_id
  join event_actors rt on rt.event_id = r.event_id and rt.role = 'target'
  join actors asked on asked.actor_id = rt.actor_id
  where r.event_type = 'REQUEST'
),
top_pairs as (
  select asker_id, asked_id from request_parties
  group by asker_id, asked_id
  order by count(distinct event_id) desc, asker_id, asked_id
  limit 25
),
top_requests as (
  select p.* from request_parties p
  join top_pairs t on t.asker_id = p.asker_id and t.asked_id = p.asked_id
),
responses as (
  select distinct p.event_id as request_id, x.event_type || ' (' || x.modality || ')' as response
  from top_requests p
  join events x on x.source_id = p.source_id and x.event_type <> 'REQUEST'
       and x.date_earliest >= p.date_earliest
  join event_actors xi on xi.event_id = x.event_id and xi.role = 'initiator'
  join actors responder on responder.actor_id = xi.actor_id
  join event_actors xt on xt.event_id = x.event_id and xt.role = 'target'
  join actors responded_to on responded_to.actor_id = xt.actor_id
  where (responder.actor_id = p.asked_id or responder.country_iso3 = p.asked_country)
    and (responded_to.actor_id = p.asker_id or responded_to.country_iso3 = p.asker_country)
)
select p.asker || ' asks ' || p.asked as request,
       coalesce(s.response, 'no response coded') as response,
       count(distinct p.event_id) as requests
from top_requests p
left join responses s on s.request_id = p.event_id
group by 1, 2
order by 1, 2
"""
"""Requests for assistance (PLOVER REQUEST events) by asker and asked party, against the responses they
received: events coded from the same article, on or after the request, whose initiator is the asked party
(or of its country) and whose target is the asker (or of its country). The 25 asker-asked pairs with
the most requests are shown; a request with several responses counts once under each."""

MAP_SQL = f"""
select e.latitude, e.longitude, e.location_name as place, e.location_country_iso3 as country,
       count(*) as events, group_concat(distinct e.event_type) as types
from events e
where e.latitude is not null and e.longitude is not null {_EVENT_FILTERS}
group by e.latitude, e.longitude, e.location_name, e.location_country_iso3
order by events desc
"""
"""One marker per coded location, with its number of events and their types."""


_WHOLE_NUMBERS_ONLY = "datum.value % 1 ? '' : datum.label"
"""A Vega label expression that labels only whole counts (no 0.5 events)."""


def _metric(title: str, sql: str, database: str) -> dict[str, object]:
    return {"title": title, "db": database, "query": sql, "library": "metric",
            "display": {"field": "n", "prefix": "", "suffix": ""}}


def _timeline(database: str) -> dict[str, object]:
    return {
        "title": "Events per year by type and modality",
        "db": database,
        "query": TIMELINE_SQL,
        "library": "vega-lite",
        "display": {
            "mark": {"type": "circle", "tooltip": True, "opacity": 0.8},
            "height": 260,
            "encoding": {
                "x": {"field": "year", "type": "temporal", "timeUnit": "utcyear", "title": "year"},
                "y": {"field": "event_type", "type": "nominal", "title": "event type (PLOVER)"},
                "size": {"field": "events", "type": "quantitative", "title": "events",
                         "legend": {"labelExpr": _WHOLE_NUMBERS_ONLY, "format": "d"}},
                "color": {"field": "modality", "type": "nominal", "title": "modality"},
            },
        },
    }


def _requests(database: str) -> dict[str, object]:
    return {
        "title": "Requests for assistance and the responses they received (25 most frequent pairs)",
        "db": database,
        "query": REQUESTS_SQL,
        "library": "vega-lite",
        "display": {
            "mark": {"type": "bar", "tooltip": True},
            "height": 220,
            "encoding": {
                "y": {"field": "request", "type": "nominal", "title": None, "sort": "-x",
                      "axis": {"labelLimit": 320}},
                "x": {"field": "requests", "type": "quantitative", "title": "requests",
                      "axis": {"labelExpr": _WHOLE_NUMBERS_ONLY, "format": "d"}},
                "color": {"field": "response", "type": "nominal", "title": "response (type, modality)"},
            },
        },
    }


def _map(database: str) -> dict[str, object]:
    return {"title": "Where events took place", "db": database, "query": MAP_SQL, "library": "map",
            "display": {"latitude_column": "latitude", "longitude_column": "longitude"}}


def dashboards(database: str) -> dict[str, object]:
    """The plugin's configuration (metadata plugins -> datasette-dashboards) for the named database."""
    charts: dict[str, object] = {slug: _metric(title, sql, database) for slug, (title, sql) in KEY_COUNTS.items()}
    charts["timeline"] = _timeline(database)
    charts["requests"] = _requests(database)
    charts["map"] = _map(database)
    counts = list(KEY_COUNTS)
    return {
        DASHBOARD_SLUG: {
            "title": "RUCAS overview",
            "description": "Key counts; events over time by type and modality; requests for assistance against "
                           "the responses they received (a request with several responses counts once under "
                           "each); where events took place. Each chart's title opens it "
                           "alone; filters narrow the timeline and the map.",
            "settings": {"allow_fullscreen": True},
            "layout": [counts, ["timeline"] * len(counts), ["requests", "requests", "map", "map"]],
            "filters": {
                "country": {"name": "Country (ISO 3166-1 alpha-3)", "type": "select", "db": database,
                            "query": "select distinct location_country_iso3 from events "
                                     "where location_country_iso3 is not null order by 1"},
                "event_type": {"name": "Event type (PLOVER)", "type": "select", "db": database,
                               "query": "select distinct event_type from events order by 1"},
            },
            "charts": charts,
        }
    }
