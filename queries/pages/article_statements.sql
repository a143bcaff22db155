-- The statements coded from one article (:source_id), in the order their words appear in it.
SELECT st.statement_id, speaker.name AS speaker, st.speaker_title, st.evidence
FROM statements st
JOIN actors speaker ON speaker.actor_id = st.speaker_id
WHERE st.source_id = :source_id
ORDER BY st.evidence_start, st.statement_id
