-- What the data covers, for the front page: how many articles, events and statements, the years the
-- articles were published in and the years the events' known dates fall in. No parameter.
SELECT
  (SELECT count(*) FROM sources) AS articles,
  (SELECT count(*) FROM events) AS events,
  (SELECT count(*) FROM statements) AS statements,
  (SELECT count(*) FROM actors) AS actors,
  (SELECT min(substr(date_earliest, 1, 4)) FROM sources) AS first_article_year,
  (SELECT max(substr(coalesce(date_latest, date_earliest), 1, 4)) FROM sources) AS last_article_year,
  (SELECT min(substr(coalesce(date_earliest, date_latest), 1, 4)) FROM events) AS first_event_year,
  (SELECT max(substr(coalesce(date_latest, date_earliest), 1, 4)) FROM events) AS last_event_year,
  (SELECT count(*) FROM events WHERE date_earliest IS NULL OR date_latest IS NULL) AS events_with_an_open_date,
  (SELECT group_concat(publisher, ', ') FROM (SELECT DISTINCT publisher FROM sources ORDER BY publisher)) AS publishers
