-- Dashboard card: how many events are coded, narrowed by the filters (:country, any involvement, see the
-- view event_countries; :event_type).
select count(*) as n from events e
where 1 = 1
[[ and e.event_id in (select event_id from event_countries where country_iso3 = :country) ]]
[[ and e.event_type = :event_type ]]
