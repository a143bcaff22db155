-- question: 50: What did an actor say and do (its record)?
-- example: actor_id=russia&from_date=&until_date=
-- Everything an actor said or did between two dates: the statements it made and the events it
-- initiated, was targeted by or took part in, in date order. :actor_id is an actor_id such as russia;
-- :from_date and :until_date are ISO dates (YYYY-MM-DD), both inclusive. A row is kept when its date
-- interval overlaps [:from_date, :until_date]; a row whose date is unknown on the side a bound
-- checks is left out. An empty :actor_id means every actor; an empty date leaves that side unbounded.
-- Order: earliest date (unknown dates last), latest date, kind, id, actor_id, part.
-- column: actor: The actor's usual English name (actors.name).
-- column: kind: statement or event.
-- column: id: The statement_id or event_id.
-- column: part: The actor's part: speaker of a statement, or initiator, target or participant of an event.
-- column: what: For a statement its quote_kind; for an event its event_type and, in brackets, its modality.
-- column: text: For a statement its evidence (the words); for an event its summary.
-- column: source_title: The headline of the article the row is coded from (sources.title).
WITH
record AS (
  SELECT st.speaker_id AS actor_id, 'statement' AS kind, st.statement_id AS id, 'speaker' AS part,
         st.date_earliest, st.date_latest, st.date_precision, st.quote_kind AS what, st.evidence AS text,
         st.source_id
  FROM statements st
  UNION ALL
  SELECT ea.actor_id, 'event', e.event_id, ea.role,
         e.date_earliest, e.date_latest, e.date_precision, e.event_type || ' (' || e.modality || ')', e.summary,
         e.source_id
  FROM events e
  JOIN event_actors ea ON ea.event_id = e.event_id
)
SELECT
  r.actor_id,
  a.name AS actor,
  r.kind,
  r.id,
  r.part,
  r.date_earliest,
  r.date_latest,
  r.date_precision,
  r.what,
  r.text,
  r.source_id,
  s.title AS source_title
FROM record r
JOIN actors a ON a.actor_id = r.actor_id
JOIN sources s ON s.source_id = r.source_id
WHERE (:actor_id = '' OR r.actor_id = :actor_id)
  AND (:from_date = '' OR CAST(r.date_latest AS TEXT) >= :from_date)
  AND (:until_date = '' OR CAST(r.date_earliest AS TEXT) <= :until_date)
ORDER BY r.date_earliest NULLS LAST, r.date_latest NULLS LAST, r.kind, r.id, r.actor_id, r.part
