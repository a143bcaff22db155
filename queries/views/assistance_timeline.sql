-- question: 10: When did anyone ask Russia for military help, and what happened next?
-- Every request, offer, refusal, denial, delivery, readiness change and exercise concerning military
-- assistance, in date order, with who asked whom, the conditions attached and the article it comes from.
-- Which events: requests and refusals (REQUEST, REJECT) whose mode is assist or whose context is
-- military; offers and promises (AGREE, which has no PLOVER mode) whose CAMEO code is an intent to give
-- aid, protection or military cooperation (0312, 033, 0331-0334) or whose context is military; every
-- delivery of aid (AID); exercises and readiness changes
-- (COOPERATE, MOBILIZE) whose context is military or whose mode is troops. A denial is any of these
-- with modality denied.
-- Order: earliest date (unknown dates last), latest date, requests before the responses of the same
-- day, event_id. Lists are sorted by name, then id, and separated by '; '; a code appears once in a list.
-- key: event_id
-- columns: date_earliest, date_latest, event_type, modality, initiators, targets, conditions, summary, event_id
-- order: date_earliest NULLS LAST, date_latest NULLS LAST, CASE WHEN event_type = 'REQUEST' THEN 0 ELSE 1 END, event_id
-- column: initiators: Names of the actors that initiated the event (event_actors role initiator).
-- column: initiator_countries: ISO 3166-1 alpha-3 codes of the initiators' countries, distinct and sorted.
-- column: targets: Names of the actors the event was directed at (event_actors role target).
-- column: target_countries: ISO 3166-1 alpha-3 codes of the targets' countries, distinct and sorted.
-- column: conditions: Types of the conditions attached to the event (event_conditions.condition_type), distinct and sorted.
-- column: source_title: The headline of the article the event is coded from (sources.title).
-- column: publisher: The outlet that published that article (sources.publisher).
WITH RECURSIVE
assistance AS (
  SELECT e.*
  FROM events e
  WHERE (e.event_type IN ('REQUEST', 'REJECT') AND (e.event_mode = 'assist' OR e.event_context = 'military'))
     OR (e.event_type = 'AGREE' AND (e.cameo_code IN ('0312', '033', '0331', '0332', '0333', '0334') OR e.event_context = 'military'))
     OR e.event_type = 'AID'
     OR (e.event_type IN ('COOPERATE', 'MOBILIZE') AND (e.event_context = 'military' OR e.event_mode = 'troops'))
),
items AS (
  SELECT ea.event_id, ea.role AS list, a.name AS item, a.actor_id AS item_id
  FROM event_actors ea
  JOIN assistance x ON x.event_id = ea.event_id
  JOIN actors a ON a.actor_id = ea.actor_id
  WHERE ea.role IN ('initiator', 'target')
  UNION
  SELECT ea.event_id, ea.role || '_country', a.country_iso3, a.country_iso3
  FROM event_actors ea
  JOIN assistance x ON x.event_id = ea.event_id
  JOIN actors a ON a.actor_id = ea.actor_id
  WHERE ea.role IN ('initiator', 'target') AND a.country_iso3 IS NOT NULL
  UNION
  SELECT c.event_id, 'condition', c.condition_type, c.condition_type
  FROM event_conditions c
  JOIN assistance x ON x.event_id = c.event_id
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
         max(CASE WHEN list = 'initiator' THEN text END) AS initiators,
         max(CASE WHEN list = 'initiator_country' THEN text END) AS initiator_countries,
         max(CASE WHEN list = 'target' THEN text END) AS targets,
         max(CASE WHEN list = 'target_country' THEN text END) AS target_countries,
         max(CASE WHEN list = 'condition' THEN text END) AS conditions
  FROM joined
  WHERE position = length
  GROUP BY event_id
)
SELECT
  e.date_earliest,
  e.date_latest,
  e.date_precision,
  e.event_type,
  e.event_mode,
  e.modality,
  lists.initiators,
  lists.initiator_countries,
  lists.targets,
  lists.target_countries,
  lists.conditions,
  e.summary,
  e.location_name,
  e.location_country_iso3,
  e.source_id,
  s.title AS source_title,
  s.publisher,
  e.event_id
FROM assistance e
JOIN sources s ON s.source_id = e.source_id
LEFT JOIN lists ON lists.event_id = e.event_id
ORDER BY e.date_earliest NULLS LAST, e.date_latest NULLS LAST,
         CASE WHEN e.event_type = 'REQUEST' THEN 0 ELSE 1 END, e.event_id
