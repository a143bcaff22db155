-- The spans of one article (:source_id) that rows were coded from (events, statements, conditions), with
-- what each row is, in the order they appear: the article page marks them in the body. Offsets are
-- 0-based code points into sources.text, as evidence_start and evidence_end.
SELECT 'event' AS kind, e.event_id AS id, e.evidence_start, e.evidence_end, 'event ' || e.event_type || ': ' || e.summary AS label
FROM events e WHERE e.source_id = :source_id
UNION ALL
SELECT 'statement', st.statement_id, st.evidence_start, st.evidence_end, 'statement by ' || a.name
FROM statements st JOIN actors a ON a.actor_id = st.speaker_id WHERE st.source_id = :source_id
UNION ALL
SELECT 'condition', c.condition_id, c.evidence_start, c.evidence_end, 'condition: ' || c.condition_type
FROM event_conditions c JOIN events e ON e.event_id = c.event_id WHERE e.source_id = :source_id
ORDER BY evidence_start, evidence_end DESC, kind, id
