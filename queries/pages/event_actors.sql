-- The actors of one event (:event_id) by role, initiators first, then targets, then participants; by name.
SELECT ea.role, a.name, a.actor_id, a.actor_type, a.country_iso3
FROM event_actors ea
JOIN actors a ON a.actor_id = ea.actor_id
WHERE ea.event_id = :event_id
ORDER BY CASE ea.role WHEN 'initiator' THEN 0 WHEN 'target' THEN 1 ELSE 2 END, a.name, a.actor_id
