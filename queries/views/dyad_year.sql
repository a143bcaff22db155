-- question: 94: Which country asked, offered to, refused or deployed toward which, year by year?
-- A directed dyad-year panel: for each initiator country, target country and year, how many requests
-- (REQUEST), offers (AGREE), refusals (REJECT), conditions (event_conditions of those events) and
-- deployments (MOBILIZE, AID, COOPERATE) the first directed at the second, with both countries'
-- Correlates of War and Gleditsch-Ward state numbers (country_codes). Events of every modality but denied count.
-- Whose country: an event's initiators and targets that are states, persons, government bodies or
-- military units count for their country (actors.country_iso3); an event counts once for each pair of
-- an initiator country and a different target country (no dyad of a country with itself); armed groups,
-- organisations and media count for none.
-- Dates are intervals: *_certain counts an event in a year only when its whole interval
-- [date_earliest, date_latest] lies within that year; *_possible counts it in every year its interval
-- overlaps. An open bound is not extended: an event with only one known bound is counted as possible
-- in the year of that bound only (never as certain), so possible counts are a lower bound for
-- open-ended events; an event with no known bound is in no year. Only dyad-years with an event have
-- rows. Order: initiator_iso3, target_iso3, year.
-- key: initiator_iso3, target_iso3, year
-- columns: initiator_iso3, target_iso3, year, requests_possible, offers_possible, refusals_possible, conditions_possible, deployments_possible, initiator_cow_code, target_cow_code
-- order: initiator_iso3, target_iso3, year
-- column: initiator_iso3: ISO 3166-1 alpha-3 code of the initiators' country.
-- column: initiator_cow_code: Correlates of War state number of the initiators' country (country_codes.cow_code).
-- column: initiator_gw_code: Gleditsch-Ward state number of the initiators' country (country_codes.gw_code).
-- column: target_iso3: ISO 3166-1 alpha-3 code of the targets' country.
-- column: target_cow_code: Correlates of War state number of the targets' country (country_codes.cow_code).
-- column: target_gw_code: Gleditsch-Ward state number of the targets' country (country_codes.gw_code).
-- column: year: Calendar year.
-- column: requests_certain: Requests (REQUEST) whose whole date interval lies in the year.
-- column: requests_possible: Requests whose date interval overlaps the year (one known bound: its year only).
-- column: offers_certain: Offers and pledges (AGREE) whose whole date interval lies in the year.
-- column: offers_possible: Offers and pledges whose date interval overlaps the year (one known bound: its year only).
-- column: refusals_certain: Refusals (REJECT) whose whole date interval lies in the year.
-- column: refusals_possible: Refusals whose date interval overlaps the year (one known bound: its year only).
-- column: conditions_certain: Conditions (event_conditions) attached to the counted events whose whole date interval lies in the year.
-- column: conditions_possible: Conditions attached to the counted events whose date interval overlaps the year.
-- column: deployments_certain: Deployments, aid and military cooperation (MOBILIZE, AID, COOPERATE) whose whole date interval lies in the year.
-- column: deployments_possible: Deployments, aid and military cooperation whose date interval overlaps the year (one known bound: its year only).
WITH RECURSIVE
counted AS (
  SELECT e.event_id,
         CASE WHEN e.event_type = 'REQUEST' THEN 'requests' WHEN e.event_type = 'AGREE' THEN 'offers'
              WHEN e.event_type = 'REJECT' THEN 'refusals' ELSE 'deployments' END AS kind,
         CAST(substr(CAST(e.date_earliest AS VARCHAR(10)), 1, 4) AS INTEGER) AS first_year,
         CAST(substr(CAST(e.date_latest AS VARCHAR(10)), 1, 4) AS INTEGER) AS last_year
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
spans (event_id, year, last_year) AS (
  SELECT event_id, coalesce(first_year, last_year), coalesce(last_year, first_year) FROM counted
  UNION ALL
  SELECT event_id, year + 1, last_year FROM spans WHERE year < last_year
),
sides AS (
  SELECT DISTINCT ea.event_id, ea.role AS side, a.country_iso3
  FROM event_actors ea
  JOIN actors a ON a.actor_id = ea.actor_id
  WHERE ea.role IN ('initiator', 'target') AND a.country_iso3 IS NOT NULL
    AND a.actor_type IN ('state', 'person', 'government_body', 'military_unit')
),
cells AS (
  SELECT i.country_iso3 AS initiator_iso3, t.country_iso3 AS target_iso3, sp.year, x.kind,
         CASE WHEN x.first_year IS NOT NULL AND x.first_year = x.last_year THEN 1 ELSE 0 END AS certain,
         coalesce(c.conditions, 0) AS conditions
  FROM spans sp
  JOIN counted x ON x.event_id = sp.event_id
  JOIN sides i ON i.event_id = sp.event_id AND i.side = 'initiator'
  JOIN sides t ON t.event_id = sp.event_id AND t.side = 'target' AND t.country_iso3 <> i.country_iso3
  LEFT JOIN conditions c ON c.event_id = sp.event_id
)
SELECT
  x.initiator_iso3,
  ci.cow_code AS initiator_cow_code,
  ci.gw_code AS initiator_gw_code,
  x.target_iso3,
  ct.cow_code AS target_cow_code,
  ct.gw_code AS target_gw_code,
  x.year,
  count(CASE WHEN x.kind = 'requests' AND x.certain = 1 THEN 1 END) AS requests_certain,
  count(CASE WHEN x.kind = 'requests' THEN 1 END) AS requests_possible,
  count(CASE WHEN x.kind = 'offers' AND x.certain = 1 THEN 1 END) AS offers_certain,
  count(CASE WHEN x.kind = 'offers' THEN 1 END) AS offers_possible,
  count(CASE WHEN x.kind = 'refusals' AND x.certain = 1 THEN 1 END) AS refusals_certain,
  count(CASE WHEN x.kind = 'refusals' THEN 1 END) AS refusals_possible,
  CAST(sum(CASE WHEN x.certain = 1 THEN x.conditions ELSE 0 END) AS BIGINT) AS conditions_certain,
  CAST(sum(x.conditions) AS BIGINT) AS conditions_possible,
  count(CASE WHEN x.kind = 'deployments' AND x.certain = 1 THEN 1 END) AS deployments_certain,
  count(CASE WHEN x.kind = 'deployments' THEN 1 END) AS deployments_possible
FROM cells x
JOIN country_codes ci ON ci.country_iso3 = x.initiator_iso3
JOIN country_codes ct ON ct.country_iso3 = x.target_iso3
GROUP BY x.initiator_iso3, ci.cow_code, ci.gw_code, x.target_iso3, ct.cow_code, ct.gw_code, x.year
ORDER BY x.initiator_iso3, x.target_iso3, x.year
