-- Dashboard filter: every PLOVER event type that occurs.
select distinct event_type from events order by 1
