-- question: 40: Who belonged to which alliance on a given day?
-- example: alliance_id=csto&on_date=2010-06-12
-- Who belonged to an alliance on a given day, with what status (member, suspended, observer, partner).
-- :alliance_id is an alliance_id such as csto; :on_date an ISO date (YYYY-MM-DD). An interval
-- [joined_date, left_date) covers the day when joined_date <= day < left_date (an empty left_date is
-- ongoing). Leave :alliance_id empty for every alliance and :on_date empty for every interval ever.
-- Order: alliance_id, actor_id, joined_date, status.
-- column: alliance: The alliance's usual English name (alliances.name).
-- column: member: The member's usual English name (actors.name).
SELECT
  m.alliance_id,
  al.name AS alliance,
  m.actor_id,
  a.name AS member,
  a.country_iso3,
  m.status,
  m.joined_date,
  m.left_date,
  m.basis,
  m.note
FROM alliance_members m
JOIN alliances al ON al.alliance_id = m.alliance_id
JOIN actors a ON a.actor_id = m.actor_id
WHERE (:alliance_id = '' OR m.alliance_id = :alliance_id)
  AND (:on_date = '' OR (CAST(m.joined_date AS TEXT) <= :on_date
                         AND (m.left_date IS NULL OR :on_date < CAST(m.left_date AS TEXT))))
ORDER BY m.alliance_id, m.actor_id, m.joined_date, m.status
