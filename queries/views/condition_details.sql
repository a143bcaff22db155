-- question: 22: What conditions were attached to offers, pledges and refusals, by whom and to whom?
-- Every condition attached to an event, with who attached it and to whom: the event's initiators (who
-- made the offer, pledge or refusal) and its targets (to whom it was made), the event's type, modality
-- and date, the codebook's label of the condition and the article's words. One row per condition.
-- Order: the event's earliest date (unknown dates last), event_id, condition_id. Lists are sorted by
-- name, then id, and separated by '; '; an actor appears once in a list.
-- key: event_id, condition_id
-- columns: date_earliest, event_type, offered_by, offered_to, condition_type, evidence, event_id, condition_id
-- order: date_earliest NULLS LAST, event_id, condition_id
-- column: condition_label: The codebook's label of the condition type (codebook condition_type).
-- column: offered_by: Names of the event's initiators: who made the offer, pledge or refusal the condition is attached to (event_actors role initiator).
-- column: offered_to: Names of the event's targets: to whom it was made (event_actors role target).
-- column: event_summary: One line saying what the event was (events.summary).
-- column: condition_note: Curator's note on the condition (event_conditions.note).
WITH RECURSIVE
items AS (
  SELECT ea.event_id, ea.role AS list, a.name AS item, a.actor_id AS item_id
  FROM event_actors ea
  JOIN actors a ON a.actor_id = ea.actor_id
  WHERE ea.role IN ('initiator', 'target')
    AND ea.event_id IN (SELECT event_id FROM event_conditions)
),
numbered AS (
  SELECT event_id, list, item,
         row_number() OVER (PARTITION BY event_id, list ORDER BY item, item_id) AS position,
         count(*) OVER (PARTITION BY event_id, list) AS length
  FROM items
),
joined (event_id, list, position, length, text) AS (
  SELECT event_id, list, position, length, item FROM numbered WHERE position = 1
  UNION ALL
  SELECT n.event_id, n.list, n.position, n.length, j.text || '; ' || n.item
  FROM joined j
  JOIN numbered n ON n.event_id = j.event_id AND n.list = j.list AND n.position = j.position + 1
),
lists AS (
  SELECT event_id,
         max(CASE WHEN list = 'initiator' THEN text END) AS offered_by,
         max(CASE WHEN list = 'target' THEN text END) AS offered_to
  FROM joined
  WHERE position = length
  GROUP BY event_id
)
SELECT
  c.condition_id,
  e.date_earliest,
  e.date_latest,
  e.event_type,
  e.modality,
  lists.offered_by,
  lists.offered_to,
  c.condition_type,
  cb.label AS condition_label,
  c.evidence,
  c.note AS condition_note,
  e.summary AS event_summary,
  c.event_id,
  e.source_id
FROM event_conditions c
JOIN events e ON e.event_id = c.event_id
LEFT JOIN codebook cb ON cb.codebook = 'condition_type' AND cb.code = c.condition_type
LEFT JOIN lists ON lists.event_id = c.event_id
ORDER BY e.date_earliest NULLS LAST, e.event_id, c.condition_id
