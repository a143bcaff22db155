-- question: 65: Which events of a type involved a country in any way?
-- example: event_type=REJECT&country_iso3=KGZ
-- All events of a PLOVER type that involve a country in any way, in date order: an initiator, target
-- or participant of that country, or the event's location (the view event_countries says which, per
-- event; to match the location only, use events_by_type_located_in_country). :event_type is a code of
-- the codebook event_type (REQUEST, REJECT, ...); :country_iso3 an ISO 3166-1 alpha-3 code (KGZ, TJK,
-- ...); both are case-insensitive. Leave either empty for no filter. Order: earliest date (unknown dates
-- last), latest date, event_id.
-- column: source_title: The headline of the article the event is coded from (sources.title).
SELECT
  e.date_earliest,
  e.date_latest,
  e.date_precision,
  e.event_type,
  e.modality,
  e.summary,
  e.location_name,
  e.location_country_iso3,
  e.event_id,
  e.source_id,
  s.title AS source_title
FROM events e
JOIN sources s ON s.source_id = e.source_id
WHERE (:event_type = '' OR e.event_type = upper(:event_type))
  AND (:country_iso3 = '' OR e.event_id IN (SELECT event_id FROM event_countries
                                            WHERE country_iso3 = upper(:country_iso3)))
-- The order written as the terms of the index events_date_order_idx (unknown dates sort last, as NULLS
-- LAST would), so that SQLite reads the rows in that order and stops at a page's LIMIT.
ORDER BY e.date_earliest IS NULL, e.date_earliest, e.date_latest IS NULL, e.date_latest, e.event_id
