-- Rows coded from each article: its statements, events, conditions and claims, and the distinct actors
-- those rows name (speakers, agencies, actors a statement is about or addressed to, actors of its events).
-- `rucas stats --markdown` prints it below the rows per table.
-- key: source_id
-- order: source_id
SELECT s.source_id,
       (SELECT count(*) FROM statements t WHERE t.source_id = s.source_id) AS statements,
       (SELECT count(*) FROM events e WHERE e.source_id = s.source_id) AS events,
       (SELECT count(*) FROM event_conditions c JOIN events e USING (event_id) WHERE e.source_id = s.source_id)
           AS conditions,
       (SELECT count(*) FROM claims c JOIN statements t USING (statement_id) WHERE t.source_id = s.source_id)
           AS claims,
       (SELECT count(DISTINCT actor_id) FROM (
            SELECT speaker_id AS actor_id FROM statements WHERE source_id = s.source_id
            UNION SELECT reported_via_id FROM statements WHERE source_id = s.source_id
            UNION SELECT sa.actor_id FROM statement_actors sa JOIN statements t USING (statement_id)
                  WHERE t.source_id = s.source_id
            UNION SELECT ea.actor_id FROM event_actors ea JOIN events e USING (event_id)
                  WHERE e.source_id = s.source_id) a WHERE actor_id IS NOT NULL) AS actors
FROM sources s ORDER BY s.source_id
