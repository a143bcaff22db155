-- Dashboard filter: every country some event involves (as initiator's, target's or participant's country,
-- or location: the view event_countries).
select distinct country_iso3 from event_countries order by 1
