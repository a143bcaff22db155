-- Per actor: how many statements it made and was the subject or addressee of, how many events it
-- initiated, was targeted by and took part in, the first and last dates of those statements and
-- events, and how many articles mention it (as speaker, agency, subject, addressee or event party).
-- Every actor has a row, with zeros where it has no activity. Order: actor_id.
-- key: actor_id
-- columns: name, actor_type, country_iso3, statements_made, events_initiated, events_targeted, first_date, last_date, sources_mentioning, actor_id
-- order: actor_id
-- column: statements_made: Statements the actor made (statements.speaker_id).
-- column: statements_about: Statements about the actor (statement_actors relation about).
-- column: statements_addressed: Statements addressed to the actor (statement_actors relation addressee).
-- column: statements_relayed: Statements the actor relayed as a news agency (statements.reported_via_id).
-- column: events_initiated: Events the actor initiated (event_actors role initiator).
-- column: events_targeted: Events directed at the actor (event_actors role target).
-- column: events_joined: Events the actor took part in as neither initiator nor target (role participant).
-- column: first_date: Earliest date_earliest of the statements the actor made and the events it had a part in.
-- column: last_date: Latest date_latest of the statements the actor made and the events it had a part in.
-- column: sources_mentioning: Distinct articles in which the actor speaks, relays, is spoken about or to, or takes part in an event.
WITH
involvement AS (
  SELECT st.speaker_id AS actor_id, 'made' AS kind, st.source_id, st.date_earliest, st.date_latest
  FROM statements st
  UNION ALL
  SELECT st.reported_via_id, 'relayed', st.source_id, NULL, NULL
  FROM statements st WHERE st.reported_via_id IS NOT NULL
  UNION ALL
  SELECT sa.actor_id, sa.relation, st.source_id, NULL, NULL
  FROM statement_actors sa JOIN statements st ON st.statement_id = sa.statement_id
  UNION ALL
  SELECT ea.actor_id, ea.role, e.source_id, e.date_earliest, e.date_latest
  FROM event_actors ea JOIN events e ON e.event_id = ea.event_id
),
activity AS (
  SELECT actor_id,
         count(CASE WHEN kind = 'made' THEN 1 END) AS statements_made,
         count(CASE WHEN kind = 'about' THEN 1 END) AS statements_about,
         count(CASE WHEN kind = 'addressee' THEN 1 END) AS statements_addressed,
         count(CASE WHEN kind = 'relayed' THEN 1 END) AS statements_relayed,
         count(CASE WHEN kind = 'initiator' THEN 1 END) AS events_initiated,
         count(CASE WHEN kind = 'target' THEN 1 END) AS events_targeted,
         count(CASE WHEN kind = 'participant' THEN 1 END) AS events_joined,
         min(date_earliest) AS first_date,
         max(date_latest) AS last_date,
         count(DISTINCT source_id) AS sources_mentioning
  FROM involvement
  GROUP BY actor_id
)
SELECT
  a.actor_id,
  a.name,
  a.actor_type,
  a.country_iso3,
  coalesce(x.statements_made, 0) AS statements_made,
  coalesce(x.statements_about, 0) AS statements_about,
  coalesce(x.statements_addressed, 0) AS statements_addressed,
  coalesce(x.statements_relayed, 0) AS statements_relayed,
  coalesce(x.events_initiated, 0) AS events_initiated,
  coalesce(x.events_targeted, 0) AS events_targeted,
  coalesce(x.events_joined, 0) AS events_joined,
  x.first_date,
  x.last_date,
  coalesce(x.sources_mentioning, 0) AS sources_mentioning
FROM actors a
LEFT JOIN activity x ON x.actor_id = a.actor_id
ORDER BY a.actor_id
