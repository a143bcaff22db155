-- One search box for the whole dataset: events (summary and evidence, and the codebook's label and
-- definition of their event type and CAMEO code), statements (their words and the speaker's title as
-- written) and articles (headline and body: the page's menus and related headlines around the body are
-- stored in sources.text but never searched). Words match by their stem (Porter): "refused" also finds
-- "refuse", "refusal" and "refuses", and finds the event coded REJECT ("Reject or refuse") whose article
-- says Russia "declines". :q takes SQLite FTS5
-- syntax: words (all must occur), "exact phrases", OR, NOT, prefix*. SQLite only (it reads the full-text
-- indexes of rucas.db). An empty :q lists everything, unranked. Events first, then statements, then
-- articles; within each, the best matches first (FTS5 bm25), then id. (An empty :q is matched as the empty phrase "", which
-- FTS5 accepts and which matches nothing; the search then lists every row.)
-- column: found_in: Where the words were found: event, statement or article.
-- column: headline: The event's summary, the statement's speaker (with the title as written) or the article's headline.
-- column: words: The event's or statement's evidence, or the beginning of the article's body (never the page's menus or headlines around it).
SELECT found_in, date_earliest, date_latest, headline, words, event_id, statement_id, source_id
FROM (
  SELECT 'event' AS found_in, 1 AS found_order, f.rank AS score, e.date_earliest, e.date_latest,
         e.summary AS headline, e.evidence AS words, e.event_id, NULL AS statement_id, e.source_id
  FROM events e
  LEFT JOIN (SELECT rowid, bm25(events_fts) AS rank FROM events_fts WHERE events_fts MATCH (CASE :q WHEN '' THEN '""' ELSE :q END)) AS f
    ON f.rowid = e.rowid
  WHERE :q = '' OR f.rowid IS NOT NULL
  UNION ALL
  SELECT 'statement', 2, f.rank, st.date_earliest, st.date_latest,
         speaker.name || coalesce(' (' || st.speaker_title || ')', ''), st.evidence, NULL, st.statement_id,
         st.source_id
  FROM statements st
  JOIN actors speaker ON speaker.actor_id = st.speaker_id
  LEFT JOIN (SELECT rowid, bm25(statements_fts) AS rank FROM statements_fts WHERE statements_fts MATCH (CASE :q WHEN '' THEN '""' ELSE :q END)) AS f
    ON f.rowid = st.rowid
  WHERE :q = '' OR f.rowid IS NOT NULL
  UNION ALL
  SELECT 'article', 3, f.rank, s.date_earliest, s.date_latest, s.title || ' (' || s.publisher || ')',
         substr(s.text, s.body_start + 1, 240) || ' …', NULL, NULL, s.source_id
  FROM sources s
  LEFT JOIN (SELECT rowid, bm25(sources_fts) AS rank FROM sources_fts WHERE sources_fts MATCH (CASE :q WHEN '' THEN '""' ELSE :q END)) AS f
    ON f.rowid = s.rowid
  WHERE :q = '' OR f.rowid IS NOT NULL
) AS found
ORDER BY found_order, score, coalesce(event_id, statement_id, source_id)
