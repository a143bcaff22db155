-- The name of every actor the rows of one article (:source_id) name (speakers, relays, the actors of its
-- statements and events), for its curator's review page.
SELECT a.actor_id, a.name
FROM (SELECT speaker_id AS actor_id FROM statements WHERE source_id = :source_id
      UNION SELECT reported_via_id FROM statements WHERE source_id = :source_id
      UNION SELECT sa.actor_id FROM statements st JOIN statement_actors sa ON sa.statement_id = st.statement_id
            WHERE st.source_id = :source_id
      UNION SELECT ea.actor_id FROM events ev JOIN event_actors ea ON ea.event_id = ev.event_id
            WHERE ev.source_id = :source_id) AS named
JOIN actors a ON a.actor_id = named.actor_id
