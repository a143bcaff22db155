-- question: 90: Which articles is the dataset coded from?
-- Per article: its date, publisher and headline, and how many statements, events, conditions and
-- claims were coded from it and how many distinct actors those rows name (speakers, agencies,
-- subjects and addressees of statements, parties to events). Order: the article's earliest date
-- (unknown dates last), source_id.
-- key: source_id
-- columns: date_earliest, publisher, title, statements, events, conditions, claims, actors, source_id
-- order: date_earliest NULLS LAST, source_id
-- column: statements: Statements coded from the article.
-- column: events: Events coded from the article.
-- column: conditions: Conditions attached to the article's events.
-- column: claims: Links from the article's statements to events they assert or deny.
-- column: actors: Distinct actors named by the article's statements and events.
WITH
statement_counts AS (
  SELECT source_id, count(*) AS n FROM statements GROUP BY source_id
),
event_counts AS (
  SELECT source_id, count(*) AS n FROM events GROUP BY source_id
),
condition_counts AS (
  SELECT e.source_id, count(*) AS n
  FROM event_conditions c JOIN events e ON e.event_id = c.event_id
  GROUP BY e.source_id
),
claim_counts AS (
  SELECT st.source_id, count(*) AS n
  FROM claims c JOIN statements st ON st.statement_id = c.statement_id
  GROUP BY st.source_id
),
named AS (
  SELECT source_id, speaker_id AS actor_id FROM statements
  UNION
  SELECT source_id, reported_via_id FROM statements WHERE reported_via_id IS NOT NULL
  UNION
  SELECT st.source_id, sa.actor_id FROM statement_actors sa JOIN statements st ON st.statement_id = sa.statement_id
  UNION
  SELECT e.source_id, ea.actor_id FROM event_actors ea JOIN events e ON e.event_id = ea.event_id
),
actor_counts AS (
  SELECT source_id, count(*) AS n FROM named GROUP BY source_id
)
SELECT
  s.source_id,
  s.date_earliest,
  s.date_latest,
  s.date_precision,
  s.publisher,
  s.title,
  s.author,
  s.language,
  s.url,
  coalesce(sc.n, 0) AS statements,
  coalesce(ec.n, 0) AS events,
  coalesce(cc.n, 0) AS conditions,
  coalesce(kc.n, 0) AS claims,
  coalesce(ac.n, 0) AS actors
FROM sources s
LEFT JOIN statement_counts sc ON sc.source_id = s.source_id
LEFT JOIN event_counts ec ON ec.source_id = s.source_id
LEFT JOIN condition_counts cc ON cc.source_id = s.source_id
LEFT JOIN claim_counts kc ON kc.source_id = s.source_id
LEFT JOIN actor_counts ac ON ac.source_id = s.source_id
ORDER BY s.date_earliest NULLS LAST, s.source_id
