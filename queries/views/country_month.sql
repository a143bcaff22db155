-- question: 92: How many requests, offers, refusals, conditions and deployments did each country make or receive, month by month?
-- A country-month panel: for each country, month and side (initiator or target), how many requests
-- (REQUEST), offers (AGREE), refusals (REJECT), conditions (event_conditions of those events) and
-- deployments (MOBILIZE, AID, COOPERATE) it initiated or was the target of, with its Correlates of War
-- and Gleditsch-Ward state numbers (country_codes). Events of every modality but denied count.
-- Whose country: an event's initiators (or targets) that are states, persons, government bodies or
-- military units count for their country (actors.country_iso3), once per event and side however many
-- of them there are; armed groups, organisations and media count for none.
-- Dates are intervals: *_certain counts an event in a month only when its whole interval
-- [date_earliest, date_latest] lies within that month; *_possible counts it in every month its interval
-- overlaps. An open bound is not extended: an event with only one known bound is counted as possible
-- in the month of that bound only (never as certain), so possible counts are a lower bound for
-- open-ended events; an event with no known bound is in no month. Only country-months with an event
-- have rows. Order: country_iso3, year, month, side.
-- key: country_iso3, year, month, side
-- columns: country_iso3, country, year, month, side, requests_possible, offers_possible, refusals_possible, conditions_possible, deployments_possible, cow_code, gw_code
-- order: country_iso3, year, month, side
-- facets: side
-- column: country: The country's usual English name (country_codes.name).
-- column: year: Calendar year of the month.
-- column: month: Month of the year, 1-12.
-- column: side: initiator (the country's actors initiated the events) or target (they were the events' targets).
-- column: requests_certain: Requests (REQUEST) whose whole date interval lies in the month.
-- column: requests_possible: Requests whose date interval overlaps the month (one known bound: its month only).
-- column: offers_certain: Offers and pledges (AGREE) whose whole date interval lies in the month.
-- column: offers_possible: Offers and pledges whose date interval overlaps the month (one known bound: its month only).
-- column: refusals_certain: Refusals (REJECT) whose whole date interval lies in the month.
-- column: refusals_possible: Refusals whose date interval overlaps the month (one known bound: its month only).
-- column: conditions_certain: Conditions (event_conditions) attached to the counted events whose whole date interval lies in the month.
-- column: conditions_possible: Conditions attached to the counted events whose date interval overlaps the month.
-- column: deployments_certain: Deployments, aid and military cooperation (MOBILIZE, AID, COOPERATE) whose whole date interval lies in the month.
-- column: deployments_possible: Deployments, aid and military cooperation whose date interval overlaps the month (one known bound: its month only).
WITH RECURSIVE
counted AS (
  SELECT e.event_id,
         CASE WHEN e.event_type = 'REQUEST' THEN 'requests' WHEN e.event_type = 'AGREE' THEN 'offers'
              WHEN e.event_type = 'REJECT' THEN 'refusals' ELSE 'deployments' END AS kind,
         CAST(substr(CAST(e.date_earliest AS VARCHAR(10)), 1, 4) AS INTEGER) * 12
           + CAST(substr(CAST(e.date_earliest AS VARCHAR(10)), 6, 2) AS INTEGER) - 1 AS first_month,
         CAST(substr(CAST(e.date_latest AS VARCHAR(10)), 1, 4) AS INTEGER) * 12
           + CAST(substr(CAST(e.date_latest AS VARCHAR(10)), 6, 2) AS INTEGER) - 1 AS last_month
  FROM events e
  WHERE e.event_type IN ('REQUEST', 'AGREE', 'REJECT', 'MOBILIZE', 'AID', 'COOPERATE')
    AND e.modality <> 'denied'
    AND (e.date_earliest IS NOT NULL OR e.date_latest IS NOT NULL)
),
conditions AS (
  SELECT c.event_id, count(*) AS conditions
  FROM event_conditions c
  GROUP BY c.event_id
),
spans (event_id, month_index, last_index) AS (
  SELECT event_id, coalesce(first_month, last_month), coalesce(last_month, first_month) FROM counted
  UNION ALL
  SELECT event_id, month_index + 1, last_index FROM spans WHERE month_index < last_index
),
sides AS (
  SELECT DISTINCT ea.event_id, ea.role AS side, a.country_iso3
  FROM event_actors ea
  JOIN actors a ON a.actor_id = ea.actor_id
  WHERE ea.role IN ('initiator', 'target') AND a.country_iso3 IS NOT NULL
    AND a.actor_type IN ('state', 'person', 'government_body', 'military_unit')
),
cells AS (
  SELECT s.country_iso3, s.side, x.kind,
         CAST(floor(sp.month_index / 12) AS INTEGER) AS year,
         CAST(sp.month_index - 12 * floor(sp.month_index / 12) AS INTEGER) + 1 AS month,
         CASE WHEN x.first_month IS NOT NULL AND x.first_month = x.last_month THEN 1 ELSE 0 END AS certain,
         coalesce(c.conditions, 0) AS conditions
  FROM spans sp
  JOIN counted x ON x.event_id = sp.event_id
  JOIN sides s ON s.event_id = sp.event_id
  LEFT JOIN conditions c ON c.event_id = sp.event_id
)
SELECT
  cc.country_iso3,
  cc.name AS country,
  x.year,
  x.month,
  x.side,
  count(CASE WHEN x.kind = 'requests' AND x.certain = 1 THEN 1 END) AS requests_certain,
  count(CASE WHEN x.kind = 'requests' THEN 1 END) AS requests_possible,
  count(CASE WHEN x.kind = 'offers' AND x.certain = 1 THEN 1 END) AS offers_certain,
  count(CASE WHEN x.kind = 'offers' THEN 1 END) AS offers_possible,
  count(CASE WHEN x.kind = 'refusals' AND x.certain = 1 THEN 1 END) AS refusals_certain,
  count(CASE WHEN x.kind = 'refusals' THEN 1 END) AS refusals_possible,
  CAST(sum(CASE WHEN x.certain = 1 THEN x.conditions ELSE 0 END) AS BIGINT) AS conditions_certain,
  CAST(sum(x.conditions) AS BIGINT) AS conditions_possible,
  count(CASE WHEN x.kind = 'deployments' AND x.certain = 1 THEN 1 END) AS deployments_certain,
  count(CASE WHEN x.kind = 'deployments' THEN 1 END) AS deployments_possible,
  cc.cow_code,
  cc.cow_abbreviation,
  cc.gw_code
FROM cells x
JOIN country_codes cc ON cc.country_iso3 = x.country_iso3
GROUP BY cc.country_iso3, cc.name, x.year, x.month, x.side, cc.cow_code, cc.cow_abbreviation, cc.gw_code
ORDER BY cc.country_iso3, x.year, x.month, x.side
