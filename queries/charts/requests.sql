-- Dashboard chart: requests for military assistance (the REQUEST events of assistance_timeline), each
-- counted once, by who asked whom (the request's initiators and targets, as the view lists them; "no one
-- named" where the article names no one asked) and by what became of it. A request whose own coding is
-- denied (modality denied) is "request denied"; one that statements both assert and deny (claims) is
-- "request contested"; those states come first, whatever response was coded. Otherwise the outcome is
-- that of the responses coded for it: an event coded from the same article, on or after the request's
-- earliest day (or undated), initiated by an asked party (or an actor of its country) and directed at an
-- asker (or an actor of its country): refused (a REJECT that occurred), agreed (an AGREE or AID that
-- occurred), agreement only planned or conditional (an AGREE or AID not coded as occurred), refused and
-- agreed (both), other response (only other types), no response coded. The 25 asker-asked pairs with
-- most requests are drawn by name; every other request is counted in one bar, "other pairs".
-- Filter: :country (any involvement of the request, see the view event_countries); the event type
-- filter does not apply (every request is a REQUEST).
with requests as (
  select event_id, source_id, date_earliest, modality,
         coalesce(initiators, 'someone unnamed') || ' asks ' || coalesce(targets, 'no one named') as pair
  from assistance_timeline
  where event_type = 'REQUEST'
  [[ and event_id in (select event_id from event_countries where country_iso3 = :country) ]]
),
contested as (
  select event_id from claims group by event_id
  having max(case when relation = 'denies' then 1 else 0 end) = 1
     and max(case when relation = 'asserts' then 1 else 0 end) = 1
),
responses as (
  select distinct r.event_id as request_id, x.event_type, x.modality
  from requests r
  join event_actors ri on ri.event_id = r.event_id and ri.role = 'initiator'
  join actors asker on asker.actor_id = ri.actor_id
  join event_actors rt on rt.event_id = r.event_id and rt.role = 'target'
  join actors asked on asked.actor_id = rt.actor_id
  join events x on x.source_id = r.source_id and x.event_type <> 'REQUEST'
                and (x.date_earliest is null or r.date_earliest is null or x.date_earliest >= r.date_earliest)
  join event_actors xi on xi.event_id = x.event_id and xi.role = 'initiator'
  join actors responder on responder.actor_id = xi.actor_id
  join event_actors xt on xt.event_id = x.event_id and xt.role = 'target'
  join actors responded_to on responded_to.actor_id = xt.actor_id
  where (responder.actor_id = asked.actor_id or responder.country_iso3 = asked.country_iso3)
    and (responded_to.actor_id = asker.actor_id or responded_to.country_iso3 = asker.country_iso3)
),
outcomes as (
  select r.event_id, r.pair,
         case
           when r.modality = 'denied' then 'request denied'
           when r.event_id in (select event_id from contested) then 'request contested'
           when max(case when s.event_type = 'REJECT' and s.modality = 'occurred' then 1 else 0 end) = 1
            and max(case when s.event_type in ('AGREE', 'AID') and s.modality = 'occurred' then 1 else 0 end) = 1
             then 'refused and agreed'
           when max(case when s.event_type = 'REJECT' and s.modality = 'occurred' then 1 else 0 end) = 1 then 'refused'
           when max(case when s.event_type in ('AGREE', 'AID') and s.modality = 'occurred' then 1 else 0 end) = 1
             then 'agreed'
           when max(case when s.event_type in ('AGREE', 'AID') then 1 else 0 end) = 1
             then 'agreement planned or conditional'
           when count(s.event_type) > 0 then 'other response'
           else 'no response coded'
         end as outcome
  from requests r
  left join responses s on s.request_id = r.event_id
  group by r.event_id, r.pair, r.modality
),
top_pairs as (
  select pair from outcomes group by pair order by count(*) desc, pair limit 25
)
select coalesce(t.pair, 'other pairs') as request, o.outcome, count(*) as requests
from outcomes o
left join top_pairs t on t.pair = o.pair
group by 1, 2
order by 1, 2
