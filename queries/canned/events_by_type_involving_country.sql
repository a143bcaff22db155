-- question: 65: Which events of a type involved a country in any way?
-- example: event_type=REJECT&country_iso3=KGZ
-- All events of a PLOVER type that involve a country in any way, in date order: an initiator, target
-- or participant of that country, or the event's location (see the view event_countries; to match the
-- location only, use events_by_type_located_in_country). :event_type is a code of the codebook
-- event_type (REQUEST, REJECT, ...); :country_iso3 an ISO 3166-1 alpha-3 code (KGZ, TJK, ...); both are
-- case-insensitive. Leave either empty for no filter. Order: earliest date (unknown dates last), latest
-- date, event_id.
-- column: involvement: How the country is involved, from initiator, target, participant and location, in that order, separated by '; ' (empty when no country is given).
-- column: source_title: The headline of the article the event is coded from (sources.title).
SELECT
  e.date_earliest,
  e.date_latest,
  e.date_precision,
  e.event_type,
  e.modality,
  e.summary,
  substr(
    CASE WHEN max(CASE WHEN c.involvement = 'initiator' THEN 1 ELSE 0 END) = 1 THEN '; initiator' ELSE '' END
    || CASE WHEN max(CASE WHEN c.involvement = 'target' THEN 1 ELSE 0 END) = 1 THEN '; target' ELSE '' END
    || CASE WHEN max(CASE WHEN c.involvement = 'participant' THEN 1 ELSE 0 END) = 1 THEN '; participant' ELSE '' END
    || CASE WHEN max(CASE WHEN c.involvement = 'location' THEN 1 ELSE 0 END) = 1 THEN '; location' ELSE '' END,
    3) AS involvement,
  e.location_name,
  e.location_country_iso3,
  e.event_id,
  e.source_id,
  s.title AS source_title
FROM events e
JOIN sources s ON s.source_id = e.source_id
LEFT JOIN event_countries c ON c.event_id = e.event_id AND c.country_iso3 = upper(:country_iso3)
WHERE (:event_type = '' OR e.event_type = upper(:event_type))
  AND (:country_iso3 = '' OR c.country_iso3 IS NOT NULL)
GROUP BY e.event_id, e.date_earliest, e.date_latest, e.date_precision, e.event_type, e.modality, e.summary,
         e.location_name, e.location_country_iso3, e.source_id, s.title
ORDER BY e.date_earliest NULLS LAST, e.date_latest NULLS LAST, e.event_id
