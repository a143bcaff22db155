-- question: 50: What did an actor say and do (its record)?
-- example: actor_id=russia&from_date=&until_date=
-- Everything an actor said or did between two dates: the statements it made and the events it
-- initiated, was targeted by or took part in, in date order. :actor_id is an actor_id such as russia;
-- :from_date and :until_date are ISO dates (YYYY-MM-DD), both inclusive. A row is kept when its date
-- interval overlaps [:from_date, :until_date]; a row whose date is unknown on the side a bound
-- checks is left out. An empty :actor_id means every actor; an empty date leaves that side unbounded.
-- Order: earliest date (unknown dates last), latest date (unknown last), kind, id, actor_id, part.
-- column: actor: The actor's usual English name (actors.name).
-- column: kind: statement or event.
-- column: id: The statement_id or event_id.
-- column: part: The actor's part: speaker of a statement, or initiator, target or participant of an event.
-- column: what: For a statement its quote_kind; for an event its event_type and, in brackets, its modality.
-- column: text: For a statement its evidence (the words); for an event its summary.
-- column: source_title: The headline of the article the row is coded from (sources.title).
SELECT actor_id, actor, kind, id, part, date_earliest, date_latest, date_precision, what, text, source_id,
       source_title
FROM (
  -- How it is written, so that a page of it is quick at any size: the order is the compound's own, over
  -- output columns (earliest_unknown and latest_unknown put unknown dates last, as NULLS LAST would), so
  -- SQLite merges the arms in the order of the tables' date-order indexes (<table>_date_order_idx) and
  -- stops at the page's LIMIT instead of sorting every row; every actor (:actor_id empty) and one actor
  -- are separate arms, so that one actor's rows are found by its index and an arm whose condition is
  -- false reads nothing. The outer SELECT only drops the two order columns.
  SELECT st.speaker_id AS actor_id, a.name AS actor, 'statement' AS kind, st.statement_id AS id,
         'speaker' AS part, st.date_earliest AS date_earliest, st.date_latest AS date_latest,
         st.date_precision AS date_precision, st.quote_kind AS what, st.evidence AS text,
         st.source_id AS source_id, s.title AS source_title,
         st.date_earliest IS NULL AS earliest_unknown, st.date_latest IS NULL AS latest_unknown
  FROM statements st
  JOIN actors a ON a.actor_id = st.speaker_id
  JOIN sources s ON s.source_id = st.source_id
  WHERE :actor_id = ''
    AND (:from_date = '' OR CAST(st.date_latest AS TEXT) >= :from_date)
    AND (:until_date = '' OR CAST(st.date_earliest AS TEXT) <= :until_date)
  UNION ALL
  SELECT st.speaker_id, a.name, 'statement', st.statement_id, 'speaker', st.date_earliest, st.date_latest,
         st.date_precision, st.quote_kind, st.evidence, st.source_id, s.title,
         st.date_earliest IS NULL, st.date_latest IS NULL
  FROM statements st
  JOIN actors a ON a.actor_id = st.speaker_id
  JOIN sources s ON s.source_id = st.source_id
  WHERE st.speaker_id = :actor_id
    AND (:from_date = '' OR CAST(st.date_latest AS TEXT) >= :from_date)
    AND (:until_date = '' OR CAST(st.date_earliest AS TEXT) <= :until_date)
  UNION ALL
  SELECT ea.actor_id, a.name, 'event', e.event_id, ea.role, e.date_earliest, e.date_latest, e.date_precision,
         e.event_type || ' (' || e.modality || ')', e.summary, e.source_id, s.title,
         e.date_earliest IS NULL, e.date_latest IS NULL
  FROM events e
  JOIN event_actors ea ON ea.event_id = e.event_id
  JOIN actors a ON a.actor_id = ea.actor_id
  JOIN sources s ON s.source_id = e.source_id
  WHERE :actor_id = ''
    AND (:from_date = '' OR CAST(e.date_latest AS TEXT) >= :from_date)
    AND (:until_date = '' OR CAST(e.date_earliest AS TEXT) <= :until_date)
  UNION ALL
  SELECT ea.actor_id, a.name, 'event', e.event_id, ea.role, e.date_earliest, e.date_latest, e.date_precision,
         e.event_type || ' (' || e.modality || ')', e.summary, e.source_id, s.title,
         e.date_earliest IS NULL, e.date_latest IS NULL
  FROM events e
  JOIN event_actors ea ON ea.event_id = e.event_id
  JOIN actors a ON a.actor_id = ea.actor_id
  JOIN sources s ON s.source_id = e.source_id
  WHERE ea.actor_id = :actor_id
    AND (:from_date = '' OR CAST(e.date_latest AS TEXT) >= :from_date)
    AND (:until_date = '' OR CAST(e.date_earliest AS TEXT) <= :until_date)
  ORDER BY earliest_unknown, date_earliest, latest_unknown, date_latest, kind, id, actor_id, part
) AS record
