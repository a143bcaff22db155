-- All events of a PLOVER type that took place in a country (by the event's location only; to find
-- every event a country took part in, use events_by_type_involving_country), in date order. :event_type is a code of the
-- codebook event_type (REQUEST, REJECT, ...); :country_iso3 an ISO 3166-1 alpha-3 code (KGZ, TJK, ...)
-- matched against the event's location; both are case-insensitive. Leave either empty for no filter.
-- Order: earliest date (unknown dates last), latest date, event_id.
-- column: source_title: The headline of the article the event is coded from (sources.title).
SELECT
  e.event_id,
  e.date_earliest,
  e.date_latest,
  e.date_precision,
  e.event_type,
  e.event_mode,
  e.modality,
  e.location_name,
  e.location_country_iso3,
  e.latitude,
  e.longitude,
  e.summary,
  e.source_id,
  s.title AS source_title
FROM events e
JOIN sources s ON s.source_id = e.source_id
WHERE (:event_type = '' OR e.event_type = upper(:event_type))
  AND (:country_iso3 = '' OR e.location_country_iso3 = upper(:country_iso3))
ORDER BY e.date_earliest NULLS LAST, e.date_latest NULLS LAST, e.event_id
