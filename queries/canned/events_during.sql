-- question: 35: Which events fall in a period (dates as intervals)?
-- example: from_date=2010-01-01&until_date=2014-12-31&how=overlaps
-- The events whose date falls in the period [:from_date, :until_date] (ISO dates YYYY-MM-DD, both
-- inclusive; an empty one leaves that side unbounded), read as intervals (view event_dates): an empty
-- date_earliest means any time up to date_latest, an empty date_latest any time from date_earliest on.
-- :how is overlaps (the default, also when empty) or within. overlaps keeps an event that could have
-- happened in the period: its date_latest is unknown or on or after :from_date, and its date_earliest
-- is unknown or on or before :until_date (an event with no known bound is kept). within keeps an event
-- certainly in the period: both its bounds known, :from_date <= date_earliest and date_latest <=
-- :until_date. Any other :how matches nothing. pandas: rucas.during(frame, start, end, how=...) keeps
-- the same rows. Order: best date (unknown last), event_id.
-- column: best_date: The day by which the event had happened, as far as known (view event_dates).
-- column: best_kind: What best_date is: day, interval_latest, latest_only, earliest_only or unknown.
SELECT
  d.event_id,
  d.date_earliest,
  d.date_latest,
  d.date_precision,
  d.best_date,
  d.best_kind,
  d.event_type,
  d.modality,
  d.summary,
  d.source_id
FROM event_dates d
WHERE CASE
  WHEN :how IN ('', 'overlaps') THEN
    (:from_date = '' OR d.date_latest IS NULL OR CAST(d.date_latest AS TEXT) >= :from_date)
    AND (:until_date = '' OR d.date_earliest IS NULL OR CAST(d.date_earliest AS TEXT) <= :until_date)
  WHEN :how = 'within' THEN
    d.date_earliest IS NOT NULL AND d.date_latest IS NOT NULL
    AND (:from_date = '' OR CAST(d.date_earliest AS TEXT) >= :from_date)
    AND (:until_date = '' OR CAST(d.date_latest AS TEXT) <= :until_date)
  ELSE 1 = 0
END
ORDER BY d.best_date NULLS LAST, d.event_id
