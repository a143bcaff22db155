-- Dashboard card: how many events are coded.
select count(*) as n from events
