-- The actors of the events of one article (:source_id) by role, for its curator's review page.
SELECT ea.* FROM events ev JOIN event_actors ea ON ea.event_id = ev.event_id
WHERE ev.source_id = :source_id
