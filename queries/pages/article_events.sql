-- The events coded from one article (:source_id), in the order their words appear in it.
SELECT event_id, date_earliest, date_latest, event_type, modality, summary
FROM events
WHERE source_id = :source_id
ORDER BY evidence_start, event_id
