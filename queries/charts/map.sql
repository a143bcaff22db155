-- Dashboard map: one marker per coded location with its number of events and their types (each type once,
-- in alphabetical order). Events without coordinates are not drawn (the chart's title says so). Filters as
-- for the timeline. Markers with as many events are ordered by country, place and coordinates, so that the
-- rows come in one order whatever order SQLite reads the events in.
select latitude, longitude, place, country, sum(n) as events, group_concat(event_type, ',') as types
from (
  select e.latitude, e.longitude, e.location_name as place, e.location_country_iso3 as country, e.event_type,
         count(*) as n
  from events e
  where e.latitude is not null and e.longitude is not null
  [[ and e.event_id in (select event_id from event_countries where country_iso3 = :country) ]]
  [[ and e.event_type = :event_type ]]
  group by e.latitude, e.longitude, e.location_name, e.location_country_iso3, e.event_type
  order by e.latitude, e.longitude, e.location_name, e.location_country_iso3, e.event_type
)
group by latitude, longitude, place, country
order by events desc, country, place, latitude, longitude
