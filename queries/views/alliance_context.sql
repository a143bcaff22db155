-- question: 80: Were the two sides of an event allied on its day?
-- For each event, the alliances its initiator and its target belonged to on the event's date: both
-- of them (membership = both), only the initiator (initiator_only) or only the target (target_only).
-- One row per event, initiator, target and alliance; events without both an initiator and a target,
-- and events whose date is unknown, have no rows. A party belongs to an alliance through its own
-- membership or, if it is a person, a government body or a military unit, through that of the state of
-- its country (actors.country_iso3): a minister, an interim government or a base counts with its state;
-- an armed group does not. Only status member counts: suspended, observer and partner do not.
-- A membership interval [joined_date, left_date) counts only if it covers the event's whole date
-- interval [date_earliest, date_latest], so an event dated to a year in which a state joined or left
-- does not count that state as a member. Order: the event's earliest date, event_id, initiator_id,
-- target_id, alliance_id.
-- key: event_id, initiator_id, target_id, alliance_id
-- columns: date_earliest, event_type, initiator, target, alliance, membership, event_id, initiator_id, target_id, alliance_id
-- order: date_earliest NULLS LAST, event_id, initiator_id, target_id, alliance_id
-- facets: membership, alliance_type
-- column: initiator_id: The actor that initiated the event (event_actors role initiator).
-- column: initiator: Name of the initiator.
-- column: initiator_member_id: The actor whose membership makes the initiator belong (itself, or its country's state for a person, body or unit); empty for target_only.
-- column: target_id: The actor the event was directed at (event_actors role target).
-- column: target: Name of the target.
-- column: target_member_id: The actor whose membership makes the target belong (itself, or its country's state for a person, body or unit); empty for initiator_only.
-- column: alliance: The alliance's usual English name (alliances.name).
-- column: membership: both, initiator_only or target_only: which of the two parties belonged to the alliance throughout the event's date interval.
WITH
parties AS (
  SELECT e.event_id, e.date_earliest, e.date_latest, ea.role, ea.actor_id
  FROM events e
  JOIN event_actors ea ON ea.event_id = e.event_id
  WHERE e.date_earliest IS NOT NULL AND e.date_latest IS NOT NULL
    AND ea.role IN ('initiator', 'target')
),
represented AS (
  SELECT a.actor_id, a.actor_id AS member_id FROM actors a
  UNION
  SELECT a.actor_id, state.actor_id
  FROM actors a
  JOIN actors state ON state.country_iso3 = a.country_iso3 AND state.actor_type = 'state'
  WHERE a.actor_type IN ('person', 'government_body', 'military_unit')
),
belongs AS (
  SELECT p.event_id, p.role, p.actor_id, m.alliance_id, min(m.actor_id) AS member_id
  FROM parties p
  JOIN represented r ON r.actor_id = p.actor_id
  JOIN alliance_members m ON m.actor_id = r.member_id
  WHERE m.status = 'member'
    AND m.joined_date <= p.date_earliest
    AND (m.left_date IS NULL OR p.date_latest < m.left_date)
  GROUP BY p.event_id, p.role, p.actor_id, m.alliance_id
),
pairs AS (
  SELECT i.event_id, i.actor_id AS initiator_id, t.actor_id AS target_id
  FROM parties i
  JOIN parties t ON t.event_id = i.event_id AND t.role = 'target'
  WHERE i.role = 'initiator'
),
sides AS (
  SELECT p.event_id, p.initiator_id, p.target_id, b.alliance_id
  FROM pairs p JOIN belongs b ON b.event_id = p.event_id AND b.role = 'initiator' AND b.actor_id = p.initiator_id
  UNION
  SELECT p.event_id, p.initiator_id, p.target_id, b.alliance_id
  FROM pairs p JOIN belongs b ON b.event_id = p.event_id AND b.role = 'target' AND b.actor_id = p.target_id
)
SELECT
  e.event_id,
  e.event_type,
  e.modality,
  e.date_earliest,
  e.date_latest,
  e.date_precision,
  x.initiator_id,
  initiator.name AS initiator,
  bi.member_id AS initiator_member_id,
  x.target_id,
  target.name AS target,
  bt.member_id AS target_member_id,
  x.alliance_id,
  al.name AS alliance,
  al.alliance_type,
  CASE
    WHEN bi.member_id IS NOT NULL AND bt.member_id IS NOT NULL THEN 'both'
    WHEN bi.member_id IS NOT NULL THEN 'initiator_only'
    ELSE 'target_only'
  END AS membership
FROM sides x
JOIN events e ON e.event_id = x.event_id
JOIN actors initiator ON initiator.actor_id = x.initiator_id
JOIN actors target ON target.actor_id = x.target_id
JOIN alliances al ON al.alliance_id = x.alliance_id
LEFT JOIN belongs bi ON bi.event_id = x.event_id AND bi.role = 'initiator'
                    AND bi.actor_id = x.initiator_id AND bi.alliance_id = x.alliance_id
LEFT JOIN belongs bt ON bt.event_id = x.event_id AND bt.role = 'target'
                    AND bt.actor_id = x.target_id AND bt.alliance_id = x.alliance_id
ORDER BY e.date_earliest, e.event_id, x.initiator_id, x.target_id, x.alliance_id
