-- One search box for the whole dataset: events (summary and evidence), statements (their words and the
-- speaker's title as written) and articles (headline and text). Words match by their stem (Porter):
-- "refused" also finds "refuse", "refusal" and "refuses", but not "declines". :q takes SQLite FTS5
-- syntax: words (all must occur), "exact phrases", OR, NOT, prefix*. SQLite only (it reads the full-text
-- indexes of rucas.db). An empty :q finds nothing. Events first, then statements, then articles; within
-- each, the best matches first (FTS5 bm25), then id.
-- column: found_in: Where the words were found: event, statement or article.
-- column: headline: The event's summary, the statement's speaker (with the title as written) or the article's headline.
-- column: words: The event's or statement's evidence, or an excerpt of the article around the words found.
SELECT found_in, date_earliest, date_latest, headline, words, event_id, statement_id, source_id
FROM (
  SELECT 'event' AS found_in, 1 AS found_order, f.rank AS score, e.date_earliest, e.date_latest,
         e.summary AS headline, e.evidence AS words, e.event_id, NULL AS statement_id, e.source_id
  FROM (SELECT rowid, bm25(events_fts) AS rank FROM events_fts WHERE events_fts MATCH :q) AS f
  JOIN events e ON e.rowid = f.rowid
  UNION ALL
  SELECT 'statement', 2, f.rank, st.date_earliest, st.date_latest,
         speaker.name || coalesce(' (' || st.speaker_title || ')', ''), st.evidence, NULL, st.statement_id,
         st.source_id
  FROM (SELECT rowid, bm25(statements_fts) AS rank FROM statements_fts WHERE statements_fts MATCH :q) AS f
  JOIN statements st ON st.rowid = f.rowid
  JOIN actors speaker ON speaker.actor_id = st.speaker_id
  UNION ALL
  SELECT 'article', 3, f.rank, s.date_earliest, s.date_latest, s.title || ' (' || s.publisher || ')',
         f.excerpt, NULL, NULL, s.source_id
  FROM (SELECT rowid, bm25(sources_fts) AS rank, snippet(sources_fts, 1, '', '', ' … ', 32) AS excerpt
        FROM sources_fts WHERE sources_fts MATCH :q) AS f
  JOIN sources s ON s.rowid = f.rowid
) AS found
WHERE :q <> ''
ORDER BY found_order, score, coalesce(event_id, statement_id, source_id)
