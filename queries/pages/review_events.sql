-- The events coded from one article (:source_id), for its curator's review page.
SELECT * FROM events WHERE source_id = :source_id
