-- The statements that assert or deny one event (:event_id): who said it, when, in which words, in which article.
SELECT c.relation, st.statement_id, speaker.name AS speaker, st.speaker_id, st.speaker_title,
       st.date_earliest, st.date_latest, st.quote_kind, st.evidence, s.title AS source_title, st.source_id
FROM claims c
JOIN statements st ON st.statement_id = c.statement_id
JOIN actors speaker ON speaker.actor_id = st.speaker_id
JOIN sources s ON s.source_id = st.source_id
WHERE c.event_id = :event_id
ORDER BY c.relation, st.date_earliest, st.statement_id
