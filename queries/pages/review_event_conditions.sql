-- The conditions of the events of one article (:source_id), for its curator's review page.
SELECT co.* FROM events ev JOIN event_conditions co ON co.event_id = ev.event_id
WHERE ev.source_id = :source_id
