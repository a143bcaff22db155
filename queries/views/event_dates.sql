-- Every event's date as the interval it is known to lie in, with one best-known day and what kind of
-- day that is. An event's date is the closed interval [date_earliest, date_latest]; an empty
-- date_earliest means it could be any time up to date_latest (an ongoing situation known only "by" a
-- day), an empty date_latest any time from date_earliest on, both empty any time. best_date is the day
-- by which the event had happened, as far as the article says: the day itself (kind day), the last day
-- of its interval (interval_latest), date_latest when only that is known (latest_only), date_earliest
-- when only that is known (earliest_only: it happened from then on), empty when neither is (unknown).
-- No date arithmetic: no midpoint is invented. To select a period, use the canned query events_during
-- (or rucas.during in pandas), which say how unknown bounds count. One row per event.
-- Order: best date (unknown last), event_id.
-- key: event_id
-- columns: best_date, best_kind, date_earliest, date_latest, event_type, modality, summary, event_id
-- order: best_date NULLS LAST, event_id
-- covers: date_earliest, date_latest
-- facets: best_kind
-- column: best_date: The day by which the event had happened, as far as known: the day, the last day of the interval, or the one known bound (see best_kind); empty when the date is unknown.
-- column: best_kind: What best_date is: day (the known day), interval_latest (the last day of a known interval), latest_only (the only known bound, the event was ongoing or happened by then), earliest_only (the only known bound, from then on) or unknown.
SELECT
  e.event_id,
  e.date_earliest,
  e.date_latest,
  e.date_precision,
  CASE WHEN e.date_latest IS NOT NULL THEN e.date_latest ELSE e.date_earliest END AS best_date,
  CASE
    WHEN e.date_earliest IS NOT NULL AND e.date_latest IS NOT NULL AND e.date_earliest = e.date_latest THEN 'day'
    WHEN e.date_earliest IS NOT NULL AND e.date_latest IS NOT NULL THEN 'interval_latest'
    WHEN e.date_latest IS NOT NULL THEN 'latest_only'
    WHEN e.date_earliest IS NOT NULL THEN 'earliest_only'
    ELSE 'unknown'
  END AS best_kind,
  e.event_type,
  e.modality,
  e.summary,
  e.source_id
FROM events e
ORDER BY CASE WHEN e.date_latest IS NOT NULL THEN e.date_latest ELSE e.date_earliest END NULLS LAST, e.event_id
