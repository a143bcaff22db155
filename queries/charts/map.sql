-- Dashboard map: one marker per coded location with its number of events and their types. Events without
-- coordinates are not drawn (the chart's title says so). Filters as for the timeline.
select e.latitude, e.longitude, e.location_name as place, e.location_country_iso3 as country,
       count(*) as events, group_concat(distinct e.event_type) as types
from events e
where e.latitude is not null and e.longitude is not null
[[ and e.event_id in (select event_id from event_countries where country_iso3 = :country) ]]
[[ and e.event_type = :event_type ]]
group by e.latitude, e.longitude, e.location_name, e.location_country_iso3
order by events desc
