-- question: 45: Who was in an alliance during a period, and whose status changed in it?
-- example: alliance_id=csto&from_date=2012-01-01&until_date=2013-12-31
-- Every membership interval of an alliance that overlaps the period [:from_date, :until_date] (ISO dates
-- YYYY-MM-DD, both inclusive; an empty one leaves that side unbounded), so that a status that changed
-- within the period shows as two intervals: a state suspended in the middle of it has its member interval
-- ending and its suspended interval beginning. An interval [joined_date, left_date) overlaps the period
-- when joined_date <= :until_date and left_date (exclusive; empty while ongoing) is after :from_date.
-- :alliance_id is an alliance_id such as csto (empty: every alliance). For one day, use
-- alliance_members_on_date. Order: alliance_id, actor_id, joined_date, status.
-- column: alliance: The alliance's usual English name (alliances.name).
-- column: member: The member's usual English name (actors.name).
-- column: in_period: How the interval meets the period: throughout (held on its first and last day), began in period (joined_date after :from_date), ended in period (left_date on or before :until_date), or began and ended in period.
SELECT
  m.alliance_id,
  al.name AS alliance,
  m.actor_id,
  a.name AS member,
  m.status,
  m.joined_date,
  m.left_date,
  CASE
    WHEN (:from_date <> '' AND CAST(m.joined_date AS TEXT) > :from_date)
         AND (:until_date <> '' AND m.left_date IS NOT NULL AND CAST(m.left_date AS TEXT) <= :until_date)
      THEN 'began and ended in period'
    WHEN :from_date <> '' AND CAST(m.joined_date AS TEXT) > :from_date THEN 'began in period'
    WHEN :until_date <> '' AND m.left_date IS NOT NULL AND CAST(m.left_date AS TEXT) <= :until_date
      THEN 'ended in period'
    ELSE 'throughout'
  END AS in_period,
  m.basis,
  m.note
FROM alliance_members m
JOIN alliances al ON al.alliance_id = m.alliance_id
JOIN actors a ON a.actor_id = m.actor_id
WHERE (:alliance_id = '' OR m.alliance_id = :alliance_id)
  AND (:until_date = '' OR CAST(m.joined_date AS TEXT) <= :until_date)
  AND (:from_date = '' OR m.left_date IS NULL OR CAST(m.left_date AS TEXT) > :from_date)
ORDER BY m.alliance_id, m.actor_id, m.joined_date, m.status
