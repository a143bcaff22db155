-- question: 60: Which events was a country involved in, and how?
-- Which countries each event involves, and how: one row per event, country and kind of involvement.
-- A country is involved as initiator, target or participant when an actor of that country (actors.
-- country_iso3: a state itself, or a person, body, unit or outlet of it) has that role in the event
-- (event_actors), and as location when the event took place there (events.location_country_iso3).
-- Filter on country_iso3 alone for every event a country is involved in in any way; add involvement
-- to ask for one kind. Russia's refusal of Kyrgyzstan's plea (located in Moscow) is an event of KGZ as
-- target and of RUS as initiator and location. Order: country_iso3, the event's earliest date (unknown
-- dates last), event_id, involvement.
-- key: event_id, country_iso3, involvement
-- columns: country_iso3, involvement, date_earliest, date_latest, event_type, modality, summary, event_id
-- order: country_iso3, date_earliest NULLS LAST, event_id, involvement
-- column: country_iso3: ISO 3166-1 alpha-3 code of a country the event involves.
-- column: involvement: How the country is involved: initiator, target or participant (an actor of that country had that role in the event) or location (the event took place there).
SELECT
  x.country_iso3,
  x.involvement,
  e.date_earliest,
  e.date_latest,
  e.date_precision,
  e.event_type,
  e.modality,
  e.summary,
  e.event_id,
  e.source_id
FROM (
  SELECT ea.event_id, a.country_iso3, ea.role AS involvement
  FROM event_actors ea
  JOIN actors a ON a.actor_id = ea.actor_id
  WHERE a.country_iso3 IS NOT NULL
  UNION
  SELECT event_id, location_country_iso3, 'location'
  FROM events
  WHERE location_country_iso3 IS NOT NULL
) AS x
JOIN events e ON e.event_id = x.event_id
ORDER BY x.country_iso3, e.date_earliest NULLS LAST, e.event_id, x.involvement
