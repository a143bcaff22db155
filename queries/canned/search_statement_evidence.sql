-- Full-text search over the words of statements (their evidence and the speaker's title as written),
-- with SQLite FTS5 query syntax: words, "exact phrases", AND, OR, NOT, prefix*. SQLite only (it reads
-- the full-text index statements_fts, which rucas.db has and rucas.duckdb does not). An empty :q lists
-- every statement. Order: earliest date (unknown dates last), statement_id.
-- column: speaker: The speaker's usual English name (actors.name).
-- column: source_title: The headline of the article reporting the statement (sources.title).
SELECT
  st.statement_id,
  st.date_earliest,
  st.date_latest,
  st.speaker_id,
  speaker.name AS speaker,
  st.speaker_title,
  st.quote_kind,
  st.evidence,
  st.source_id,
  s.title AS source_title
FROM statements st
JOIN actors speaker ON speaker.actor_id = st.speaker_id
JOIN sources s ON s.source_id = st.source_id
WHERE (:q = '' OR st.rowid IN (SELECT rowid FROM statements_fts WHERE statements_fts MATCH :q))
ORDER BY st.date_earliest NULLS LAST, st.statement_id
