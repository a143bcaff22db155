-- The conditions attached to one event (:event_id), with the codebook's definition and the article's words.
SELECT c.condition_type, cb.definition, c.evidence, c.note, c.condition_id
FROM event_conditions c
LEFT JOIN codebook cb ON cb.codebook = 'condition_type' AND cb.code = c.condition_type
WHERE c.event_id = :event_id
ORDER BY c.evidence_start, c.condition_id
