-- Dashboard chart: every event by the period its date is known to, PLOVER type and modality. The period
-- is the year when the date interval lies within one year (a day, a month or a range inside a year), the
-- span of years ("1998-2003") when it crosses years, "from 2021" or "until 2021" when one bound is
-- unknown, and "date unknown" when both are: no event is left out. One row per period, type and modality;
-- period_sort is the earliest known day of its events (unknown last), and the chart orders the periods by
-- the least of their rows'. Filters: :country (any involvement, see the view
-- event_countries) and :event_type; the bracketed clauses drop out when a filter is empty.
select
  case
    when e.date_earliest is null and e.date_latest is null then 'date unknown'
    when e.date_earliest is null then 'until ' || substr(e.date_latest, 1, 4)
    when e.date_latest is null then 'from ' || substr(e.date_earliest, 1, 4)
    when substr(e.date_earliest, 1, 4) = substr(e.date_latest, 1, 4) then substr(e.date_earliest, 1, 4)
    else substr(e.date_earliest, 1, 4) || '-' || substr(e.date_latest, 1, 4)
  end as period,
  min(coalesce(e.date_earliest, e.date_latest, '9999-12-31') || coalesce(e.date_latest, '9999-12-31')) as period_sort,
  e.event_type,
  e.modality,
  count(*) as events
from events e
where 1 = 1
[[ and e.event_id in (select event_id from event_countries where country_iso3 = :country) ]]
[[ and e.event_type = :event_type ]]
group by 1, 3, 4
order by 2, 1, 3, 4
